/** How the client retries reads (`GET`). Writes are never retried by the client. */
export interface RetryOptions {
  /** Extra attempts after the first. Default 2. */
  retries?: number;
  /** First backoff delay; doubles each attempt, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  /**
   * Longest wait between attempts. A `Retry-After` longer than this is not waited for: the error
   * is returned at once with `retryAfterSeconds`, so the UI can say when to come back. Default 8000 ms.
   */
  maxDelayMs?: number;
}

/** Retry settings with every default filled in. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** The defaults: three attempts in all, waits of about 0.5 s and 1 s, never more than 8 s. */
export const DEFAULT_RETRY: ResolvedRetryOptions = { retries: 2, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * How long to wait before retry number `attempt` (0-based), or `null` to give up now.
 * A server's `Retry-After` wins over the backoff; "equal jitter" keeps at least half of each step
 * so many cards that failed together do not retry in lockstep.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSeconds: number | null,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number | null {
  if (attempt >= options.retries) return null;
  if (retryAfterSeconds !== null) {
    const wait = retryAfterSeconds * 1000;
    return wait > options.maxDelayMs ? null : wait;
  }
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return step / 2 + (random() * step) / 2;
}

const HTTP_DATE = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s.*\b\d{2}:\d{2}:\d{2}\b/i;

/**
 * Reads a `Retry-After` header: delta-seconds or an HTTP date. Returns whole seconds, or `null`
 * when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Date.parse alone is too lenient ("1.5" and "-1" parse as dates in 2001, which would mean
  // "retry now"): only the HTTP-date forms (a day name, then a time) count as dates.
  if (!HTTP_DATE.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * A response's `Retry-After` in seconds. An HTTP-date is on the backend's clock, so it is measured
 * from the response's own `Date` (RFC 9110), not the browser's clock, which may be off by months.
 */
export function retryAfterOf(response: Response): number | null {
  const date = Date.parse(response.headers.get('date') ?? '');
  return parseRetryAfter(response.headers.get('retry-after'), Number.isNaN(date) ? Date.now() : date);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
