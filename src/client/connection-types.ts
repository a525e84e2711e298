// The shapes the connection controller (and the React hook over it) speaks in: the state as a
// union on `status`, the analytics events, and how the round trip through Xero opens.
import type {
  CHOOSING_ORGANISATION_REASONS,
  Connection,
  ConnectMode,
  ERROR_REASONS,
  NEEDS_REAUTH_REASONS,
  DISCONNECTED_REASONS,
  Tenant,
} from '../contract';
import type { XeroConnectionError } from './errors';

/** A connection whose backend status is `connected`. */
export type ConnectedConnection = Extract<Connection, { status: 'connected' }>;

/**
 * What the controller (and `useXeroConnection()`) knows, as a union on `status`. `expiring` is `connected` with a refresh token
 * estimated to expire within the threshold and no working keep-alive to renew it; `error` covers
 * both an unreachable backend or a contract violation (`error` set) and a backend that could not
 * reach Xero (`reason` set). `choosing_organisation` waits for `chooseOrganisation(tenantId)`.
 */
export type XeroConnectionState =
  | { status: 'loading' }
  | { status: 'connected'; connection: ConnectedConnection; tenant: Tenant }
  | {
      status: 'expiring';
      connection: ConnectedConnection;
      tenant: Tenant;
      /** Whole days left, rounded up; 0 when it expires today. */
      expiresInDays: number;
      expiresAt: Date;
    }
  | {
      status: 'needs_reauth';
      connection: Extract<Connection, { status: 'needs_reauth' }>;
      reason: (typeof NEEDS_REAUTH_REASONS)[number];
      /** The organisation that was connected, when the backend still knows it. */
      tenant: Tenant | null;
    }
  | {
      status: 'choosing_organisation';
      connection: Extract<Connection, { status: 'choosing_organisation' }>;
      /** One consent covered several organisations, or a reconnect came back with another one. */
      reason: (typeof CHOOSING_ORGANISATION_REASONS)[number];
      /** The organisations to choose from, in Xero's order. */
      organisations: Tenant[];
      /** The organisation connected before (the expected one, for `organisation_mismatch`), if any. */
      tenant: Tenant | null;
    }
  | {
      status: 'disconnected';
      connection: Extract<Connection, { status: 'disconnected' }>;
      reason: (typeof DISCONNECTED_REASONS)[number] | null;
    }
  | {
      status: 'error';
      /** The client's error when the backend could not be read; `null` when the backend reported the error. */
      error: XeroConnectionError | null;
      /** Why the backend could not reach Xero, when it reported so. */
      reason: (typeof ERROR_REASONS)[number] | null;
      /** The last connection the backend reported, if any. */
      connection: Connection | null;
      /** Reads the status again. */
      retry: () => void;
    };

/** The status names of {@link XeroConnectionState}. */
export type XeroConnectionStateStatus = XeroConnectionState['status'];

/**
 * Typed events for analytics and audit. Never carries tokens; carries the organisation only
 * where the event is about it.
 */
export type XeroConnectionEvent =
  | { type: 'status_viewed'; status: XeroConnectionStateStatus; reason: string | null }
  | { type: 'disconnect_requested' }
  | { type: 'disconnect_cancelled' }
  | { type: 'disconnect_confirmed' }
  | { type: 'disconnected'; remoteRemoved: boolean }
  | { type: 'disconnect_failed'; error: XeroConnectionError }
  | { type: 'connect_started'; mode: ConnectMode }
  | { type: 'connect_failed'; error: XeroConnectionError }
  /** The user ended the round trip without connecting: Cancel in Xero, or the pop-up closed. */
  | { type: 'connect_cancelled'; reason: 'consent_denied' | 'popup_closed' }
  /** The browser blocked the pop-up; `fallback` says whether the round trip went on as a redirect. */
  | { type: 'popup_blocked'; fallback: PopupFallback }
  | { type: 'connected'; tenant: Tenant }
  | { type: 'reconnect_started' }
  | { type: 'reconnect_failed'; error: XeroConnectionError }
  | { type: 'organisation_chosen'; tenant: Tenant }
  | { type: 'choose_organisation_failed'; error: XeroConnectionError }
  | { type: 'verify_started' }
  | { type: 'verified'; status: XeroConnectionStateStatus }
  | { type: 'verify_failed'; error: XeroConnectionError };

/**
 * How the browser goes through Xero's consent screen (not to be confused with the request's
 * `mode`, `connect` or `reauth`):
 *
 * - `redirect` (the default): the page itself goes to Xero and comes back to `returnTo`. Works
 *   everywhere, and is what Xero's certification guidance prefers.
 * - `popup`: a pop-up goes to Xero while the page stays; the outcome comes back by postMessage,
 *   BroadcastChannel or by polling the backend, whichever is first.
 */
export type ConnectWindowMode = 'redirect' | 'popup';

/** What a blocked pop-up does: go on as a full-page `redirect` (the default), or stop (`none`). */
export type PopupFallback = 'redirect' | 'none';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** Where the backend sends the browser back to; default the current page. */
  returnTo?: string;
}

