import * as z from 'zod/mini';

import { errorCodeSchema } from './error-codes';
import { nonEmptyStringSchema, timestampSchema } from './shared-fields';

/** The four statuses a backend reports for a connection. */
export const CONNECTION_STATUSES = ['connected', 'needs_reauth', 'disconnected', 'error'] as const;

/** A connection's status: see {@link CONNECTION_STATUSES}. */
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Why a connection needs the user to authorise again. `refresh_token_expired` is Xero's `invalid_grant`. */
export const NEEDS_REAUTH_REASONS = [
  'refresh_token_expired',
  'refresh_token_revoked',
  'tenant_removed_in_xero',
] as const;

/** Why there is no connection. */
export const DISCONNECTED_REASONS = ['user_disconnected', 'never_connected'] as const;

/** Why the backend could not learn the connection's state from Xero just now. */
export const ERROR_REASONS = ['rate_limited', 'xero_unavailable'] as const;

/** Every value `reason` can take (besides `null`). */
export const CONNECTION_REASONS = [...NEEDS_REAUTH_REASONS, ...DISCONNECTED_REASONS, ...ERROR_REASONS] as const;

/** A reason a connection is not simply `connected`. See {@link CONNECTION_REASONS}. */
export type ConnectionReason = (typeof CONNECTION_REASONS)[number];

/** Xero's kinds of tenant: an organisation, or an accounting practice. */
export const TENANT_TYPES = ['ORGANISATION', 'PRACTICE'] as const;

/** The Xero organisation (tenant) a connection exports to. */
export const tenantSchema = z.object({
  /** Xero's tenant id: goes in the `xero-tenant-id` header of API calls. */
  tenantId: nonEmptyStringSchema,
  /** The organisation's name as Xero shows it. */
  tenantName: nonEmptyStringSchema,
  tenantType: z.enum(TENANT_TYPES),
  /** Xero's connection id: what `DELETE /connections/{id}` takes (not the tenant id). */
  connectionId: nonEmptyStringSchema,
});

/** The Xero organisation (tenant) a connection exports to. */
export type Tenant = z.infer<typeof tenantSchema>;

/** The person in the portal who made the connection. */
export const connectedBySchema = z.object({
  userId: nonEmptyStringSchema,
  displayName: nonEmptyStringSchema,
});

/** The last failure the backend met while using the connection. */
export const lastErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  at: timestampSchema,
});

// Fields every status carries. Keys the UI cannot do without are required (nullable where the
// backend may not know them) so a backend that forgets one is caught, not rendered as "undefined".
const commonFields = {
  scopes: z.array(z.string()),
  connectedAt: z.nullable(timestampSchema),
  connectedBy: z.nullable(connectedBySchema),
  lastUsedAt: z.nullable(timestampSchema),
  lastRefreshedAt: z.nullable(timestampSchema),
  refreshTokenExpiresAt: z.nullable(timestampSchema),
  refreshTokenLifetimeDays: z.int().check(z.gte(1), z.lte(3650)),
  checkedAt: timestampSchema,
  lastError: z.nullable(lastErrorSchema),
};

/** A connection that works: it always names its organisation. */
export const connectedConnectionSchema = z.object({
  ...commonFields,
  status: z.literal('connected'),
  reason: z.null(),
  tenant: tenantSchema,
});

/** A connection the user must authorise again; `reason` says why. */
export const needsReauthConnectionSchema = z.object({
  ...commonFields,
  status: z.literal('needs_reauth'),
  reason: z.enum(NEEDS_REAUTH_REASONS),
  // The organisation that was connected, when known, so the UI can name what to reconnect.
  tenant: z.nullable(tenantSchema),
});

/** No connection. */
export const disconnectedConnectionSchema = z.object({
  ...commonFields,
  status: z.literal('disconnected'),
  reason: z.nullable(z.enum(DISCONNECTED_REASONS)),
  tenant: z.null(),
});

/** The backend could not learn the connection's state from Xero just now. */
export const errorConnectionSchema = z.object({
  ...commonFields,
  status: z.literal('error'),
  reason: z.nullable(z.enum(ERROR_REASONS)),
  tenant: z.nullable(tenantSchema),
});

/**
 * The state of one integration's Xero connection, as `GET /connection` reports it.
 *
 * A union on `status`, so each status carries only the reasons that make sense for it: a
 * `connected` connection always has a tenant; `needs_reauth` always says why. Unknown extra fields
 * are accepted and dropped, so a newer backend's additions do not break an older client.
 */
export const connectionSchema = z.discriminatedUnion('status', [
  connectedConnectionSchema,
  needsReauthConnectionSchema,
  disconnectedConnectionSchema,
  errorConnectionSchema,
]);

/** The state of one integration's Xero connection. See {@link connectionSchema}. */
export type Connection = z.infer<typeof connectionSchema>;
