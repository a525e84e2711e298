import { parseRetryAfter } from '../client/retry';
import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  ERROR_CODE_INFO,
  PROBLEM_CONTENT_TYPE,
  problemSchema,
  problemTypeFor,
  type ErrorCode,
  type Problem,
} from '../contract';

/** What makes a problem body besides its code. */
export interface ProblemFields {
  /** The HTTP status; default the code's usual one (`ERROR_CODE_INFO`). */
  status?: number;
  detail?: string;
  instance?: string;
  retryAfterSeconds?: number;
}

/**
 * The RFC 9457 problem for `code`, checked against the contract's problem schema: the one place
 * both the handler's answers and {@link XeroConnectionHandlerError.toProblem} are made.
 */
export function buildProblem(code: ErrorCode, fields: ProblemFields = {}): Problem {
  const info = ERROR_CODE_INFO[code];
  const body: Problem = {
    type: problemTypeFor(code),
    title: info.title,
    status: fields.status ?? info.status,
    code,
    retryable: info.retryable,
    ...(fields.detail === undefined ? {} : { detail: fields.detail }),
    ...(fields.instance === undefined ? {} : { instance: fields.instance }),
    ...(fields.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: fields.retryAfterSeconds }),
  };
  return problemSchema.parse(body);
}

/** A problem as a `Response`: `application/problem+json`, `Retry-After` when known, the contract version. */
export function problemResponse(body: Problem, headers: Record<string, string> = {}): Response {
  const all: Record<string, string> = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...headers,
    [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION,
  };
  if (body.retryAfterSeconds !== undefined) all['retry-after'] = String(body.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status: body.status, headers: all });
}

/**
 * A failure the handler answers as a problem with `code`, and what `handler.xeroFetch` rejects
 * with when the connection cannot make the call (it needs reconnecting, Xero is rate limiting or
 * unreachable). Its message, problem and `cause` never hold a token or a Xero response body.
 */
export class XeroConnectionHandlerError extends Error {
  override readonly name = 'XeroConnectionHandlerError';
  /** The contract's machine-readable code: what the browser decides on (reconnect, or try later). */
  readonly code: ErrorCode;
  /** Seconds to wait before trying again, when Xero said (`XERO_RATE_LIMITED`). */
  readonly retryAfterSeconds: number | undefined;
  /** The HTTP status to answer with: the code's usual one unless set (415 for a body that is not JSON). */
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: { retryAfterSeconds?: number; status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status ?? ERROR_CODE_INFO[code].status;
  }

  /** The RFC 9457 problem body for this error, as the contract's problem schema accepts it. */
  toProblem(options: { instance?: string } = {}): Problem {
    return buildProblem(this.code, {
      status: this.status,
      detail: this.message,
      ...(options.instance === undefined ? {} : { instance: options.instance }),
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    });
  }

  /**
   * The problem as a `Response` a host's route can return to its own browser as it is
   * (`application/problem+json`, `Retry-After` when known), e.g. from an export route whose
   * `xeroFetch` rejected: the browser's client reads its `code` and offers the reconnect or a retry.
   */
  toResponse(options: { instance?: string } = {}): Response {
    return problemResponse(this.toProblem(options));
  }
}

/**
 * Xero's `Retry-After` in whole seconds (the client's reading of the header, one rule for both
 * sides), or `undefined` when absent or unreadable.
 */
export function readRetryAfter(response: Response, now: Date): number | undefined {
  return parseRetryAfter(response.headers.get('retry-after'), now.getTime()) ?? undefined;
}

/** Reads `Retry-After` as whole seconds; 60 when absent or unreadable. */
export function retryAfterSeconds(response: Response, now: Date): number {
  return readRetryAfter(response, now) ?? 60;
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

/**
 * The handler was given something it cannot work with (an `authenticate` that answers neither
 * `null` nor a caller). Passed to `onError`; the request itself is answered as if no one were
 * signed in, so a loose configuration fails closed.
 */
export class XeroConnectionConfigurationError extends Error {
  override readonly name = 'XeroConnectionConfigurationError';
}

/**
 * The default `onError`: one line with what failed, by name and code. Never the error's own text:
 * a host's store error may hold a database URL with its password, and nothing here may print a token.
 */
export function logSummary(error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
  const hint = error instanceof XeroConnectionConfigurationError ? error.message : 'pass onError to createXeroConnectionHandler to log the details';
  console.error(`[@carevision/xero-connection] ${name}${code}: ${hint}`);
}
