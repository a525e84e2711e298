import * as z from 'zod/mini';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

/** An ISO 8601 timestamp with a UTC offset (`2026-11-26T09:30:00Z`). */
export const timestampSchema = /* @__PURE__ */ z.iso.datetime({ offset: true });

/** A non-empty string: ids and names that a blank value would make meaningless. */
export const nonEmptyStringSchema = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.minLength(1));

/**
 * An absolute http(s) URL. Anything else (`javascript:`, `data:`) is rejected, because the
 * browser navigates to these URLs.
 */
export const httpUrlSchema = /* @__PURE__ */ z.url({ protocol: /^https?$/, hostname: /^.+$/ });
