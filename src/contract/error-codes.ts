import * as z from 'zod/mini';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

/**
 * Every machine-readable error code a backend may put in a problem's `code`. The list is closed:
 * adding a code is a new major contract version, so hosts can switch over it exhaustively.
 */
export const ERROR_CODES = [
  'XERO_INVALID_GRANT',
  'XERO_ACCESS_DENIED',
  'STATE_MISMATCH',
  'CONNECT_SESSION_EXPIRED',
  'XERO_INVALID_CLIENT',
  'XERO_UNAUTHORIZED_CLIENT',
  'XERO_INVALID_SCOPE',
  'XERO_TENANT_NOT_FOUND',
  'XERO_FORBIDDEN',
  'XERO_TENANT_MISMATCH',
  'XERO_RATE_LIMITED',
  'XERO_CONNECTION_LIMIT',
  'XERO_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'VALIDATION_FAILED',
  'INTERNAL',
] as const;

/** A machine-readable error code from {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Schema of an {@link ErrorCode}; one instance shared by every field that holds a code. */
export const errorCodeSchema = /* @__PURE__ */ z.enum(ERROR_CODES);

/** What a backend should answer for an {@link ErrorCode}: HTTP status, default title, retryability. */
export interface ErrorCodeInfo {
  /** The HTTP status a backend answers with. */
  readonly status: number;
  /** A short, human-readable summary for the problem's `title`. */
  readonly title: string;
  /** Whether the same request may succeed later without the user changing anything. */
  readonly retryable: boolean;
}

/**
 * The status, default title and retryability of each {@link ErrorCode}, so every backend (and the
 * test fakes) answers the same way. Titles are for logs and developers; the UI has its own copy.
 */
export const ERROR_CODE_INFO: Readonly<Record<ErrorCode, ErrorCodeInfo>> = {
  XERO_INVALID_GRANT: {
    status: 400,
    title: 'Xero answered invalid_grant: the grant or code is expired, revoked or already used',
    retryable: false,
  },
  XERO_ACCESS_DENIED: { status: 400, title: 'The user cancelled the consent in Xero', retryable: false },
  STATE_MISMATCH: {
    status: 400,
    title: 'The OAuth state is unknown, already used, or belongs to another session',
    retryable: false,
  },
  CONNECT_SESSION_EXPIRED: {
    status: 410,
    title: 'The connect session expired before the user came back from Xero',
    retryable: false,
  },
  XERO_INVALID_CLIENT: { status: 502, title: 'Xero rejected the app credentials (invalid_client)', retryable: false },
  XERO_UNAUTHORIZED_CLIENT: {
    status: 502,
    title: 'Xero does not allow this app the requested grant (unauthorized_client)',
    retryable: false,
  },
  XERO_INVALID_SCOPE: { status: 502, title: 'Xero rejected the requested scopes (invalid_scope)', retryable: false },
  XERO_TENANT_NOT_FOUND: {
    status: 404,
    title: 'The Xero organisation is no longer connected to this app',
    retryable: false,
  },
  XERO_FORBIDDEN: { status: 403, title: 'Xero refused the call for this organisation', retryable: false },
  XERO_TENANT_MISMATCH: {
    status: 409,
    title: 'Xero connected a different organisation than the one expected',
    retryable: false,
  },
  XERO_RATE_LIMITED: { status: 429, title: 'Xero rate limit reached', retryable: true },
  XERO_CONNECTION_LIMIT: {
    status: 409,
    title: 'The app has reached its limit of Xero connections',
    retryable: false,
  },
  XERO_UNAVAILABLE: { status: 503, title: 'Xero is unavailable', retryable: true },
  UNAUTHENTICATED: { status: 401, title: 'The caller is not signed in', retryable: false },
  FORBIDDEN: { status: 403, title: 'The caller may not manage this connection', retryable: false },
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the contract', retryable: false },
  INTERNAL: { status: 500, title: 'The backend failed unexpectedly', retryable: true },
};
