import * as z from 'zod/mini';

/** An ISO 8601 timestamp with a UTC offset (`2026-11-26T09:30:00Z`). */
export const timestampSchema = z.iso.datetime({ offset: true });

/** A non-empty string: ids and names that a blank value would make meaningless. */
export const nonEmptyStringSchema = z.string().check(z.minLength(1));

/**
 * An absolute http(s) URL. Anything else (`javascript:`, `data:`) is rejected, because the
 * browser navigates to these URLs.
 */
export const httpUrlSchema = z.url({ protocol: /^https?$/, hostname: /^.+$/ });
