import type { ZodMiniType } from 'zod/mini';

import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  ERROR_CODES,
  problemSchema,
  type ErrorCode,
  type Problem,
  type RouteLabel,
} from '../contract';
import { describeIssues, summarizeIssues } from './describe-issues';
import { XeroConnectionApiError, XeroConnectionContractError, type ContractIssue } from './errors';
import { retryAfterOf } from './retry';

/** A response body's schema. */
export type BodySchema<T> = ZodMiniType<T, unknown>;

const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The answer's media type, lower case, without parameters; `''` when it has none. */
export function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Whether a media type is JSON (`application/json` or any `+json`). */
export function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function contractError(endpoint: RouteLabel, status: number, issues: ContractIssue[], summary?: string) {
  return new XeroConnectionContractError({ endpoint, status, issues, summary: summary ?? summarizeIssues(issues) });
}

function checkVersion(endpoint: RouteLabel, response: Response): void {
  const version = response.headers.get(CONTRACT_VERSION_HEADER);
  if (version === null) return;
  const ours = CONTRACT_VERSION.split('.')[0];
  const match = /^(\d+)\.\d+$/.exec(version.trim());
  if (match?.[1] !== ours) {
    const issue = {
      path: '',
      message: `backend speaks contract ${version}; this client speaks ${CONTRACT_VERSION} (major versions must match)`,
    };
    throw contractError(endpoint, response.status, [issue], `an incompatible ${CONTRACT_VERSION_HEADER} header: ${issue.message}`);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

// Codes for errors that arrive without a problem body (a proxy's 502 page, an auth middleware's
// bare 401): the closest contract code, so hosts can still switch on `code`.
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 400 || status === 422) return 'VALIDATION_FAILED';
  return 'INTERNAL';
}

function apiErrorFromProblem(endpoint: RouteLabel, response: Response, problem: Problem): XeroConnectionApiError {
  const retryAfterSeconds = problem.retryAfterSeconds ?? retryAfterOf(response);
  const detail = problem.detail ? `: ${problem.detail}` : '';
  return new XeroConnectionApiError({
    endpoint,
    code: problem.code,
    status: response.status,
    retryable: problem.retryable,
    retryAfterSeconds,
    problem,
    message: `${endpoint} failed with ${problem.code} (${response.status}): ${problem.title}${detail}`,
  });
}

function apiErrorFromStatus(endpoint: RouteLabel, response: Response, type: string): XeroConnectionApiError {
  const code = codeForStatus(response.status);
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  return new XeroConnectionApiError({
    endpoint,
    code,
    status: response.status,
    retryable: RETRYABLE_STATUSES.has(response.status),
    retryAfterSeconds: retryAfterOf(response),
    problem: null,
    message: `${endpoint} failed with ${response.status}${statusText} and ${type ? `a ${type}` : 'an untyped'} body instead of application/problem+json`,
  });
}

function readProblem(endpoint: RouteLabel, response: Response, text: string, type: string): XeroConnectionApiError {
  if (!isJsonMediaType(type)) return apiErrorFromStatus(endpoint, response, type);
  const parsed = parseJson(text);
  if (!parsed.ok) return apiErrorFromStatus(endpoint, response, type);
  const result = problemSchema.safeParse(parsed.value);
  if (result.success) return apiErrorFromProblem(endpoint, response, result.data);
  // A body that claims to be a problem but is malformed breaks the contract; a plain JSON error
  // from a framework's default handler is just an HTTP error.
  if (type === 'application/problem+json') {
    const issues = describeIssues(result.error.issues);
    const unknownCode = issues.find((issue) => issue.path === 'code');
    throw contractError(
      endpoint,
      response.status,
      issues,
      unknownCode ? `a problem whose code is not one of ${ERROR_CODES.length} contract codes` : `a malformed problem: ${summarizeIssues(issues)}`,
    );
  }
  return apiErrorFromStatus(endpoint, response, type);
}

/**
 * Turns a fetched answer into the endpoint's value, or throws the typed error that describes it.
 * The body text is read by the caller so a timeout covers the body too.
 */
export function readResponse<T>(endpoint: RouteLabel, response: Response, text: string, schema: BodySchema<T>): T {
  checkVersion(endpoint, response);
  const type = mediaType(response);
  if (!response.ok) throw readProblem(endpoint, response, text, type);

  if (!isJsonMediaType(type)) {
    const hint = type === 'text/html' ? ' (a sign-in page or proxy may be in the way)' : '';
    throw contractError(
      endpoint,
      response.status,
      [{ path: '', message: `expected application/json, got ${type || 'no content type'}` }],
      `${type || 'an untyped'} body instead of application/json${hint}`,
    );
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const what = text.trim() === '' ? 'an empty body' : 'a body that is not valid JSON';
    throw contractError(endpoint, response.status, [{ path: '', message: `expected JSON, got ${what}` }], what);
  }
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const issues = describeIssues(result.error.issues);
    throw contractError(endpoint, response.status, issues, `a body that breaks the contract: ${summarizeIssues(issues)}`);
  }
  return result.data;
}
