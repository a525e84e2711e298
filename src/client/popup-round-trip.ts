import type { Connection } from '../contract';
import type { ConnectOutcome } from './connect-return';
import type { XeroConnectionClient } from './create-client';
import { connectResultMessageSchema, MESSAGE_SOURCE } from './connect-messages';
import { listenToOtherTabs } from './page-channel';

/** The window name of the pop-up; one at a time per page, so a second connect reuses it. */
export const POPUP_NAME = 'carevision-xero-connection';

/** Size and place of the pop-up: Xero's consent screen fits 600 × 720. */
export function popupFeatures(): string {
  const width = 600;
  const height = 720;
  const left = Math.max(0, Math.round((window.screenX ?? 0) + ((window.outerWidth ?? width) - width) / 2));
  const top = Math.max(0, Math.round((window.screenY ?? 0) + ((window.outerHeight ?? height) - height) / 2));
  return `popup=yes,width=${width},height=${height},left=${left},top=${top}`;
}

/**
 * Opens the pop-up empty. Must run synchronously inside the click handler (Safari, and Chrome
 * after a few seconds, block `window.open` once the click's user activation has been spent on an
 * `await`); it is pointed at Xero when the backend has answered. `null` when blocked.
 */
export function openBlankPopup(): Window | null {
  let popup: Window | null;
  try {
    popup = window.open('', POPUP_NAME, popupFeatures());
  } catch {
    return null;
  }
  return popup;
}

/** Timing of {@link watchPopup}; the defaults suit people, tests may shorten them. */
export interface PopupTimings {
  /** How often to ask the backend whether the connection is there. Default 2000 ms. */
  pollIntervalMs: number;
  /** How often to look at `popup.closed`. Default 500 ms. */
  closedCheckMs: number;
  /**
   * How long after the pop-up reads as closed to wait for a result before calling it cancelled:
   * the return page posts just before it closes, and COOP can make `closed` read `true` early.
   * Default 1500 ms.
   */
  closedGraceMs: number;
}

/** The default {@link PopupTimings}. */
export const DEFAULT_POPUP_TIMINGS: PopupTimings = { pollIntervalMs: 2000, closedCheckMs: 500, closedGraceMs: 1500 };

/** What {@link watchPopup} needs. */
export interface WatchPopupOptions {
  popup: Window;
  baseUrl: string;
  client: XeroConnectionClient;
  /** The connection before the round trip, to recognise a new one when polling. */
  before: Connection | null;
  /** When the backend's connect session expires (ISO 8601): nothing can complete after it. */
  expiresAt: string;
  timings?: Partial<PopupTimings>;
  /** Called once, with the first outcome any of the signals gives. */
  onOutcome: (outcome: ConnectOutcome) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function isClosed(popup: Window): boolean | null {
  try {
    return popup.closed;
  } catch {
    // Cross-origin-opener-policy can make even `closed` throw: unknown, not closed.
    return null;
  }
}

function isNewConnection(connection: Connection, before: Connection | null): boolean {
  if (connection.status !== 'connected') return false;
  if (before?.status !== 'connected') return true;
  return connection.connectedAt !== before.connectedAt || connection.tenant.tenantId !== before.tenant.tenantId;
}

/**
 * Waits for a pop-up round trip to end, by whichever signal comes first:
 *
 * 1. a `connect-result` message from the pop-up's return page (postMessage: `event.origin` must
 *    equal this page's origin exactly, `event.source` must be the pop-up, the shape must match);
 * 2. the same message on the origin's BroadcastChannel (when COOP cut the pop-up off from us);
 * 3. the backend reporting a new connection (`GET /connection` every `pollIntervalMs`);
 * 4. the pop-up closed with none of the above within `closedGraceMs`: `cancelled`;
 * 5. the connect session expiring: `failed` with `CONNECT_SESSION_EXPIRED`.
 *
 * Closes the pop-up when done. Returns a function that stops watching (timers and listeners
 * removed) without an outcome.
 */
export function watchPopup(options: WatchPopupOptions): () => void {
  const { popup, baseUrl, client, before } = options;
  const timings = { ...DEFAULT_POPUP_TIMINGS, ...options.timings };
  const origin = window.location.origin;
  let done = false;
  let closedTimer: ReturnType<typeof setTimeout> | undefined;
  const controller = new AbortController();

  const onMessage = (event: MessageEvent) => {
    // Exact origin, never a prefix test: https://portal.example.evil.test starts with https://portal.example.
    if (event.origin !== origin || event.source !== popup) return;
    const parsed = connectResultMessageSchema.safeParse(event.data);
    if (!parsed.success || parsed.data.baseUrl !== baseUrl) return;
    finish(parsed.data.outcome);
  };
  window.addEventListener('message', onMessage);
  const stopListening = listenToOtherTabs((message) => {
    if (message.type === 'connect-result' && message.baseUrl === baseUrl) finish(message.outcome);
  });

  const poll = async () => {
    try {
      const connection = await client.getConnection({ signal: controller.signal });
      if (isNewConnection(connection, before)) finish({ kind: 'connected' });
    } catch {
      // A failed poll proves nothing; the other signals still work.
    }
  };
  const pollTimer = setInterval(() => void poll(), timings.pollIntervalMs);
  const closedCheck = setInterval(() => {
    if (closedTimer !== undefined || isClosed(popup) !== true) return;
    // One last look at the backend, then call it cancelled if nothing came.
    void poll();
    closedTimer = setTimeout(() => finish({ kind: 'cancelled', reason: 'popup_closed' }), timings.closedGraceMs);
  }, timings.closedCheckMs);
  const expiresInMs = Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(options.expiresAt) - Date.now()));
  const expiryTimer = setTimeout(
    () => finish({ kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' }),
    Number.isNaN(expiresInMs) ? MAX_TIMER_MS : expiresInMs,
  );

  function stop(): void {
    done = true;
    window.removeEventListener('message', onMessage);
    stopListening();
    clearInterval(pollTimer);
    clearInterval(closedCheck);
    clearTimeout(closedTimer);
    clearTimeout(expiryTimer);
    controller.abort();
  }

  function finish(outcome: ConnectOutcome): void {
    if (done) return;
    stop();
    try {
      if (isClosed(popup) === false) popup.close();
    } catch {
      // Already gone.
    }
    options.onOutcome(outcome);
  }

  return () => {
    if (!done) stop();
  };
}

/**
 * The return page's part when it runs inside the pop-up: hand the outcome to the window that
 * opened it (target origin exactly ours, never `*`) and to every tab, then close. Returns whether
 * it posted to an opener.
 */
export function handOutcomeToOpener(baseUrl: string, outcome: ConnectOutcome): boolean {
  const message = { source: MESSAGE_SOURCE, type: 'connect-result', baseUrl, outcome } as const;
  let posted = false;
  try {
    const opener = window.opener as Window | null;
    if (opener && opener !== window) {
      opener.postMessage(message, window.location.origin);
      posted = true;
    }
  } catch {
    // COOP or a cross-origin opener: the BroadcastChannel below still reaches it.
  }
  return posted;
}
