import { ERROR_CODE_INFO, type Connection, type ConnectRequest, type ConnectResponse, type DisconnectResponse, type ErrorCode, type RouteLabel } from '../contract';
import { SERVER_PENDING, actionRegistryFor, refreshIntegration, type ActionRegistry, type HoldPending, type PendingActions } from './action-registry';
import { backendClockOffset } from './backend-clock';
import { MESSAGE_SOURCE } from './connect-messages';
import { readConnectReturn, readReconnectRequest, returnToFor, withoutConnectReturn, type ConnectOutcome } from './connect-return';
import { rememberConnectSession } from './connect-sessions';
import { createConnectionSource, type ConnectionRead, type ConnectionSource } from './connection-source';
import type {
  ConnectOptions,
  ConnectWindowMode,
  ConnectedConnection,
  PopupFallback,
  XeroConnectionEvent,
  XeroConnectionState,
} from './connection-types';
import type { XeroConnectionClient } from './create-client';
import { DEFAULT_EXPIRING_WITHIN_DAYS, deriveConnectionState, stateReason } from './derive-state';
import { disconnectedConnection } from './disconnected-connection';
import { XeroConnectionApiError, XeroConnectionUsageError, type XeroConnectionError } from './errors';
import { listenToOtherTabs, postToOtherTabs } from './page-channel';
import { handOutcomeToOpener, openBlankPopup, watchPopup } from './popup-round-trip';
import { toClientError } from './to-client-error';
import { untilPageLeft } from './until-page-left';

// The framework-free core under `useXeroConnection()`, as TanStack's QueryObserver sits under
// useQuery: the actions, the reconnect sequence (DELETE, then the round trip), pending flags shared
// per integration, the return from Xero, cross-tab news and the events all live here, so a page
// without React (Vue, plain script) gets the very same rules. The hook only subscribes to it.

/** Options of {@link createXeroConnectionController}; all but `client` and `source` may change later through `setOptions`. */
export interface XeroConnectionControllerOptions {
  /** The integration's client, from `createXeroConnectionClient()`. */
  client: XeroConnectionClient;
  /**
   * Where the connection is read and cached. Default: one {@link createConnectionSource} per
   * client, shared by every controller of that client. The React hook passes one over its QueryClient.
   */
  source?: ConnectionSource;
  /** How the round trip goes through Xero: `redirect` (default) or `popup`. */
  mode?: ConnectWindowMode | undefined;
  /** What a blocked pop-up does: go on as a `redirect` (default) or stop (`none`). */
  popupFallback?: PopupFallback | undefined;
  /** Sends the browser to Xero. Default `window.location.assign`, looked up when called. */
  navigate?: ((url: string) => void) | undefined;
  /** Days before the estimated refresh-token expiry at which `connected` becomes `expiring`. Default 7. */
  expiringWithinDays?: number | undefined;
  /**
   * Called when this controller sees the connection become connected (not on the first read),
   * and once per page after a round trip came back connected (on the controller that read the return).
   */
  onConnected?: ((connection: ConnectedConnection) => void) | undefined;
  /** Called after every successful `DELETE /connection` made through this controller (also the first half of `reconnect()`). */
  onDisconnected?: ((result: DisconnectResponse) => void) | undefined;
  /** Called when a read, an action or a round trip through Xero fails. */
  onError?: ((error: XeroConnectionError) => void) | undefined;
  /** Every {@link XeroConnectionEvent}, for analytics and audit. */
  onEvent?: ((event: XeroConnectionEvent) => void) | undefined;
}

/** What a {@link XeroConnectionController} shows at one moment; a new object only when something changed. */
export interface XeroConnectionSnapshot {
  /** The connection as a union on `status`. */
  readonly state: XeroConnectionState;
  /** The backend's last reported connection, or `null` before the first answer. */
  readonly connection: Connection | null;
  /** When `connection` was read, in ms since the epoch on the backend's clock; 0 before the first answer. */
  readonly updatedAt: number;
  /** `connect()` is under way (until the page is left or the pop-up reports back). */
  readonly isConnecting: boolean;
  /** `disconnect()` is under way. */
  readonly isDisconnecting: boolean;
  /** `reconnect()` is under way. */
  readonly isReconnecting: boolean;
  /** `verify()` is under way. */
  readonly isVerifying: boolean;
  /** `chooseOrganisation()` is under way. */
  readonly isChoosingOrganisation: boolean;
  /** How the last round trip through Xero ended, shared by every controller of the integration; `null` when none. */
  readonly returnOutcome: ConnectOutcome | null;
  /**
   * Set when the page was opened from a reconnect link naming this integration
   * (`?xero=reconnect&xeroIntegration=…`, see `withReconnectRequest`): the same object for every
   * controller of the integration, so a UI can act on it once. Read once per page, like the return
   * from Xero; `null` when there is none, after `dismissReturnOutcome()`, and once an action starts.
   * Nothing starts by itself: the person chooses.
   */
  readonly reconnectRequest: { readonly integration: string | null } | null;
}

/**
 * One integration's connection and the actions that change it, without any framework. Every
 * action returns a promise that rejects with the client's typed error, after calling `onError`
 * and emitting the matching `*_failed` event; calls while the same action runs join it.
 */
export interface XeroConnectionController {
  /** The current {@link XeroConnectionSnapshot}. */
  getSnapshot(): XeroConnectionSnapshot;
  /**
   * What a server render shows: the cached status (a prefetched one too) with nothing pending and
   * no outcome, so the page hydrates to the same markup.
   */
  getServerSnapshot(): XeroConnectionSnapshot;
  /**
   * Calls `listener` after every change of the snapshot. The first subscription starts the
   * controller (reads the status when stale, takes the return from Xero off the URL, listens to
   * the origin's other tabs and the window's focus); the last unsubscription stops it.
   */
  subscribe(listener: () => void): () => void;
  /** Changes options given to {@link createXeroConnectionController} (not `client` or `source`); callbacks are read when they run. */
  setOptions(options: Partial<Omit<XeroConnectionControllerOptions, 'client' | 'source'>>): void;
  /** Starts the round trip through Xero (`mode: 'connect'`). Resolves `null` when a blocked pop-up stopped it. */
  connect(options?: ConnectOptions): Promise<ConnectResponse | null>;
  /** `DELETE /connection`. A double call sends one DELETE. */
  disconnect(): Promise<DisconnectResponse>;
  /**
   * Disconnects (joining a disconnect in flight), then starts the round trip in `reauth` mode
   * expecting the same organisation. A failed DELETE rejects with its own error and connects nothing.
   */
  reconnect(options?: ConnectOptions): Promise<ConnectResponse | null>;
  /** Asks the backend to check with Xero now. */
  verify(): Promise<Connection>;
  /** Links the chosen organisation of a `choosing_organisation` connection. */
  chooseOrganisation(tenantId: string): Promise<Connection>;
  /** Reads the status again now, for every controller of the integration, and tells the other tabs. Never rejects. */
  refresh(): Promise<void>;
  /** Records a UI event the controller cannot see itself (a confirm dialog opening or being cancelled). */
  track(event: { type: 'disconnect_requested' } | { type: 'disconnect_cancelled' }): void;
  /** Forgets `returnOutcome` and `reconnectRequest`. */
  dismissReturnOutcome(): void;
}

type FailureEvent = 'connect_failed' | 'disconnect_failed' | 'reconnect_failed' | 'verify_failed' | 'choose_organisation_failed';

type ReconnectRequest = NonNullable<XeroConnectionSnapshot['reconnectRequest']>;

// The reconnect link's request, shared per integration like the outcome, with its own listeners.
interface RequestSlot {
  request: ReconnectRequest | null;
  readonly listeners: Set<() => void>;
}
const requestSlots = /* @__PURE__ */ new WeakMap<ActionRegistry, RequestSlot>();

function requestSlotFor(registry: ActionRegistry): RequestSlot {
  let slot = requestSlots.get(registry);
  if (!slot) {
    slot = { request: null, listeners: new Set() };
    requestSlots.set(registry, slot);
  }
  return slot;
}

// One default source per client, so plain pages with several controllers of one client share a read.
const defaultSources = /* @__PURE__ */ new WeakMap<XeroConnectionClient, ConnectionSource>();

function sourceFor(client: XeroConnectionClient): ConnectionSource {
  let source = defaultSources.get(client);
  if (!source) {
    source = createConnectionSource(client);
    defaultSources.set(client, source);
  }
  return source;
}

// The page to come back to: the caller's `returnTo` (resolved against the page) or the page itself.
function returnPage(given: string | undefined): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  if (given === undefined && base === undefined) {
    throw new XeroConnectionUsageError(
      'POST /connect: there is no page location to return to; pass connect({ returnTo }) outside a browser',
      'POST /connect',
    );
  }
  try {
    return new URL(given ?? (base as string), base).href;
  } catch (cause) {
    throw new XeroConnectionUsageError(`POST /connect: returnTo "${String(given)}" is not a valid URL`, 'POST /connect', { cause });
  }
}

/**
 * The error a failed round trip came back with. Its endpoint is `POST /callback`, the contract's
 * name for the callback step, whether the backend's `GET /callback` redirect or a host page's
 * `POST /callback` reported it.
 */
function callbackError(code: ErrorCode): XeroConnectionApiError {
  const info = ERROR_CODE_INFO[code];
  return new XeroConnectionApiError({
    endpoint: 'POST /callback',
    code,
    status: info.status,
    retryable: info.retryable,
    retryAfterSeconds: null,
    problem: null,
    message: `The connect round trip came back with ${code}: ${info.title}`,
  });
}

function closeQuietly(popup: Window | null | undefined): void {
  try {
    popup?.close();
  } catch {
    // Already gone.
  }
}

/**
 * Makes the framework-free controller of one integration's connection: the core that
 * `useXeroConnection()` adapts to React, for Vue, Svelte, plain pages or other CareVision apps.
 * Subscribe to start it; the actions, the reconnect sequence (disconnect, then the round trip in
 * `reauth` mode), the return from Xero (`?xero=…` on the URL, or a pop-up's message), cross-tab
 * updates and the events behave as the hook's do.
 *
 * @example
 * ```ts
 * import { createXeroConnectionClient, createXeroConnectionController } from '@carevision/xero-connection/client';
 *
 * const controller = createXeroConnectionController({
 *   client: createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing' }),
 *   onEvent: (event) => console.log(event.type),
 * });
 * controller.subscribe(() => {
 *   const { state, isReconnecting } = controller.getSnapshot();
 *   button.hidden = state.status !== 'needs_reauth';
 *   button.disabled = isReconnecting;
 * });
 * button.onclick = () => void controller.reconnect().catch(() => {});
 * ```
 */
export function createXeroConnectionController(options: XeroConnectionControllerOptions): XeroConnectionController {
  return controllerOver(options.source ?? sourceFor(options.client), options);
}

/**
 * {@link createXeroConnectionController} over a given source. The React hook calls this one, so
 * the default source (a cache of its own) stays out of bundles that only use the hook.
 */
export function controllerOver(source: ConnectionSource, initial: XeroConnectionControllerOptions): XeroConnectionController {
  const { client } = initial;
  const baseUrl = client.baseUrl;
  const registry = actionRegistryFor(source.scope, baseUrl);
  const requestSlot = requestSlotFor(registry);
  const setRequest = (request: ReconnectRequest | null) => {
    if (requestSlot.request === request) return;
    requestSlot.request = request;
    requestSlot.listeners.forEach((listener) => listener());
  };
  // What every action does first: the outcome and the link's request were said about before it.
  const forgetOutcome = () => {
    registry.setOutcome(null);
    setRequest(null);
  };
  let options: Omit<XeroConnectionControllerOptions, 'client' | 'source'> = initial;
  const listeners = new Set<() => void>();
  let stopRunning: (() => void) | null = null;
  let stopPopupWatch: (() => void) | null = null;

  const emit = (event: XeroConnectionEvent) => options.onEvent?.(event);
  const retry = () => void source.refetch();
  // What this controller does when told (a return from Xero, another tab's change): read again,
  // quietly, joining a read in flight so many controllers asking at once share one GET.
  const reread = () => source.invalidate(false);

  function fail(error: unknown, endpoint: RouteLabel, event: FailureEvent): XeroConnectionError {
    const typed = toClientError(error, endpoint);
    // One onError per error, also when a second action joined the one that failed.
    if (!registry.reported.has(typed)) {
      registry.reported.add(typed);
      options.onError?.(typed);
    }
    emit({ type: event, error: typed });
    return typed;
  }

  // ---- Snapshot ---------------------------------------------------------------------------------

  // A snapshot is rebuilt only when one of its inputs changed, so `getSnapshot()` keeps returning
  // the same object (useSyncExternalStore requires it). The server's has its own slot.
  type Inputs = [ConnectionRead, PendingActions, ConnectOutcome | null, number, number, ReconnectRequest | null];
  function memoized(): (pending: PendingActions, outcome: ConnectOutcome | null, request: ReconnectRequest | null) => XeroConnectionSnapshot {
    let last: { inputs: Inputs; snapshot: XeroConnectionSnapshot } | null = null;
    return (pending, outcome, request) => {
      const read = source.read();
      // The moment the answer arrived is "now" for the expiry estimate, renewed by every read. On
      // the backend's clock, which wrote the connection's dates: the browser's may be months off.
      const offset = read.updatedAt === 0 ? 0 : backendClockOffset(client);
      const inputs: Inputs = [read, pending, outcome, options.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS, offset, request];
      if (last && inputs.every((input, index) => input === last?.inputs[index])) return last.snapshot;
      const updatedAt = read.updatedAt === 0 ? 0 : read.updatedAt + offset;
      const snapshot: XeroConnectionSnapshot = {
        state: deriveConnectionState({
          connection: read.connection,
          error: read.error,
          isFetching: read.isFetching,
          now: new Date(updatedAt),
          expiringWithinDays: inputs[3],
          retry,
        }),
        connection: read.connection,
        updatedAt,
        isConnecting: pending.connect,
        isDisconnecting: pending.disconnect,
        isReconnecting: pending.reconnect,
        isVerifying: pending.verify,
        isChoosingOrganisation: pending.chooseOrganisation,
        returnOutcome: outcome,
        reconnectRequest: request,
      };
      last = { inputs, snapshot };
      return snapshot;
    };
  }
  const clientSnapshot = memoized();
  const serverSnapshot = memoized();
  const getSnapshot = () => clientSnapshot(registry.pending(), registry.outcome(), requestSlot.request);

  // ---- What this controller reports as it watches -----------------------------------------------

  // `status_viewed` once per distinct status and reason, never for `loading`.
  const seenStatuses = new Set<string>();
  // Set when a round trip came back connected: the next answer read after it reports `connected`,
  // even when this controller never saw another status (a full-page return loads connected).
  let expectConnectedSince: number | null = null;
  let watched: { connection: Connection | null; updatedAt: number; status: Connection['status'] | null } = {
    connection: null,
    updatedAt: 0,
    status: null,
  };
  let reportedReadError: XeroConnectionError | null = null;

  function report(): void {
    const { state } = getSnapshot();
    const read = source.read();
    if (state.status !== 'loading') {
      const reason = stateReason(state);
      const key = `${state.status}:${reason ?? ''}`;
      if (!seenStatuses.has(key)) {
        seenStatuses.add(key);
        emit({ type: 'status_viewed', status: state.status, reason });
      }
    }
    // `onConnected` and `connected` when the status becomes `connected` after this controller saw
    // another one (not on the first answer, nor when a failed read passes over), or on the first
    // answer read after a round trip came back connected; once either way.
    const { connection, updatedAt } = read;
    if (connection && (connection !== watched.connection || updatedAt !== watched.updatedAt)) {
      const before = watched.status;
      watched = { connection, updatedAt, status: connection.status };
      const answersReturn = expectConnectedSince !== null && updatedAt >= expectConnectedSince;
      if (answersReturn) expectConnectedSince = null;
      if (connection.status === 'connected' && ((before !== null && before !== 'connected') || answersReturn)) {
        options.onConnected?.(connection);
        emit({ type: 'connected', tenant: connection.tenant });
      }
    }
    // `onError` once per failed read (each error object).
    if (read.error && read.error !== reportedReadError) {
      reportedReadError = read.error;
      options.onError?.(read.error);
    }
  }

  function changed(): void {
    for (const listener of [...listeners]) listener();
    report();
  }

  // ---- The round trip ---------------------------------------------------------------------------

  /** Reports how a round trip ended (from the URL on return, or from the pop-up), once. */
  function settleOutcome(outcome: ConnectOutcome): void {
    registry.setOutcome(outcome);
    switch (outcome.kind) {
      case 'connected':
        expectConnectedSince = Date.now();
        postToOtherTabs({ source: MESSAGE_SOURCE, type: 'changed', baseUrl });
        break;
      case 'cancelled':
        emit({ type: 'connect_cancelled', reason: outcome.reason });
        break;
      case 'failed':
        fail(callbackError(outcome.code), 'POST /callback', 'connect_failed');
        break;
      case 'popup_blocked':
        break;
    }
    void reread();
  }

  /**
   * Reads the return from Xero (`?xero=connected` / `?xero=error&code=…`) off the page's URL.
   * "Once per page" comes from the URL itself: the controller that takes the return removes the
   * parameters with `history.replaceState` in the same synchronous step, so every later one finds
   * nothing, and so does a reload. A return naming an integration is taken only by a controller
   * of that integration. Inside the pop-up of a pop-up round trip it hands the outcome to the
   * opener and the other tabs instead, shows it (in case closing fails) and closes the pop-up.
   */
  function takeConnectReturn(): void {
    if (typeof window === 'undefined') return;
    const href = window.location.href;
    // A reconnect link (an email's, a webhook's) is taken the same way: once per page, by a
    // controller of the integration it names. It only says so; the person starts the round trip.
    const request = readReconnectRequest(href);
    if (request && (request.integration === null || request.integration === baseUrl)) {
      window.history.replaceState(window.history.state, '', withoutConnectReturn(href));
      setRequest(request);
      // The status may have been cached (or rendered on the server) before the email was sent.
      void reread();
      return;
    }
    const found = readConnectReturn(href);
    if (!found || (found.integration !== null && found.integration !== baseUrl)) return;
    // Every other parameter, their order and the hash stay; routers' history.state too.
    window.history.replaceState(window.history.state, '', withoutConnectReturn(href));
    if (!found.popup) {
      settleOutcome(found.outcome);
      return;
    }
    handOutcomeToOpener(baseUrl, found.outcome);
    postToOtherTabs({ source: MESSAGE_SOURCE, type: 'connect-result', baseUrl, outcome: found.outcome });
    registry.setOutcome(found.outcome);
    void reread();
    try {
      window.close();
    } catch {
      // Not closable: the page shows the outcome instead.
    }
  }

  /** Opens the pop-up, synchronously, when this round trip goes through one; `undefined` for a redirect. */
  function openPopupIfWanted(): Window | null | undefined {
    if (options.mode !== 'popup' || typeof window === 'undefined') return undefined;
    return openBlankPopup();
  }

  /** `true` when a blocked pop-up ends the action here (`popupFallback: 'none'`), after reporting it. */
  function stoppedByBlockedPopup(popup: Window | null | undefined): boolean {
    if (popup !== null) return false;
    const fallback = options.popupFallback ?? 'redirect';
    emit({ type: 'popup_blocked', fallback });
    if (fallback !== 'none') return false;
    registry.setOutcome({ kind: 'popup_blocked' });
    return true;
  }

  function watch(popup: Window, answer: ConnectResponse, hold: HoldPending): void {
    let release = () => {};
    hold(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    stopPopupWatch?.();
    const stop = watchPopup({
      popup,
      baseUrl,
      client,
      before: source.read().connection,
      expiresAt: answer.expiresAt,
      onOutcome: (outcome) => {
        stopPopupWatch = null;
        settleOutcome(outcome);
        release();
      },
    });
    stopPopupWatch = () => {
      stop();
      release();
    };
  }

  async function startRoundTrip(
    request: Omit<ConnectRequest, 'returnTo'>,
    connectOptions: ConnectOptions | undefined,
    hold: HoldPending,
    popup: Window | null | undefined,
  ): Promise<ConnectResponse> {
    emit({ type: 'connect_started', mode: request.mode });
    const viaPopup = popup !== undefined && popup !== null;
    const returnTo = returnToFor(returnPage(connectOptions?.returnTo), { baseUrl, popup: viaPopup });
    const answer = await client.connect({ ...request, returnTo });
    rememberConnectSession(answer.state, { baseUrl, returnTo, expiresAt: answer.expiresAt });
    if (viaPopup) {
      try {
        popup.location.href = answer.authorizeUrl;
      } catch {
        // Closed in the meantime: the watch reports it as cancelled.
      }
      watch(popup, answer, hold);
    } else {
      (options.navigate ?? ((url: string) => window.location.assign(url)))(answer.authorizeUrl);
      hold(untilPageLeft(answer.expiresAt));
    }
    return answer;
  }

  // The DELETE itself, shared by disconnect() and reconnect(): one request, one `disconnected`
  // event and one onDisconnected however many callers join it. Rejects with the typed error.
  async function performDisconnect(): Promise<DisconnectResponse> {
    let result: DisconnectResponse;
    try {
      result = await client.disconnect();
    } catch (error) {
      throw toClientError(error, 'DELETE /connection');
    }
    // The answer is the truth now: cache it first, so a failing read cannot hide it, and keep it
    // stale for the next natural read (focus, mount) rather than reading it back at once.
    source.write(disconnectedConnection(source.read().connection ?? undefined), true);
    postToOtherTabs({ source: MESSAGE_SOURCE, type: 'changed', baseUrl });
    emit({ type: 'disconnected', remoteRemoved: result.remoteRemoved });
    options.onDisconnected?.(result);
    return result;
  }

  // ---- The controller ---------------------------------------------------------------------------

  function start(): () => void {
    const stopSource = source.subscribe(changed);
    const stopRegistry = registry.subscribe(changed);
    requestSlot.listeners.add(changed);
    report();
    takeConnectReturn();
    // Another tab connected or disconnected this integration: read it again now.
    const stopTabs = listenToOtherTabs((message) => {
      if (message.baseUrl === baseUrl) void reread();
    });
    return () => {
      stopSource();
      stopRegistry();
      requestSlot.listeners.delete(changed);
      stopTabs();
      // A pop-up watched by this controller stops being watched when it stops (and its action ends).
      stopPopupWatch?.();
      stopPopupWatch = null;
    };
  }

  return {
    getSnapshot,
    getServerSnapshot: () => serverSnapshot(SERVER_PENDING, null, null),
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) stopRunning = start();
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        stopRunning?.();
        stopRunning = null;
      };
    },
    setOptions(next) {
      const before = options.expiringWithinDays;
      options = { ...options, ...next };
      if (options.expiringWithinDays !== before) changed();
    },
    connect: (connectOptions) =>
      registry.run('connect', async (hold) => {
        forgetOutcome();
        // Before any await: a pop-up opened after one is blocked.
        const popup = openPopupIfWanted();
        if (stoppedByBlockedPopup(popup)) return null;
        try {
          return await startRoundTrip({ mode: 'connect' }, connectOptions, hold, popup);
        } catch (error) {
          closeQuietly(popup);
          throw fail(error, 'POST /connect', 'connect_failed');
        }
      }).promise,
    disconnect: () =>
      registry.run('disconnect', async () => {
        forgetOutcome();
        emit({ type: 'disconnect_confirmed' });
        try {
          return await performDisconnect();
        } catch (error) {
          throw fail(error, 'DELETE /connection', 'disconnect_failed');
        }
      }).promise,
    reconnect: (connectOptions) =>
      registry.run('reconnect', async (hold) => {
        forgetOutcome();
        const popup = openPopupIfWanted();
        // Stop before the DELETE: disconnecting and then going nowhere would leave less than before.
        if (stoppedByBlockedPopup(popup)) return null;
        emit({ type: 'reconnect_started' });
        const expectedTenantId = source.read().connection?.tenant?.tenantId;
        try {
          // Joins a disconnect already in flight rather than sending a second DELETE.
          await registry.run('disconnect', performDisconnect).promise;
        } catch (error) {
          closeQuietly(popup);
          throw fail(error, 'DELETE /connection', 'reconnect_failed');
        }
        try {
          return await startRoundTrip(
            expectedTenantId === undefined ? { mode: 'reauth' } : { mode: 'reauth', expectedTenantId },
            connectOptions,
            hold,
            popup,
          );
        } catch (error) {
          closeQuietly(popup);
          throw fail(error, 'POST /connect', 'reconnect_failed');
        }
      }).promise,
    verify: () =>
      registry.run('verify', async () => {
        forgetOutcome();
        emit({ type: 'verify_started' });
        let verified: Connection;
        try {
          verified = await client.verify();
        } catch (error) {
          throw fail(error, 'POST /connection/verify', 'verify_failed');
        }
        source.write(verified);
        const status = deriveConnectionState({
          connection: verified,
          error: null,
          isFetching: false,
          now: new Date(Date.now() + backendClockOffset(client)),
          expiringWithinDays: options.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS,
          retry,
        }).status;
        emit({ type: 'verified', status });
        return verified;
      }).promise,
    chooseOrganisation: (tenantId) =>
      registry.run('chooseOrganisation', async () => {
        forgetOutcome();
        let chosen: Connection;
        try {
          chosen = await client.chooseOrganisation({ tenantId });
        } catch (error) {
          throw fail(error, 'POST /connection/organisation', 'choose_organisation_failed');
        }
        source.write(chosen);
        postToOtherTabs({ source: MESSAGE_SOURCE, type: 'changed', baseUrl });
        if (chosen.status === 'connected') emit({ type: 'organisation_chosen', tenant: chosen.tenant });
        return chosen;
      }).promise,
    // What a host calls after meeting a problem: read now, restarting a read in flight, tell the tabs.
    refresh: () => refreshIntegration(registry, baseUrl, () => source.invalidate(true)),
    track: emit,
    dismissReturnOutcome: forgetOutcome,
  };
}
