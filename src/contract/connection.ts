import * as z from 'zod/mini';

import { errorCodeSchema } from './error-codes';
import { nonEmptyStringSchema, timestampSchema } from './shared-fields';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

/**
 * The statuses a backend reports for a connection. `choosing_organisation` is contract 1.1: a
 * backend sends it only to clients that accept 1.1 (see {@link CONTRACT_ACCEPT}).
 */
export const CONNECTION_STATUSES = ['connected', 'needs_reauth', 'disconnected', 'error', 'choosing_organisation'] as const;

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

/**
 * Why a connection waits for the user to choose its organisation (contract 1.1):
 * `multiple_organisations` when one consent covered several, `organisation_mismatch` when a
 * reconnect that expected one organisation came back with another.
 */
export const CHOOSING_ORGANISATION_REASONS = ['multiple_organisations', 'organisation_mismatch'] as const;

/** Every value `reason` can take (besides `null`). */
export const CONNECTION_REASONS = [
  ...NEEDS_REAUTH_REASONS,
  ...DISCONNECTED_REASONS,
  ...ERROR_REASONS,
  ...CHOOSING_ORGANISATION_REASONS,
] as const;

/** A reason a connection is not simply `connected`. See {@link CONNECTION_REASONS}. */
export type ConnectionReason = (typeof CONNECTION_REASONS)[number];

/** Xero's kinds of tenant: an organisation, or an accounting practice. */
export const TENANT_TYPES = ['ORGANISATION', 'PRACTICE'] as const;

/** The Xero organisation (tenant) a connection exports to. */
export const tenantSchema = /* @__PURE__ */ z.object({
  /** Xero's tenant id: goes in the `xero-tenant-id` header of API calls. */
  tenantId: nonEmptyStringSchema,
  /** The organisation's name as Xero shows it. */
  tenantName: nonEmptyStringSchema,
  tenantType: /* @__PURE__ */ z.enum(TENANT_TYPES),
  /** Xero's connection id: what `DELETE /connections/{id}` takes (not the tenant id). */
  connectionId: nonEmptyStringSchema,
});

/** The Xero organisation (tenant) a connection exports to. */
export type Tenant = z.infer<typeof tenantSchema>;

/** The person in the portal who made the connection. */
export const connectedBySchema = /* @__PURE__ */ z.object({
  userId: nonEmptyStringSchema,
  displayName: nonEmptyStringSchema,
});

/** The last failure the backend met while using the connection. */
export const lastErrorSchema = /* @__PURE__ */ z.object({
  code: errorCodeSchema,
  message: /* @__PURE__ */ z.string(),
  at: timestampSchema,
});

/**
 * Contract 1.1, optional: the backend's keep-alive, which refreshes a connection before its
 * refresh token goes unused long enough to expire. Absent from backends without one.
 */
export const keepAliveSchema = /* @__PURE__ */ z.object({
  /** Whether the backend refreshes this connection on a schedule. */
  enabled: /* @__PURE__ */ z.boolean(),
  /** When keep-alive last refreshed this connection successfully; `null` before its first run. */
  lastRefreshedAt: /* @__PURE__ */ z.nullable(timestampSchema),
  /** When keep-alive will next refresh it, at the latest; `null` when it will not (disabled, no tokens). */
  nextRefreshAt: /* @__PURE__ */ z.nullable(timestampSchema),
  /** True when keep-alive's last attempt on this connection failed; `lastError` says how. */
  failing: /* @__PURE__ */ z.boolean(),
});

/** The backend's keep-alive for one connection. See {@link keepAliveSchema}. */
export type KeepAlive = z.infer<typeof keepAliveSchema>;

// Fields every status carries. Keys the UI cannot do without are required (nullable where the
// backend may not know them) so a backend that forgets one is caught, not rendered as "undefined".
const commonFields = {
  scopes: /* @__PURE__ */ z.array(/* @__PURE__ */ z.string()),
  connectedAt: /* @__PURE__ */ z.nullable(timestampSchema),
  connectedBy: /* @__PURE__ */ z.nullable(connectedBySchema),
  lastUsedAt: /* @__PURE__ */ z.nullable(timestampSchema),
  lastRefreshedAt: /* @__PURE__ */ z.nullable(timestampSchema),
  refreshTokenExpiresAt: /* @__PURE__ */ z.nullable(timestampSchema),
  refreshTokenLifetimeDays: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(1), /* @__PURE__ */ z.lte(3650)),
  checkedAt: timestampSchema,
  lastError: /* @__PURE__ */ z.nullable(lastErrorSchema),
  // Contract 1.1: optional, so 1.0 backends (which never send it) stay valid.
  keepAlive: /* @__PURE__ */ z.optional(keepAliveSchema),
};

type CommonFields = typeof commonFields;

/** A status's own fields over {@link commonFields}, as one flat shape (what a spread would type). */
type WithCommonFields<S> = {
  [K in keyof CommonFields | keyof S]: K extends keyof S ? S[K] : K extends keyof CommonFields ? CommonFields[K] : never;
};

// The spread happens in here, not in each schema's object literal: a top-level spread could run
// getters, so bundlers would keep all four schemas (and zod with them) in every bundle.
function withCommonFields<S extends object>(shape: S): WithCommonFields<S> {
  return { ...commonFields, ...shape } as WithCommonFields<S>;
}

/** A connection that works: it always names its organisation. */
export const connectedConnectionSchema = /* @__PURE__ */ z.object(
  /* @__PURE__ */ withCommonFields({
    status: /* @__PURE__ */ z.literal('connected'),
    reason: /* @__PURE__ */ z.null(),
    tenant: tenantSchema,
  }),
);

/** A connection the user must authorise again; `reason` says why. */
export const needsReauthConnectionSchema = /* @__PURE__ */ z.object(
  /* @__PURE__ */ withCommonFields({
    status: /* @__PURE__ */ z.literal('needs_reauth'),
    reason: /* @__PURE__ */ z.enum(NEEDS_REAUTH_REASONS),
    // The organisation that was connected, when known, so the UI can name what to reconnect.
    tenant: /* @__PURE__ */ z.nullable(tenantSchema),
  }),
);

/** No connection. */
export const disconnectedConnectionSchema = /* @__PURE__ */ z.object(
  /* @__PURE__ */ withCommonFields({
    status: /* @__PURE__ */ z.literal('disconnected'),
    reason: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.enum(DISCONNECTED_REASONS)),
    tenant: /* @__PURE__ */ z.null(),
  }),
);

/** The backend could not learn the connection's state from Xero just now. */
export const errorConnectionSchema = /* @__PURE__ */ z.object(
  /* @__PURE__ */ withCommonFields({
    status: /* @__PURE__ */ z.literal('error'),
    reason: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.enum(ERROR_REASONS)),
    tenant: /* @__PURE__ */ z.nullable(tenantSchema),
  }),
);

/**
 * Contract 1.1: Xero granted access, but the backend will not export until the user chooses the one
 * organisation to use (`POST /connection/organisation`). Nothing is linked until then. `tenant` is
 * the organisation connected before, when there was one (the expected one, for a mismatch).
 */
export const choosingOrganisationConnectionSchema = /* @__PURE__ */ z.object(
  /* @__PURE__ */ withCommonFields({
    status: /* @__PURE__ */ z.literal('choosing_organisation'),
    reason: /* @__PURE__ */ z.enum(CHOOSING_ORGANISATION_REASONS),
    tenant: /* @__PURE__ */ z.nullable(tenantSchema),
    /** The organisations the consent covers, in Xero's order: at least one. */
    organisations: /* @__PURE__ */ z.array(tenantSchema).check(/* @__PURE__ */ z.minLength(1)),
  }),
);

/**
 * The state of one integration's Xero connection, as `GET /connection` reports it.
 *
 * A union on `status`, so each status carries only the reasons that make sense for it: a
 * `connected` connection always has a tenant; `needs_reauth` always says why. Unknown extra fields
 * are accepted and dropped, so a newer backend's additions do not break an older client.
 */
export const connectionSchema = /* @__PURE__ */ z.discriminatedUnion('status', [
  connectedConnectionSchema,
  needsReauthConnectionSchema,
  disconnectedConnectionSchema,
  errorConnectionSchema,
  choosingOrganisationConnectionSchema,
]);

/** The state of one integration's Xero connection. See {@link connectionSchema}. */
export type Connection = z.infer<typeof connectionSchema>;
