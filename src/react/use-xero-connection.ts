import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';

import {
  ERROR_CODE_INFO,
  XeroConnectionApiError,
  XeroConnectionUsageError,
  returnToFor,
  type Connection,
  type ConnectOutcome,
  type ConnectRequest,
  type ConnectResponse,
  type DisconnectResponse,
  type ErrorCode,
  type RouteLabel,
  type Tenant,
  type XeroConnectionError,
} from '../client';
import { backendClockOffset } from '../client/backend-clock';
import { rememberConnectSession } from '../client/connect-sessions';
import { SERVER_PENDING, actionRegistryFor, type HoldPending } from './action-registry';
import { MESSAGE_SOURCE } from './connect-messages';
import { DEFAULT_EXPIRING_WITHIN_DAYS, deriveConnectionState, stateReason } from './derive-state';
import { disconnectedConnection } from './disconnected-connection';
import { listenToOtherTabs, postToOtherTabs } from './page-channel';
import { openBlankPopup, watchPopup } from './popup-round-trip';
import { connectionQueryOptions } from './query-options';
import { refreshConnection } from './refresh-connection';
import { toClientError } from './to-client-error';
import type {
  ConnectOptions,
  UseXeroConnectionOptions,
  UseXeroConnectionResult,
  XeroConnectionEvent,
  XeroConnectionState,
} from './types';
import { untilPageLeft } from './until-page-left';
import { useConnectReturn } from './use-connect-return';
import { useLatest } from './use-latest';
import { useXeroConnectionContext } from './xero-connection-provider';

const HOOK_NAME = 'useXeroConnection';

type FailureEvent = 'connect_failed' | 'disconnect_failed' | 'reconnect_failed' | 'verify_failed' | 'choose_organisation_failed';

function tenantOf(connection: Connection | undefined): Tenant | null {
  return connection?.tenant ?? null;
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
 * The connection of the integration from the nearest {@link XeroConnectionProvider}, as a
 * discriminated `state`, with the actions that change it. Headless: complete without this
 * package's components.
 *
 * Every action returns a promise that rejects with the client's typed error when it fails, after
 * calling `onError` and emitting the matching `*_failed` event. A UI that only needs the callbacks
 * may ignore the promise, but should then catch it (`void disconnect().catch(() => {})`) to avoid
 * unhandled-rejection reports.
 *
 * **The round trip through Xero.** `connect()` and `reconnect()` send the browser to Xero with a
 * `returnTo` of the current page (this package's parameters removed, its integration marker
 * added). When the browser comes back (`?xero=connected` or `?xero=error&code=…`), the first hook
 * of that integration to mount reads the parameters once per page (StrictMode and many cards
 * included), removes them with `history.replaceState` (every other parameter and the hash kept,
 * no reload), puts the outcome in `returnOutcome` for every hook of the integration, refreshes the
 * status, tells other tabs, and reports it: `connected` + `onConnected` once the new connection
 * is read, `connect_cancelled` when the user chose Cancel in Xero, `connect_failed` + `onError`
 * otherwise. With `mode: 'popup'` the same outcome comes from the pop-up instead.
 *
 * **Freshness.** The status is read again when the window regains focus, at once when another
 * tab of the origin connects, disconnects or met a problem with the same integration
 * (BroadcastChannel), and on `refresh()`: call it when the host's own route answered a problem
 * (see `isXeroReconnectProblem`), and every card and hook on the integration shows the recovery.
 *
 * Safe under StrictMode (one request, one event per change) and in server rendering (the state is
 * `loading`; nothing touches `window`).
 *
 * @example
 * ```tsx
 * const { state, reconnect, isReconnecting } = useXeroConnection({ onEvent: track });
 * if (state.status === 'needs_reauth' && state.reason === 'refresh_token_expired') {
 *   return <button disabled={isReconnecting} onClick={() => void reconnect().catch(() => {})}>Reconnect</button>;
 * }
 * ```
 * @throws {XeroConnectionUsageError} outside a {@link XeroConnectionProvider}.
 */
export function useXeroConnection(options: UseXeroConnectionOptions = {}): UseXeroConnectionResult {
  const context = useXeroConnectionContext(HOOK_NAME);
  const { client, queryClient, navigate } = context;
  const expiringWithinDays = options.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS;
  const optionsRef = useLatest(options);
  const contextRef = useLatest(context);
  const baseUrl = client.baseUrl;

  // Memoized so the key, and with it every action below, keeps its identity between renders.
  const queryOptions = useMemo(() => connectionQueryOptions(client), [client]);
  const queryKey = queryOptions.queryKey;
  const query = useQuery(queryOptions, queryClient);
  const { refetch } = query;

  const retry = useCallback(() => {
    void refetch();
  }, [refetch]);
  const connection = query.data ?? null;
  const readError = query.error;
  const isRetryingAfterError = query.isError && query.isFetching;
  // The moment the answer arrived is "now" for the expiry estimate: pure during render, and
  // renewed by every refetch (window focus, verify, invalidation). On the backend's clock, which
  // wrote the connection's dates: the browser's may be months off (a skewed laptop, an emulator).
  const dataUpdatedAt = query.dataUpdatedAt;
  const readAt = dataUpdatedAt === 0 ? 0 : dataUpdatedAt + backendClockOffset(client);

  const state = useMemo<XeroConnectionState>(
    () =>
      deriveConnectionState({
        connection,
        error: readError,
        isFetching: isRetryingAfterError,
        now: new Date(readAt),
        expiringWithinDays,
        retry,
      }),
    [connection, readError, isRetryingAfterError, readAt, expiringWithinDays, retry],
  );

  const registry = useMemo(() => actionRegistryFor(queryClient, baseUrl), [queryClient, baseUrl]);
  const pending = useSyncExternalStore(registry.subscribe, registry.pending, () => SERVER_PENDING);
  const returnOutcome = useSyncExternalStore(registry.subscribe, registry.outcome, () => null);

  const emit = useCallback(
    (event: XeroConnectionEvent) => {
      optionsRef.current.onEvent?.(event);
    },
    [optionsRef],
  );

  const fail = useCallback(
    (error: unknown, endpoint: RouteLabel, event: FailureEvent) => {
      const typed = toClientError(error, endpoint);
      // One onError per error, also when a second action joined the one that failed.
      if (!registry.reported.has(typed)) {
        registry.reported.add(typed);
        optionsRef.current.onError?.(typed);
      }
      emit({ type: event, error: typed });
      return typed;
    },
    [emit, optionsRef, registry],
  );

  // Set when a round trip came back connected: the next answer read after it reports `connected`,
  // even when this hook never saw another status (a full-page return loads connected).
  const expectConnectedSinceRef = useRef<number | null>(null);

  useStatusEvents(state, emit);
  useConnectedCallback(connection, dataUpdatedAt, expectConnectedSinceRef, optionsRef, emit);
  useReadErrorCallback(readError, optionsRef);

  // What this tab does when told (a return from Xero, another tab's change): read again, quietly.
  const reread = useCallback(
    // cancelRefetch: false, so many hooks asking at once share one GET instead of restarting it.
    () => queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false }),
    [queryClient, queryKey],
  );

  /** Reports how a round trip ended (from the URL on return, or from the pop-up), once. */
  const settleOutcome = useCallback(
    (outcome: ConnectOutcome) => {
      registry.setOutcome(outcome);
      switch (outcome.kind) {
        case 'connected':
          expectConnectedSinceRef.current = Date.now();
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
    },
    [registry, emit, fail, reread, baseUrl],
  );

  useConnectReturn(baseUrl, registry, settleOutcome, reread);

  // Another tab connected or disconnected this integration: read it again now.
  useEffect(
    () =>
      listenToOtherTabs((message) => {
        if (message.baseUrl === baseUrl) void reread();
      }),
    [baseUrl, reread],
  );

  // A pop-up watched by this hook stops being watched when the hook goes (and its action ends).
  const stopPopupWatch = useRef<(() => void) | null>(null);
  useEffect(
    () => () => {
      stopPopupWatch.current?.();
      stopPopupWatch.current = null;
    },
    [],
  );

  /** Opens the pop-up, synchronously, when this round trip goes through one; `undefined` for a redirect. */
  const openPopupIfWanted = useCallback((): Window | null | undefined => {
    const mode = optionsRef.current.mode ?? contextRef.current.mode;
    if (mode !== 'popup' || typeof window === 'undefined') return undefined;
    return openBlankPopup();
  }, [optionsRef, contextRef]);

  /** `true` when a blocked pop-up ends the action here (`popupFallback: 'none'`), after reporting it. */
  const stoppedByBlockedPopup = useCallback(
    (popup: Window | null | undefined): boolean => {
      if (popup !== null) return false;
      const fallback = optionsRef.current.popupFallback ?? contextRef.current.popupFallback;
      emit({ type: 'popup_blocked', fallback });
      if (fallback !== 'none') return false;
      registry.setOutcome({ kind: 'popup_blocked' });
      return true;
    },
    [optionsRef, contextRef, emit, registry],
  );

  const watch = useCallback(
    (popup: Window, answer: ConnectResponse, hold: HoldPending) => {
      let release = () => {};
      const ended = new Promise<void>((resolve) => {
        release = resolve;
      });
      stopPopupWatch.current?.();
      const stop = watchPopup({
        popup,
        baseUrl,
        client,
        before: queryClient.getQueryData(queryKey) ?? null,
        expiresAt: answer.expiresAt,
        onOutcome: (outcome) => {
          stopPopupWatch.current = null;
          settleOutcome(outcome);
          release();
        },
      });
      stopPopupWatch.current = () => {
        stop();
        release();
      };
      hold(ended);
    },
    [baseUrl, client, queryClient, queryKey, settleOutcome],
  );

  const startRoundTrip = useCallback(
    async (
      request: Omit<ConnectRequest, 'returnTo'>,
      connectOptions: ConnectOptions | undefined,
      hold: HoldPending,
      popup: Window | null | undefined,
    ): Promise<ConnectResponse> => {
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
        navigate(answer.authorizeUrl);
        hold(untilPageLeft(answer.expiresAt));
      }
      return answer;
    },
    [client, emit, navigate, baseUrl, watch],
  );

  const connect = useCallback(
    (connectOptions?: ConnectOptions) =>
      registry.run('connect', async (hold) => {
        registry.setOutcome(null);
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
    [registry, openPopupIfWanted, stoppedByBlockedPopup, startRoundTrip, fail],
  );

  // The DELETE itself, shared by disconnect() and reconnect(): one request, one `disconnected`
  // event and one onDisconnected however many callers join it. Rejects with the typed error.
  const performDisconnect = useCallback(async (): Promise<DisconnectResponse> => {
    let result: DisconnectResponse;
    try {
      result = await client.disconnect();
    } catch (error) {
      throw toClientError(error, 'DELETE /connection');
    }
    // The answer is the truth now: cache it first, so a failing refetch cannot hide it, and mark
    // it stale for the next natural read (focus, mount) rather than reading it back at once.
    queryClient.setQueryData(queryKey, disconnectedConnection(queryClient.getQueryData(queryKey)));
    void queryClient.invalidateQueries({ queryKey, refetchType: 'none' });
    postToOtherTabs({ source: MESSAGE_SOURCE, type: 'changed', baseUrl });
    emit({ type: 'disconnected', remoteRemoved: result.remoteRemoved });
    optionsRef.current.onDisconnected?.(result);
    return result;
  }, [client, queryClient, queryKey, baseUrl, emit, optionsRef]);

  const disconnect = useCallback(
    () =>
      registry.run('disconnect', async () => {
        registry.setOutcome(null);
        emit({ type: 'disconnect_confirmed' });
        try {
          return await performDisconnect();
        } catch (error) {
          throw fail(error, 'DELETE /connection', 'disconnect_failed');
        }
      }).promise,
    [registry, emit, performDisconnect, fail],
  );

  const reconnect = useCallback(
    (connectOptions?: ConnectOptions) =>
      registry.run('reconnect', async (hold) => {
        registry.setOutcome(null);
        const popup = openPopupIfWanted();
        // Stop before the DELETE: disconnecting and then going nowhere would leave less than before.
        if (stoppedByBlockedPopup(popup)) return null;
        emit({ type: 'reconnect_started' });
        const expectedTenantId = tenantOf(queryClient.getQueryData(queryKey))?.tenantId;
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
    [registry, openPopupIfWanted, stoppedByBlockedPopup, emit, queryClient, queryKey, performDisconnect, startRoundTrip, fail],
  );

  const verify = useCallback(
    () =>
      registry.run('verify', async () => {
        registry.setOutcome(null);
        emit({ type: 'verify_started' });
        let verified: Connection;
        try {
          verified = await client.verify();
        } catch (error) {
          throw fail(error, 'POST /connection/verify', 'verify_failed');
        }
        queryClient.setQueryData(queryKey, verified);
        const status = deriveConnectionState({
          connection: verified,
          error: null,
          isFetching: false,
          now: new Date(Date.now() + backendClockOffset(client)),
          expiringWithinDays: optionsRef.current.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS,
          retry,
        }).status;
        emit({ type: 'verified', status });
        return verified;
      }).promise,
    [registry, client, emit, fail, queryClient, queryKey, optionsRef, retry],
  );

  const chooseOrganisation = useCallback(
    (tenantId: string) =>
      registry.run('chooseOrganisation', async () => {
        registry.setOutcome(null);
        let chosen: Connection;
        try {
          chosen = await client.chooseOrganisation({ tenantId });
        } catch (error) {
          throw fail(error, 'POST /connection/organisation', 'choose_organisation_failed');
        }
        queryClient.setQueryData(queryKey, chosen);
        postToOtherTabs({ source: MESSAGE_SOURCE, type: 'changed', baseUrl });
        if (chosen.status === 'connected') emit({ type: 'organisation_chosen', tenant: chosen.tenant });
        return chosen;
      }).promise,
    [registry, client, fail, queryClient, queryKey, baseUrl, emit],
  );

  // What a host (or the reconnect notice) calls after meeting a problem: read now, tell the tabs.
  const refresh = useCallback(() => refreshConnection(queryClient, baseUrl), [queryClient, baseUrl]);

  const track = useCallback<UseXeroConnectionResult['track']>((event) => emit(event), [emit]);
  const dismissReturnOutcome = useCallback(() => registry.setOutcome(null), [registry]);

  return {
    state,
    connection,
    updatedAt: readAt,
    connect,
    disconnect,
    reconnect,
    verify,
    chooseOrganisation,
    refresh,
    track,
    isConnecting: pending.connect,
    isDisconnecting: pending.disconnect,
    isReconnecting: pending.reconnect,
    isVerifying: pending.verify,
    isChoosingOrganisation: pending.chooseOrganisation,
    returnOutcome,
    dismissReturnOutcome,
    canManage: options.canManage ?? true,
  };
}

// `status_viewed` once per distinct status and reason this hook shows, never for `loading`. The
// set lives in a ref, which StrictMode's second effect run keeps, so it does not fire twice.
function useStatusEvents(state: XeroConnectionState, emit: (event: XeroConnectionEvent) => void): void {
  const seen = useRef(new Set<string>());
  const status = state.status;
  const reason = stateReason(state);
  useEffect(() => {
    if (status === 'loading') return;
    const key = `${status}:${reason ?? ''}`;
    if (seen.current.has(key)) return;
    seen.current.add(key);
    emit({ type: 'status_viewed', status, reason });
  }, [status, reason, emit]);
}

// `onConnected` and the `connected` event when the backend's status becomes `connected` after this
// hook saw another one (not on the first answer, and not when a failed read passes over), or on
// the first answer read after a round trip came back connected (`expectSinceRef`); once either way.
function useConnectedCallback(
  connection: Connection | null,
  updatedAt: number,
  expectSinceRef: { current: number | null },
  optionsRef: { readonly current: UseXeroConnectionOptions },
  emit: (event: XeroConnectionEvent) => void,
): void {
  const previousStatus = useRef<Connection['status'] | null>(null);
  useEffect(() => {
    if (!connection) return;
    const before = previousStatus.current;
    previousStatus.current = connection.status;
    const since = expectSinceRef.current;
    const answersReturn = since !== null && updatedAt >= since;
    if (answersReturn) expectSinceRef.current = null;
    if (connection.status !== 'connected') return;
    const becameConnected = before !== null && before !== 'connected';
    if (!becameConnected && !answersReturn) return;
    optionsRef.current.onConnected?.(connection);
    emit({ type: 'connected', tenant: connection.tenant });
  }, [connection, updatedAt, expectSinceRef, optionsRef, emit]);
}

// `onError` once per failed read (each error object), however many renders show it.
function useReadErrorCallback(
  error: XeroConnectionError | null,
  optionsRef: { readonly current: UseXeroConnectionOptions },
): void {
  const reported = useRef<XeroConnectionError | null>(null);
  useEffect(() => {
    if (!error || reported.current === error) return;
    reported.current = error;
    optionsRef.current.onError?.(error);
  }, [error, optionsRef]);
}
