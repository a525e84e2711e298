import type { ErrorCode, Problem, RouteLabel } from '../contract';

// A registry symbol rather than `instanceof`: a host may load the ESM and the CJS build side by
// side (the dual-package hazard), and a class from one copy is not `instanceof` the other.
const BRAND = Symbol.for('@carevision/xero-connection/error');

/** Where a value failed the contract: a dotted path (`tenant.tenantName`) and what was expected. */
export interface ContractIssue {
  /** Dotted path of the offending field; empty for the body as a whole. */
  readonly path: string;
  /** What the contract expected there, in plain words. */
  readonly message: string;
}

/** Every `code` a client error can carry: the contract's codes plus the client's own. */
export type XeroConnectionErrorCode = ErrorCode | 'CONTRACT_VIOLATION' | 'NETWORK_ERROR' | 'TIMEOUT' | 'INVALID_USAGE';

/**
 * Base of every error the client throws. Switch on `name` or `code`, or use the type guards
 * ({@link isXeroConnectionApiError} and friends), which also work across duplicate package copies.
 */
export abstract class XeroConnectionError extends Error {
  /** The endpoint the error happened on, e.g. `"GET /connection"`; `null` for misconfiguration. */
  readonly endpoint: RouteLabel | null;
  /** Whether repeating the same call may succeed without anyone changing anything. */
  abstract readonly retryable: boolean;
  /** Machine-readable reason. */
  abstract readonly code: XeroConnectionErrorCode;
  /** @internal */
  readonly [BRAND] = true;

  constructor(message: string, endpoint: RouteLabel | null, options?: { cause?: unknown }) {
    super(message, options);
    this.endpoint = endpoint;
  }
}

/** The backend answered with an error: an RFC 9457 problem, or a bare HTTP error from something in between. */
export class XeroConnectionApiError extends XeroConnectionError {
  override readonly name = 'XeroConnectionApiError';
  readonly code: ErrorCode;
  /** The HTTP status of the answer. */
  readonly status: number;
  readonly retryable: boolean;
  /** Seconds to wait before trying again, from the problem or the `Retry-After` header; `null` if not given. */
  readonly retryAfterSeconds: number | null;
  /** The problem body; `null` when the answer was not `application/problem+json` (a proxy's error page, say). */
  readonly problem: Problem | null;

  constructor(init: {
    endpoint: RouteLabel;
    code: ErrorCode;
    status: number;
    retryable: boolean;
    retryAfterSeconds: number | null;
    problem: Problem | null;
    message: string;
  }) {
    super(init.message, init.endpoint);
    this.code = init.code;
    this.status = init.status;
    this.retryable = init.retryable;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.problem = init.problem;
  }
}

/** The backend answered, but not in the contract's shape: wrong field, wrong media type, unknown version. */
export class XeroConnectionContractError extends XeroConnectionError {
  override readonly name = 'XeroConnectionContractError';
  readonly code = 'CONTRACT_VIOLATION' as const;
  readonly retryable = false;
  /** Every field that broke the contract. */
  readonly issues: readonly ContractIssue[];
  /** The HTTP status of the answer. */
  readonly status: number;

  constructor(init: { endpoint: RouteLabel; status: number; issues: readonly ContractIssue[]; summary: string }) {
    super(`${init.endpoint} answered ${init.status} with ${init.summary}`, init.endpoint);
    this.issues = init.issues;
    this.status = init.status;
  }
}

/** The request never got an answer: offline, DNS, CORS, connection reset. */
export class XeroConnectionNetworkError extends XeroConnectionError {
  override readonly name = 'XeroConnectionNetworkError';
  readonly code = 'NETWORK_ERROR' as const;
  readonly retryable = true;

  constructor(endpoint: RouteLabel, url: string, cause: unknown) {
    const reason = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
    super(`${endpoint} could not reach the backend at ${url}${reason}`, endpoint, { cause });
  }
}

/** No complete answer arrived within `timeoutMs`. */
export class XeroConnectionTimeoutError extends XeroConnectionError {
  override readonly name = 'XeroConnectionTimeoutError';
  readonly code = 'TIMEOUT' as const;
  readonly retryable = true;
  /** The time limit that ran out. */
  readonly timeoutMs: number;

  constructor(endpoint: RouteLabel, timeoutMs: number) {
    super(`${endpoint} got no complete answer within ${timeoutMs} ms`, endpoint);
    this.timeoutMs = timeoutMs;
  }
}

/** The client was called wrongly: a bad option or argument. The message names it. */
export class XeroConnectionUsageError extends XeroConnectionError {
  override readonly name = 'XeroConnectionUsageError';
  readonly code = 'INVALID_USAGE' as const;
  readonly retryable = false;
  /** Every argument field that was wrong, when the problem was an argument's shape. */
  readonly issues: readonly ContractIssue[];

  constructor(message: string, endpoint: RouteLabel | null, options?: { cause?: unknown; issues?: readonly ContractIssue[] }) {
    super(message, endpoint, options);
    this.issues = options?.issues ?? [];
  }
}

function hasBrand(value: unknown): value is XeroConnectionError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** True for any error this package throws. */
export function isXeroConnectionError(value: unknown): value is XeroConnectionError {
  return hasBrand(value);
}

/** True when the backend answered with an error. */
export function isXeroConnectionApiError(value: unknown): value is XeroConnectionApiError {
  return hasBrand(value) && value.name === 'XeroConnectionApiError';
}

/** True when the backend's answer broke the contract. */
export function isXeroConnectionContractError(value: unknown): value is XeroConnectionContractError {
  return hasBrand(value) && value.name === 'XeroConnectionContractError';
}

/** True when the backend could not be reached. */
export function isXeroConnectionNetworkError(value: unknown): value is XeroConnectionNetworkError {
  return hasBrand(value) && value.name === 'XeroConnectionNetworkError';
}

/** True when the backend did not answer in time. */
export function isXeroConnectionTimeoutError(value: unknown): value is XeroConnectionTimeoutError {
  return hasBrand(value) && value.name === 'XeroConnectionTimeoutError';
}

/** True when the client was called with a bad option or argument. */
export function isXeroConnectionUsageError(value: unknown): value is XeroConnectionUsageError {
  return hasBrand(value) && value.name === 'XeroConnectionUsageError';
}
