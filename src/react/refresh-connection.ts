import type { QueryClient } from '@tanstack/react-query';

import { isXeroReconnectProblem, isXeroRetryLaterProblem, readXeroProblem } from '../client';
import { actionRegistryFor, refreshIntegration } from '../client/action-registry';
import { xeroConnectionKeys } from './query-keys';

/**
 * Reads the integration's connection again now, for every hook and card on it, and tells the
 * origin's other tabs to do the same (see `refreshIntegration`): what `notifyXeroProblem` does
 * without a hook, on the same registry, so a hook's `refresh()` and it join each other.
 */
export function refreshConnection(queryClient: QueryClient, baseUrl: string): Promise<void> {
  return refreshIntegration(actionRegistryFor(queryClient, baseUrl), baseUrl, () =>
    queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.connection(baseUrl) }, { cancelRefetch: true }),
  );
}

/**
 * Tells the package that the host met a problem with the integration at `baseUrl` (typically its
 * own export route's answer): when it is a reconnect problem ({@link isXeroReconnectProblem}) or a
 * try-later one ({@link isXeroRetryLaterProblem}), every card and hook for that integration, in
 * this tab and the origin's others, reads the connection again now, without waiting for a poll
 * or the window's focus, and shows the recovery (or the outage) the backend now reports.
 *
 * For code outside components (a data layer, a mutation's `onError`); inside one,
 * `useXeroConnection().refresh()` does the same. `problem` may be a problem body, a client error,
 * any error with such a `code`, or the `Response` itself (read from a clone, so the caller can
 * still read it). Anything else does nothing.
 *
 * @param queryClient - The QueryClient the provider caches the connection in.
 * @param baseUrl - The integration's base URL, exactly as given to the provider or client.
 * @param problem - What the host's route answered or threw.
 * @returns `true` once the connection was read again, `false` when the problem was not one of these.
 *
 * @example
 * ```ts
 * const response = await fetch('/api/exports/invoices', { method: 'POST', body });
 * if (!response.ok) await notifyXeroProblem(queryClient, '/api/integrations/xero-billing', response);
 * ```
 */
export async function notifyXeroProblem(queryClient: QueryClient, baseUrl: string, problem: unknown): Promise<boolean> {
  const value = typeof Response !== 'undefined' && problem instanceof Response ? await readXeroProblem(problem) : problem;
  if (!isXeroReconnectProblem(value) && !isXeroRetryLaterProblem(value)) return false;
  await refreshConnection(queryClient, baseUrl);
  return true;
}
