import type { RouteLabel } from '../contract';
import { XeroConnectionUsageError, isXeroConnectionError, type XeroConnectionError } from './errors';

/**
 * The error as one of the client's typed errors. A host that passes its own client object may
 * throw anything; that is reported as a usage error with the original as its `cause`, so state,
 * `onError` and events always carry a {@link XeroConnectionError}.
 */
export function toClientError(error: unknown, endpoint: RouteLabel): XeroConnectionError {
  if (isXeroConnectionError(error)) return error;
  const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
  return new XeroConnectionUsageError(
    `${endpoint}: the client threw something that is not a client error${detail}. Use createXeroConnectionClient() or throw its error classes.`,
    endpoint,
    { cause: error },
  );
}
