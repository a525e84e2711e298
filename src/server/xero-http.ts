/** How long one call to Xero may take, by default: past it the call is abandoned as `XERO_UNAVAILABLE`. */
export const DEFAULT_XERO_TIMEOUT_MS = 15_000;

/**
 * `fetch` with a deadline on every call: Xero (or a proxy on the way) that accepts a connection and
 * never answers must not leave a request, and the connection's lock, waiting for minutes until the
 * HTTP client's own limit. The caller's own signal still aborts as before.
 */
export function fetchWithTimeout(fetch: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2_147_483_647) {
    throw new TypeError(`createXeroConnectionHandler: xeroTimeoutMs must be a whole number of milliseconds from 1 to 2147483647 (got ${String(timeoutMs)})`);
  }
  return (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}

/** "did not answer in time" for a call abandoned at its deadline, else "could not be reached". */
export function networkFailure(error: unknown): string {
  return error instanceof Error && error.name === 'TimeoutError' ? 'did not answer in time' : 'could not be reached';
}
