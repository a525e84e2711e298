import { useEffect, type RefObject } from 'react';

import type { UseXeroConnectionResult } from '../../react/types';
import { formatMessage, type XeroConnectionMessages } from '../messages';

// Requests already acted on: one card or notice per link comes into view and takes focus, however
// many show the integration, and StrictMode's second effect run does nothing.
const handled = /* @__PURE__ */ new WeakSet<object>();

// The buttons the person came for, in the order looked for; the first one there takes focus.
const RECOVERY_ACTIONS = ['reconnect', 'set-up-again', 'connect', 'use-organisation', 'use-this-organisation', 'try-again'];

function works(xero: UseXeroConnectionResult): boolean {
  return xero.state.status === 'connected' || xero.state.status === 'expiring';
}

/** The line that says why the page was opened from a reconnect link, once the status is known; `null` otherwise. */
export function reconnectLinkSentence(xero: UseXeroConnectionResult, messages: XeroConnectionMessages, title: string): string | null {
  if (xero.reconnectRequest === null || xero.state.status === 'loading') return null;
  return formatMessage(messages, works(xero) ? 'reconnectLink.nothingToDo' : 'reconnectLink.requested', { title });
}

/**
 * When the page was opened from a reconnect link for this integration: once the status is known,
 * brings the component (the `<section>` around `titleRef`) into view and focuses its recovery
 * button (`actionSlot` names its buttons' `data-slot`), or its title when it offers none. Nothing
 * takes focus when the connection works. Never starts anything: the person presses the button.
 */
export function useReconnectLink(xero: UseXeroConnectionResult, titleRef: RefObject<HTMLElement | null>, actionSlot: string): void {
  const request = xero.reconnectRequest;
  const status = xero.state.status;
  const connected = works(xero);
  useEffect(() => {
    const title = titleRef.current;
    const root = title?.closest('section');
    if (request === null || status === 'loading' || !title || !root || handled.has(request)) return;
    handled.add(request);
    root.scrollIntoView({ block: 'nearest' });
    if (connected) return;
    const button = RECOVERY_ACTIONS.map((action) =>
      root.querySelector<HTMLElement>(`[data-slot="${actionSlot}"][data-action="${action}"]`),
    ).find((found) => found !== null);
    (button ?? title).focus({ preventScroll: true });
  }, [request, status, connected, titleRef, actionSlot]);
}
