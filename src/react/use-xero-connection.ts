import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';

import {
  XeroConnectionUsageError,
  type Connection,
  type ConnectRequest,
  type ConnectResponse,
  type DisconnectResponse,
  type RouteLabel,
  type Tenant,
  type XeroConnectionError,
} from '../client';
import { SERVER_PENDING, actionRegistryFor } from './action-registry';
import { DEFAULT_EXPIRING_WITHIN_DAYS, deriveConnectionState, stateReason } from './derive-state';
import { connectionQueryOptions } from './query-options';
import { toClientError } from './to-client-error';
import type {
  ConnectOptions,
  UseXeroConnectionOptions,
  UseXeroConnectionResult,
  XeroConnectionEvent,
  XeroConnectionState,
} from './types';
import { useLatest } from './use-latest';
import { useXeroConnectionContext } from './xero-connection-provider';

const HOOK_NAME = 'useXeroConnection';

function tenantOf(connection: Connection | undefined): Tenant | null {
  return connection?.tenant ?? null;
}

function currentPage(endpoint: RouteLabel): string {
  if (typeof location === 'undefined') {
    throw new XeroConnectionUsageError(
      `${endpoint}: there is no page location to return to; pass connect({ returnTo }) outside a browser`,
      endpoint,
    );
  }
  return location.href;
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
  const { client, queryClient, navigate } = useXeroConnectionContext(HOOK_NAME);
  const expiringWithinDays = options.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS;
  const optionsRef = useLatest(options);

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
  // renewed by every refetch (window focus, verify, invalidation).
  const dataUpdatedAt = query.dataUpdatedAt;

  const state = useMemo<XeroConnectionState>(
    () =>
      deriveConnectionState({
        connection,
        error: readError,
        isFetching: isRetryingAfterError,
        now: new Date(dataUpdatedAt),
        expiringWithinDays,
        retry,
      }),
    [connection, readError, isRetryingAfterError, dataUpdatedAt, expiringWithinDays, retry],
  );

  const registry = useMemo(() => actionRegistryFor(queryClient, client.baseUrl), [queryClient, client.baseUrl]);
  const pending = useSyncExternalStore(registry.subscribe, registry.pending, () => SERVER_PENDING);

  const emit = useCallback(
    (event: XeroConnectionEvent) => {
      optionsRef.current.onEvent?.(event);
    },
    [optionsRef],
  );

  const fail = useCallback(
    (error: unknown, endpoint: RouteLabel, event: 'connect_failed' | 'disconnect_failed' | 'reconnect_failed' | 'verify_failed') => {
      const typed = toClientError(error, endpoint);
      optionsRef.current.onError?.(typed);
      emit({ type: event, error: typed });
      return typed;
    },
    [emit, optionsRef],
  );

  useStatusEvents(state, emit);
  useConnectedCallback(connection, optionsRef, emit);
  useReadErrorCallback(readError, optionsRef);

  const invalidate = useCallback(() => queryClient.invalidateQueries({ queryKey }), [queryClient, queryKey]);

  const startConnect = useCallback(
    async (request: Omit<ConnectRequest, 'returnTo'>, connectOptions: ConnectOptions | undefined): Promise<ConnectResponse> => {
      emit({ type: 'connect_started', mode: request.mode });
      const returnTo = connectOptions?.returnTo ?? currentPage('POST /connect');
      const answer = await client.connect({ ...request, returnTo });
      navigate(answer.authorizeUrl);
      return answer;
    },
    [client, emit, navigate],
  );

  const connect = useCallback(
    (connectOptions?: ConnectOptions) =>
      registry.run('connect', async () => {
        try {
          return await startConnect({ mode: 'connect' }, connectOptions);
        } catch (error) {
          throw fail(error, 'POST /connect', 'connect_failed');
        }
      }).promise,
    [registry, startConnect, fail],
  );

  const disconnect = useCallback(
    () =>
      registry.run('disconnect', async () => {
        emit({ type: 'disconnect_confirmed' });
        let result: DisconnectResponse;
        try {
          result = await client.disconnect();
        } catch (error) {
          throw fail(error, 'DELETE /connection', 'disconnect_failed');
        }
        await invalidate();
        emit({ type: 'disconnected', remoteRemoved: result.remoteRemoved });
        optionsRef.current.onDisconnected?.(result);
        return result;
      }).promise,
    [registry, client, emit, fail, invalidate, optionsRef],
  );

  const reconnect = useCallback(
    (connectOptions?: ConnectOptions) =>
      registry.run('reconnect', async () => {
        emit({ type: 'reconnect_started' });
        const expectedTenantId = tenantOf(queryClient.getQueryData(queryKey))?.tenantId;
        try {
          // Joins a disconnect already in flight rather than sending a second DELETE.
          const { remoteRemoved } = await registry.run('disconnect', () => client.disconnect()).promise;
          emit({ type: 'disconnected', remoteRemoved });
          return await startConnect(
            expectedTenantId === undefined ? { mode: 'reauth' } : { mode: 'reauth', expectedTenantId },
            connectOptions,
          );
        } catch (error) {
          throw fail(error, 'POST /connect', 'reconnect_failed');
        } finally {
          await invalidate();
        }
      }).promise,
    [registry, queryClient, queryKey, client, emit, startConnect, fail, invalidate],
  );

  const verify = useCallback(
    () =>
      registry.run('verify', async () => {
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
          now: new Date(),
          expiringWithinDays: optionsRef.current.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS,
          retry,
        }).status;
        emit({ type: 'verified', status });
        return verified;
      }).promise,
    [registry, client, emit, fail, queryClient, queryKey, optionsRef, retry],
  );

  const track = useCallback<UseXeroConnectionResult['track']>((event) => emit(event), [emit]);

  return {
    state,
    connection,
    connect,
    disconnect,
    reconnect,
    verify,
    track,
    isConnecting: pending.connect,
    isDisconnecting: pending.disconnect,
    isReconnecting: pending.reconnect,
    isVerifying: pending.verify,
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
// hook saw another one; not on the first answer, and not when a failed read passes over.
function useConnectedCallback(
  connection: Connection | null,
  optionsRef: { readonly current: UseXeroConnectionOptions },
  emit: (event: XeroConnectionEvent) => void,
): void {
  const previousStatus = useRef<Connection['status'] | null>(null);
  useEffect(() => {
    if (!connection) return;
    const before = previousStatus.current;
    previousStatus.current = connection.status;
    if (connection.status !== 'connected' || before === null || before === 'connected') return;
    optionsRef.current.onConnected?.(connection);
    emit({ type: 'connected', tenant: connection.tenant });
  }, [connection, optionsRef, emit]);
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
