import type {
  Connection,
  ConnectOptions,
  ConnectOutcome,
  ConnectResponse,
  ConnectWindowMode,
  ConnectedConnection,
  DisconnectResponse,
  PopupFallback,
  XeroConnectionError,
  XeroConnectionEvent,
  XeroConnectionState,
} from '../client';

// The state, events and window modes are the controller's (./client), re-exported here so the
// React entry keeps offering them under the same names.
export type * from '../client/connection-types';

/** Options of `useXeroConnection()`. Callbacks are always read fresh: passing a new function each render is fine. */
export interface UseXeroConnectionOptions {
  /** How connect and reconnect go through Xero. Default: the provider's `mode`, else `redirect`. */
  mode?: ConnectWindowMode | undefined;
  /** What a blocked pop-up does. Default: the provider's `popupFallback`, else `redirect`. */
  popupFallback?: PopupFallback | undefined;
  /**
   * Whether the person using the page may change the connection. Default `true`. Returned as is,
   * for your UI to hide its actions; the actions themselves still run (the backend decides,
   * answering `FORBIDDEN`), and the status, the return from Xero and cross-tab updates work as ever.
   */
  canManage?: boolean | undefined;
  /** Days before the estimated refresh-token expiry at which `connected` becomes `expiring`. Default 7. */
  expiringWithinDays?: number;
  /**
   * Called when this hook sees the connection become connected (not on the first load), and once
   * per page after a round trip through Xero came back connected (on the hook that reads the return).
   */
  onConnected?: (connection: ConnectedConnection) => void;
  /**
   * Called after every successful `DELETE /connection` made through this hook: by `disconnect()`,
   * and by the first half of `reconnect()` (the connection really is gone then, even if the
   * connect half fails). Once per DELETE, also when a second call joined it.
   */
  onDisconnected?: (result: DisconnectResponse) => void;
  /** Called when a read, an action or a round trip through Xero fails. */
  onError?: (error: XeroConnectionError) => void;
  /** Every {@link XeroConnectionEvent}, for analytics and audit. */
  onEvent?: (event: XeroConnectionEvent) => void;
}

/** What `useXeroConnection()` returns. */
export interface UseXeroConnectionResult {
  state: XeroConnectionState;
  /** The backend's last reported connection, or `null` before the first answer. */
  connection: Connection | null;
  /**
   * When `connection` was read (ms since the epoch; 0 before the first answer), on the backend's
   * clock: the "now" the state's expiry is measured from. Measure relative dates ("2 days ago")
   * from it too: the connection's dates were written on that clock, and a server render and its
   * hydration agree.
   *
   * The backend's clock is the browser's plus the offset the client measured from its answers'
   * `Date` header. A backend on another origin must send `Access-Control-Expose-Headers: Date`
   * for the browser to show it; without it (or with a client not made by
   * `createXeroConnectionClient`) the browser's clock is used.
   */
  updatedAt: number;
  /**
   * Starts the connect round trip. In `redirect` mode it navigates to Xero and resolves once that
   * has been asked for; `isConnecting` stays `true` until the page is left (or, if navigation
   * never happens, until the connect session expires), so a second click starts nothing. In
   * `popup` mode it opens the pop-up synchronously (call it straight from a click handler),
   * resolves once the pop-up is on its way to Xero, and `isConnecting` stays `true` until the
   * round trip ends (see `returnOutcome`). Resolves `null` when nothing was started: the pop-up
   * was blocked and `popupFallback` is `'none'`.
   */
  connect: (options?: ConnectOptions) => Promise<ConnectResponse | null>;
  /** Disconnects. Calls while one is in flight share it: a double click sends one DELETE. */
  disconnect: () => Promise<DisconnectResponse>;
  /**
   * Disconnects (joining a disconnect already in flight), then connects again in `reauth` mode
   * expecting the same organisation, like `connect()` otherwise. A failed DELETE rejects with its
   * own error (`endpoint` `DELETE /connection`) and connects nothing.
   */
  reconnect: (options?: ConnectOptions) => Promise<ConnectResponse | null>;
  /** Asks the backend to check with Xero now, and updates the state with the answer. */
  verify: () => Promise<Connection>;
  /**
   * Links the chosen organisation of a `choosing_organisation` connection (the backend removes the
   * others in Xero) and updates the state with the answer. A second call while one runs joins it.
   */
  chooseOrganisation: (tenantId: string) => Promise<Connection>;
  /**
   * Reads the connection again now, ignoring how fresh it is, for every hook and card on the
   * integration, and tells the origin's other tabs to read it too. Call it when the host met a
   * problem with the connection (its export route answered `XERO_INVALID_GRANT`, say): they all
   * show the recovery at once. Calls while one runs share it (one request), and the function
   * keeps its identity between renders, so an effect may call it on mount. Never rejects: a failed
   * read shows as the `error` state. Outside components, use `notifyXeroProblem`.
   */
  refresh: () => Promise<void>;
  /** Records a UI event the hook cannot see itself (the confirm dialog opening or being cancelled). */
  track: (event: { type: 'disconnect_requested' } | { type: 'disconnect_cancelled' }) => void;
  isConnecting: boolean;
  isDisconnecting: boolean;
  isReconnecting: boolean;
  isVerifying: boolean;
  isChoosingOrganisation: boolean;
  /**
   * How the last round trip through Xero ended, shared by every hook on the integration: read
   * from the URL when the browser comes back (`?xero=connected`, `?xero=error&code=…`), or
   * reported by the pop-up. `null` when there is none, after `dismissReturnOutcome()`, and once
   * another action starts. Never set during a server render.
   */
  returnOutcome: ConnectOutcome | null;
  /**
   * Set when the page was opened from a reconnect link naming this integration (an email's or a
   * webhook's `reconnectUrl`: `?xero=reconnect&xeroIntegration=<baseUrl>`, see
   * `withReconnectRequest`). Read once per page by the first hook of the integration to mount,
   * which removes the parameters like the return from Xero's; the same object on every hook of the
   * integration, so a UI can act on it once (the card scrolls into view, focuses Reconnect and says
   * why). Nothing starts by itself. `null` when there is none, after `dismissReturnOutcome()`, once
   * another action starts, and during a server render.
   */
  reconnectRequest: { readonly integration: string | null } | null;
  /** Forgets `returnOutcome` and `reconnectRequest` (for a "dismiss" button). */
  dismissReturnOutcome: () => void;
  /** The `canManage` option, default `true`: whether to offer this person the actions. */
  canManage: boolean;
}
