import { useMemo, useSyncExternalStore } from 'react';

import { controllerOver } from '../client/connection-controller';
import { queryConnectionSource } from './query-connection-source';
import type { UseXeroConnectionOptions, UseXeroConnectionResult } from './types';
import { useIsomorphicLayoutEffect } from './use-latest';
import { useXeroConnectionContext } from './xero-connection-provider';

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
 * The rules live in `createXeroConnectionController` (`./client`), which pages without React use
 * directly; this hook subscribes to one controller per component with `useSyncExternalStore`.
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
  const { client, queryClient, navigate, mode, popupFallback } = useXeroConnectionContext('useXeroConnection');
  // One controller per component and integration, like useQuery's QueryObserver; its actions keep
  // their identity between renders. The cache is the provider's QueryClient: see query-connection-source.ts.
  const controller = useMemo(
    () =>
      controllerOver(queryConnectionSource(queryClient, client), {
        client,
        navigate,
        expiringWithinDays: options.expiringWithinDays,
      }),
    // The first render's `expiringWithinDays` is given here; later ones through setOptions below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, queryClient, navigate],
  );
  // Before any effect or handler runs, so callbacks are always the latest passed (a new function
  // each render is fine) and the hook's own mode wins over the provider's.
  useIsomorphicLayoutEffect(() => {
    controller.setOptions({ ...options, mode: options.mode ?? mode, popupFallback: options.popupFallback ?? popupFallback });
  });
  const snapshot = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getServerSnapshot);

  return {
    ...snapshot,
    connect: controller.connect,
    disconnect: controller.disconnect,
    reconnect: controller.reconnect,
    verify: controller.verify,
    chooseOrganisation: controller.chooseOrganisation,
    refresh: controller.refresh,
    track: controller.track,
    dismissReturnOutcome: controller.dismissReturnOutcome,
    canManage: options.canManage ?? true,
  };
}
