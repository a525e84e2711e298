import { QueryObserver, notifyManager, type QueryClient, type QueryObserverResult } from '@tanstack/react-query';

import type { Connection, XeroConnectionClient, XeroConnectionError } from '../client';
import type { ConnectionRead, ConnectionSource } from '../client/connection-source';
import type { XeroConnectionQueryKey } from './query-keys';
import { connectionQueryOptions } from './query-options';

// Why the controller under the hook is fed by TanStack Query rather than its own small cache:
// hosts prefetch, read and invalidate the connection with react-query (`xeroConnectionKeys`,
// `connectionQueryOptions`, `notifyXeroProblem`), dehydrate it into server renders, and share one
// request between every card on the QueryClient. A QueryObserver per hook, as useQuery makes,
// keeps all of that; the controller only sees this port.

/**
 * A {@link ConnectionSource} over TanStack Query: the controller reads and writes the
 * connection's query in `queryClient`, observed as useQuery observes it (a read on mount when
 * stale, on window focus, optimistic `fetching` before the first subscription).
 */
export function queryConnectionSource(queryClient: QueryClient, client: XeroConnectionClient): ConnectionSource {
  const options = connectionQueryOptions(client);
  const { queryKey } = options;
  const observer = new QueryObserver<Connection, XeroConnectionError, Connection, Connection, XeroConnectionQueryKey>(queryClient, {
    ...options,
    // As useQuery does: a query about to be read on mount shows as fetching from the first render.
    _optimisticResults: 'optimistic',
  });
  let result: QueryObserverResult<Connection, XeroConnectionError> | null = null;
  let read: ConnectionRead = { connection: null, error: null, isFetching: false, updatedAt: 0 };
  return {
    scope: queryClient,
    read() {
      const current = observer.getCurrentResult();
      if (current !== result) {
        result = current;
        read = {
          connection: current.data ?? null,
          error: current.error,
          isFetching: current.isFetching,
          updatedAt: current.dataUpdatedAt,
        };
      }
      return read;
    },
    subscribe(listener) {
      // Batched like useQuery's, so a burst of cache updates notifies once.
      const unsubscribe = observer.subscribe(notifyManager.batchCalls(listener));
      // Catches a change between making the observer and subscribing to it.
      observer.updateResult();
      return unsubscribe;
    },
    refetch: async () => {
      await observer.refetch();
    },
    // cancelRefetch: false lets many hooks asking at once share one GET instead of restarting it.
    invalidate: (cancel) => queryClient.invalidateQueries({ queryKey }, { cancelRefetch: cancel }),
    write(connection, stale = false) {
      queryClient.setQueryData(queryKey, connection);
      if (stale) void queryClient.invalidateQueries({ queryKey, refetchType: 'none' });
    },
  };
}

