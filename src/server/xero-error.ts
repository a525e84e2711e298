import type { ErrorCode } from '../contract';

/** A failure the handler answers as a problem with `code`. */
export class XeroConnectionHandlerError extends Error {
  override readonly name = 'XeroConnectionHandlerError';
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;
  /** An HTTP status other than the code's usual one (415 for a body that is not JSON). */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: { retryAfterSeconds?: number; status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
  }
}

/** Reads `Retry-After` (seconds, or an HTTP date) as whole seconds; 60 when absent or unreadable. */
export function retryAfterSeconds(response: Response, now: Date): number {
  const raw = response.headers.get('retry-after');
  if (raw === null) return 60;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  return Number.isNaN(date) ? 60 : Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** The handler error for a Xero answer that is neither success nor an OAuth error body. */
export function errorForXeroStatus(response: Response, now: Date, what: string): XeroConnectionHandlerError {
  if (response.status === 429) {
    return new XeroConnectionHandlerError('XERO_RATE_LIMITED', `Xero rate limit reached (${what})`, {
      retryAfterSeconds: retryAfterSeconds(response, now),
    });
  }
  return new XeroConnectionHandlerError('XERO_UNAVAILABLE', `Xero answered ${response.status} (${what})`);
}
