const all = ['@carevision/xero-connection'] as const;

/**
 * The react-query keys this package uses, general to specific. One connection key per base URL,
 * so every hook and card for the same integration shares one request and one cache entry.
 *
 * @example
 * ```ts
 * // Everything this package caches:
 * queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all });
 * // One integration:
 * queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.connection('/api/integrations/xero-billing') });
 * ```
 */
export const xeroConnectionKeys = {
  /** Every query of this package. */
  all,
  /** The connection of the integration at `baseUrl` (as given to the client). */
  connection: (baseUrl: string) => [...all, 'connection', baseUrl] as const,
};

/** The key of one integration's connection query. */
export type XeroConnectionQueryKey = ReturnType<typeof xeroConnectionKeys.connection>;
