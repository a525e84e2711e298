import * as z from 'zod/mini';

import { errorCodeSchema, type ErrorCode } from './error-codes';

/**
 * An RFC 9457 problem detail (`application/problem+json`), the body of every error response,
 * with the contract's extension members `code`, `retryable` and `retryAfterSeconds`.
 */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().check(z.gte(400), z.lte(599)),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  code: errorCodeSchema,
  retryable: z.boolean(),
  retryAfterSeconds: z.optional(z.int().check(z.gte(0))),
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
