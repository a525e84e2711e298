import {
  connectionSchema,
  ERROR_CODE_INFO,
  problemSchema,
  problemTypeFor,
  type Connection,
  type ErrorCode,
  type Problem,
  type Tenant,
} from '../contract';

// Fixtures go through the contract's schemas when built, so a fixture that drifts from the
// contract fails loudly where it is made instead of passing a test it should not.

const DAY_MS = 86_400_000;

/** A fixed "now" for fixtures: 26 Nov 2026, 09:30 UTC. Pass your own to the builders for relative dates. */
export const FIXTURE_NOW = new Date('2026-11-26T09:30:00.000Z');

/** The demo organisation. */
export const demoTenant: Tenant = {
  tenantId: '3f1b6b3e-6a3e-4c1e-9f4e-0c6f2f1d2a10',
  tenantName: 'Sunrise Care Group',
  tenantType: 'ORGANISATION',
  connectionId: 'a7d2c9e4-1b2f-4f6a-8c3d-5e9f0a1b2c3d',
};

/** A second organisation, for consents that cover more than one (contract 1.1's organisation choice). */
export const secondTenant: Tenant = {
  tenantId: '8c4e2a91-5d7b-4f3e-a6c2-1b9d0e7f3a54',
  tenantName: 'Harbour View Homecare',
  tenantType: 'ORGANISATION',
  connectionId: 'e5b1f8a3-9c2d-4e7f-b0a6-3d8c1f2e9b47',
};

/** Every connection fixture's name, for tests that walk them all (`it.each`). */
export const CONNECTION_FIXTURE_NAMES = [
  'connected',
  'expiring',
  'needsReauthExpired',
  'needsReauthRevoked',
  'tenantRemovedInXero',
  'disconnected',
  'neverConnected',
  'rateLimited',
  'xeroUnavailable',
  'keptAlive',
  'keepAliveFailing',
  'choosingOrganisation',
  'organisationMismatch',
] as const;

/** Every field any status of a connection may carry (`organisations` included), for overrides. */
export type ConnectionField = Connection extends infer C ? (C extends unknown ? keyof C : never) : never;

/** Names of the connection fixtures. */
export type ConnectionFixtureName = (typeof CONNECTION_FIXTURE_NAMES)[number];

function iso(date: Date, offsetDays: number): string {
  return new Date(date.getTime() + offsetDays * DAY_MS).toISOString();
}

/**
 * A connection in a named state, relative to `now`, validated by the contract.
 * `overrides` replace fields after the named state is built (and are validated too).
 */
export function buildConnection(
  name: ConnectionFixtureName,
  overrides: Partial<Record<ConnectionField, unknown>> = {},
  now: Date = FIXTURE_NOW,
): Connection {
  const lifetime = 60;
  const base = {
    scopes: ['openid', 'profile', 'email', 'offline_access', 'accounting.invoices', 'accounting.contacts'],
    connectedAt: iso(now, -120),
    connectedBy: { userId: 'user-17', displayName: 'Priya Shah' },
    lastUsedAt: iso(now, -2),
    lastRefreshedAt: iso(now, -2),
    refreshTokenExpiresAt: iso(now, lifetime - 2),
    refreshTokenLifetimeDays: lifetime,
    checkedAt: now.toISOString(),
    lastError: null,
  };
  // Connected, with a refresh token last used 55 days ago: 5 days left.
  const expiring = {
    ...base,
    status: 'connected',
    reason: null,
    tenant: demoTenant,
    lastUsedAt: iso(now, -55),
    lastRefreshedAt: iso(now, -55),
    refreshTokenExpiresAt: iso(now, 5),
  };
  const byName: Record<ConnectionFixtureName, Record<string, unknown>> = {
    connected: { ...base, status: 'connected', reason: null, tenant: demoTenant },
    expiring,
    needsReauthExpired: {
      ...base,
      status: 'needs_reauth',
      reason: 'refresh_token_expired',
      tenant: demoTenant,
      lastUsedAt: iso(now, -61),
      lastRefreshedAt: iso(now, -61),
      refreshTokenExpiresAt: iso(now, -1),
      lastError: { code: 'XERO_INVALID_GRANT', message: 'Xero answered invalid_grant', at: iso(now, 0) },
    },
    needsReauthRevoked: {
      ...base,
      status: 'needs_reauth',
      reason: 'refresh_token_revoked',
      tenant: demoTenant,
      lastError: { code: 'XERO_INVALID_GRANT', message: 'Xero answered invalid_grant', at: iso(now, 0) },
    },
    tenantRemovedInXero: {
      ...base,
      status: 'needs_reauth',
      reason: 'tenant_removed_in_xero',
      tenant: demoTenant,
      lastError: { code: 'XERO_TENANT_NOT_FOUND', message: 'The organisation is no longer connected', at: iso(now, 0) },
    },
    disconnected: {
      ...base,
      status: 'disconnected',
      reason: 'user_disconnected',
      tenant: null,
      connectedAt: null,
      connectedBy: null,
      refreshTokenExpiresAt: null,
    },
    neverConnected: {
      ...base,
      status: 'disconnected',
      reason: 'never_connected',
      tenant: null,
      connectedAt: null,
      connectedBy: null,
      lastUsedAt: null,
      lastRefreshedAt: null,
      refreshTokenExpiresAt: null,
    },
    rateLimited: {
      ...base,
      status: 'error',
      reason: 'rate_limited',
      tenant: demoTenant,
      lastError: { code: 'XERO_RATE_LIMITED', message: 'Xero rate limit reached', at: iso(now, 0) },
    },
    xeroUnavailable: {
      ...base,
      status: 'error',
      reason: 'xero_unavailable',
      tenant: demoTenant,
      lastError: { code: 'XERO_UNAVAILABLE', message: 'Xero is unavailable', at: iso(now, 0) },
    },
    keptAlive: {
      ...base,
      status: 'connected',
      reason: null,
      tenant: demoTenant,
      keepAlive: { enabled: true, lastRefreshedAt: iso(now, -2), nextRefreshAt: iso(now, 5), failing: false },
    },
    keepAliveFailing: {
      ...expiring,
      keepAlive: { enabled: true, lastRefreshedAt: iso(now, -55), nextRefreshAt: iso(now, 0), failing: true },
      lastError: { code: 'XERO_UNAVAILABLE', message: 'Xero is unavailable', at: iso(now, 0) },
    },
    choosingOrganisation: {
      ...base,
      status: 'choosing_organisation',
      reason: 'multiple_organisations',
      tenant: null,
      organisations: [demoTenant, secondTenant],
      connectedAt: iso(now, 0),
      lastUsedAt: iso(now, 0),
      lastRefreshedAt: iso(now, 0),
      refreshTokenExpiresAt: iso(now, lifetime),
    },
    organisationMismatch: {
      ...base,
      status: 'choosing_organisation',
      reason: 'organisation_mismatch',
      tenant: demoTenant,
      organisations: [secondTenant],
      lastUsedAt: iso(now, 0),
      lastRefreshedAt: iso(now, 0),
      refreshTokenExpiresAt: iso(now, lifetime),
    },
  };
  return connectionSchema.parse({ ...byName[name], ...overrides });
}

/** An RFC 9457 problem for `code`, with the contract's status, title and retryability. */
export function buildProblem(code: ErrorCode, overrides: Partial<Problem> = {}): Problem {
  const info = ERROR_CODE_INFO[code];
  return problemSchema.parse({
    type: problemTypeFor(code),
    title: info.title,
    status: info.status,
    code,
    retryable: info.retryable,
    ...overrides,
  });
}
