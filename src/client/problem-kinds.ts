import { problemSchema, type ErrorCode, type Problem } from '../contract';
import { XeroConnectionUsageError } from './errors';
import { isJsonMediaType, mediaType } from './read-response';
import { retryAfterOf } from './retry';

// What a host's own route (an export through `handler.xeroFetch`) answered, sorted into the two
// things its page can do about it: send the user through the recovery, or try again later.

/**
 * The codes that mean the connection itself needs a person: the grant is dead
 * (`XERO_INVALID_GRANT`), the organisation is not (or no longer) linked (`XERO_TENANT_NOT_FOUND`:
 * never connected, disconnected, removed in Xero, or still to be chosen), or Xero linked another
 * organisation than the expected one (`XERO_TENANT_MISMATCH`). No retry helps; the card's
 * recovery does.
 *
 * `XERO_FORBIDDEN` is not one: Xero refused one call while the organisation stays connected (a
 * user role, a subscription, a scope), so the card still shows a working connection and a
 * reconnect offered at the export would contradict it.
 */
export const XERO_RECONNECT_CODES = ['XERO_INVALID_GRANT', 'XERO_TENANT_NOT_FOUND', 'XERO_TENANT_MISMATCH'] as const satisfies readonly ErrorCode[];

/** A code from {@link XERO_RECONNECT_CODES}. */
export type XeroReconnectCode = (typeof XERO_RECONNECT_CODES)[number];

/**
 * The codes that mean "Xero cannot take it now; the same call later will": its rate limit
 * (`XERO_RATE_LIMITED`, usually with `retryAfterSeconds`) or an outage (`XERO_UNAVAILABLE`).
 *
 * `INTERNAL` is not one, though its problem says `retryable: true`: it is the host's backend
 * failing, not Xero, and "try again at …" would blame Xero for it. Read `problem.retryable` for
 * the general question.
 */
export const XERO_RETRY_LATER_CODES = ['XERO_RATE_LIMITED', 'XERO_UNAVAILABLE'] as const satisfies readonly ErrorCode[];

/** A code from {@link XERO_RETRY_LATER_CODES}. */
export type XeroRetryLaterCode = (typeof XERO_RETRY_LATER_CODES)[number];

// Never throws: a Proxy or a getter may, and a predicate over junk must answer `false`.
function codeOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}

function hasCodeIn<C extends ErrorCode>(codes: readonly C[], value: unknown): value is { readonly code: C } {
  const code = codeOf(value);
  return typeof code === 'string' && (codes as readonly string[]).includes(code);
}

/**
 * Whether `value` says the connection needs the recovery (reconnect, or connect again): a problem
 * body, a client error (`XeroConnectionApiError`), or any error-like object (the server's
 * `XeroConnectionHandlerError`) whose `code` is one of {@link XERO_RECONNECT_CODES}. `false` for
 * anything else, never a throw.
 *
 * A `Response` is `false` too: its body can only be read asynchronously. Read it first with
 * {@link readXeroProblem}.
 *
 * @example
 * ```ts
 * const problem = await readXeroProblem(response);
 * if (isXeroReconnectProblem(problem)) showReconnectNotice(problem);
 * ```
 */
export function isXeroReconnectProblem(value: unknown): value is { readonly code: XeroReconnectCode } {
  return hasCodeIn(XERO_RECONNECT_CODES, value);
}

/**
 * Whether `value` says Xero cannot take the call now and the same call later will: a problem
 * body, a client error or any error-like object whose `code` is one of
 * {@link XERO_RETRY_LATER_CODES}. Its `retryAfterSeconds`, when present, says how long to wait.
 * `false` for anything else (a `Response` included: read it with {@link readXeroProblem}).
 */
export function isXeroRetryLaterProblem(value: unknown): value is { readonly code: XeroRetryLaterCode } {
  return hasCodeIn(XERO_RETRY_LATER_CODES, value);
}

/**
 * Reads the RFC 9457 problem out of an answer from the host's own route (e.g. an export route
 * that returned `XeroConnectionHandlerError#toResponse()`), without consuming it: it reads a
 * clone, so the caller may still read the body. `retryAfterSeconds` is filled in from the
 * `Retry-After` header when the body leaves it out.
 *
 * Resolves `null` for a successful answer, one that is not JSON, or a JSON body that is not a
 * contract problem (a framework's own error page): the caller's general error handling applies.
 *
 * @example
 * ```ts
 * const response = await fetch('/api/exports/invoices', { method: 'POST', body });
 * const problem = await readXeroProblem(response);
 * if (isXeroReconnectProblem(problem)) await notifyXeroProblem(queryClient, '/api/integrations/xero-billing', problem);
 * ```
 * @throws {XeroConnectionUsageError} when the body was already read: call it before `response.json()`.
 */
export async function readXeroProblem(response: Response): Promise<Problem | null> {
  if (response.ok) return null;
  if (response.bodyUsed) {
    throw new XeroConnectionUsageError(
      'readXeroProblem: the response body was already read; call readXeroProblem(response) before response.json() or response.text()',
      null,
    );
  }
  if (!isJsonMediaType(mediaType(response))) return null;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return null;
  }
  const parsed = problemSchema.safeParse(body);
  if (!parsed.success) return null;
  const problem = parsed.data;
  if (problem.retryAfterSeconds !== undefined) return problem;
  const retryAfterSeconds = retryAfterOf(response);
  return retryAfterSeconds === null ? problem : { ...problem, retryAfterSeconds };
}
