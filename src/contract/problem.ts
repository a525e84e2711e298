import * as z from 'zod/mini';

import { errorCodeSchema, type ErrorCode } from './error-codes';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

/**
 * An RFC 9457 problem detail (`application/problem+json`), the body of every error response,
 * with the contract's extension members `code`, `retryable` and `retryAfterSeconds`.
 */
export const problemSchema = /* @__PURE__ */ z.object({
  type: /* @__PURE__ */ z.string(),
  title: /* @__PURE__ */ z.string(),
  status: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(400), /* @__PURE__ */ z.lte(599)),
  detail: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  instance: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  code: errorCodeSchema,
  retryable: /* @__PURE__ */ z.boolean(),
  retryAfterSeconds: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(0))),
});

/** An RFC 9457 problem detail with the contract's extension members. See {@link problemSchema}. */
export type Problem = z.infer<typeof problemSchema>;

/** The media type of every error body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The problem `type` URI for an error code. A URN rather than a web address: it identifies the
 * problem and is stable, and nobody has to keep a documentation URL alive for it.
 */
export function problemTypeFor(code: ErrorCode): string {
  return `urn:carevision:xero-connection:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
