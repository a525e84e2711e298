// A redirect through Xero reloads the page: the host's `problem` state and the notice's own are
// gone when the browser comes back. This marker, in sessionStorage (this tab only, gone with it),
// says "the notice on this page sent the person to Xero for this integration", so the notice that
// mounts after the return knows the round trip is its own and offers the host's retry.

const PREFIX = '@carevision/xero-connection:reconnect-notice:';

/** How long a marker stays good: longer than a connect session (10 minutes), short enough not to claim a later round trip. */
export const RECONNECT_MARKER_TTL_MS = 30 * 60_000;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage;
  } catch {
    // Storage disabled (a privacy setting, a sandboxed frame): the notice then works without it.
    return null;
  }
}

function readItem(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Records that this page's notice starts a round trip for `baseUrl` now. */
export function writeReconnectMarker(baseUrl: string, now: number = Date.now()): void {
  try {
    storage()?.setItem(PREFIX + baseUrl, JSON.stringify({ until: now + RECONNECT_MARKER_TTL_MS }));
  } catch {
    // Quota or a disabled store: the popup mode and the same page still work from memory.
  }
}

/** Whether a marker for `baseUrl` is there and still good (an expired or unreadable one is removed). */
export function readReconnectMarker(baseUrl: string, now: number = Date.now()): boolean {
  const raw = readItem(PREFIX + baseUrl);
  if (raw === null) return false;
  let until: unknown;
  try {
    until = (JSON.parse(raw) as { until?: unknown }).until;
  } catch {
    until = null;
  }
  if (typeof until === 'number' && until > now) return true;
  clearReconnectMarker(baseUrl);
  return false;
}

/** Removes the marker: the return it waited for has been read (or a new problem replaced it). */
export function clearReconnectMarker(baseUrl: string): void {
  try {
    storage()?.removeItem(PREFIX + baseUrl);
  } catch {
    // Nothing to remove.
  }
}
