import { queryOptions } from '@tanstack/react-query';

import type { Connection, XeroConnectionClient, XeroConnectionError } from '../client';
import { toClientError } from '../client/to-client-error';
import { xeroConnectionKeys, type XeroConnectionQueryKey } from './query-keys';

/** How long a read connection counts as fresh: cards mounting within this time reuse it. */
export const CONNECTION_STALE_TIME_MS = 30_000;

/**
 * The react-query options for reading a connection (`GET /connection`), so hosts can prefetch,
 * read or invalidate it with the same key and function the hook uses.
 *
 * Errors are the client's typed errors. react-query does not retry: the client already retries
 * reads with backoff, and retrying both would multiply the attempts.
 *
 * @example
 * ```ts
 * const client = createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing' });
 * await queryClient.prefetchQuery(connectionQueryOptions(client));
 * ```
 */
export function connectionQueryOptions(client: XeroConnectionClient) {
  return queryOptions<Connection, XeroConnectionError, Connection, XeroConnectionQueryKey>({
    queryKey: xeroConnectionKeys.connection(client.baseUrl),
    queryFn: async ({ signal }) => {
      try {
        return await client.getConnection({ signal });
      } catch (error) {
        if (signal.aborted) throw error;
        throw toClientError(error, 'GET /connection');
      }
    },
    retry: false,
    staleTime: CONNECTION_STALE_TIME_MS,
    refetchOnWindowFocus: true,
  });
}
