const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Settles when the page is left after a navigation to Xero (`pagehide`), or shown again from the
 * back/forward cache (`pageshow` with `persisted`), or at `expiresAt`, when the connect session
 * is dead anyway: a navigation that never happened (a host's `navigate` that did nothing, a
 * download) cannot keep an action pending for ever.
 */
export function untilPageLeft(expiresAt: string): Promise<void> {
  return new Promise((resolve) => {
    if (typeof window === 'undefined') {
      resolve();
      return;
    }
    const done = () => {
      window.removeEventListener('pagehide', done);
      window.removeEventListener('pageshow', onShow);
      clearTimeout(timer);
      resolve();
    };
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted) done();
    };
    const msLeft = Date.parse(expiresAt) - Date.now();
    const timer = setTimeout(done, Number.isNaN(msLeft) ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(0, msLeft)));
    window.addEventListener('pagehide', done);
    window.addEventListener('pageshow', onShow);
  });
}
