import type {
  Connection,
  ConnectMode,
  ConnectResponse,
  DisconnectResponse,
  ERROR_REASONS,
  NEEDS_REAUTH_REASONS,
  DISCONNECTED_REASONS,
  Tenant,
  XeroConnectionError,
} from '../client';

/** A connection whose backend status is `connected`. */
export type ConnectedConnection = Extract<Connection, { status: 'connected' }>;

/**
 * What the hook knows, as a union on `status`. `expiring` is `connected` with a refresh token
 * estimated to expire within the threshold; `error` covers both an unreachable backend or a
 * contract violation (`error` set) and a backend that could not reach Xero (`reason` set).
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
  | { type: 'connected'; tenant: Tenant }
  | { type: 'reconnect_started' }
  | { type: 'reconnect_failed'; error: XeroConnectionError }
  | { type: 'verify_started' }
  | { type: 'verified'; status: XeroConnectionStateStatus }
  | { type: 'verify_failed'; error: XeroConnectionError };

/** Options of `useXeroConnection()`. Callbacks are always read fresh: passing a new function each render is fine. */
export interface UseXeroConnectionOptions {
  /** Days before the estimated refresh-token expiry at which `connected` becomes `expiring`. Default 7. */
  expiringWithinDays?: number;
  /** Called when this hook sees the connection become connected (not on the first load). */
  onConnected?: (connection: ConnectedConnection) => void;
  /** Called after a disconnect made through this hook succeeds. */
  onDisconnected?: (result: DisconnectResponse) => void;
  /** Called when a read or an action fails. */
  onError?: (error: XeroConnectionError) => void;
  /** Every {@link XeroConnectionEvent}, for analytics and audit. */
  onEvent?: (event: XeroConnectionEvent) => void;
}

/** Options of `connect()`. */
export interface ConnectOptions {
  /** Where the backend sends the browser back to; default the current page. */
  returnTo?: string;
}

/** What `useXeroConnection()` returns. */
export interface UseXeroConnectionResult {
  state: XeroConnectionState;
  /** The backend's last reported connection, or `null` before the first answer. */
  connection: Connection | null;
  /** Starts the connect round trip and navigates to Xero. Resolves once navigation has been asked for. */
  connect: (options?: ConnectOptions) => Promise<ConnectResponse>;
  /** Disconnects. Calls while one is in flight share it: a double click sends one DELETE. */
  disconnect: () => Promise<DisconnectResponse>;
  /** Disconnects, then connects again in `reauth` mode expecting the same organisation. */
  reconnect: (options?: ConnectOptions) => Promise<ConnectResponse>;
  /** Asks the backend to check with Xero now, and updates the state with the answer. */
  verify: () => Promise<Connection>;
  /** Records a UI event the hook cannot see itself (the confirm dialog opening or being cancelled). */
  track: (event: { type: 'disconnect_requested' } | { type: 'disconnect_cancelled' }) => void;
  isConnecting: boolean;
  isDisconnecting: boolean;
  isReconnecting: boolean;
  isVerifying: boolean;
}
