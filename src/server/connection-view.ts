import type { Connection, KeepAlive } from '../contract';
import { isKeptAlive, refreshTokenIssuedAt, type StoredConnection } from './connection-store';

const DAY_MS = 86_400_000;

/** How a stored connection is shown to one client. */
export interface ViewOptions {
  /** Xero's refresh token lifetime when unused, in days. */
  lifetimeDays: number;
  now: Date;
  /**
   * The contract minor the reader announced (`Accept: application/json; contract=1.1` → 1). A 1.0
   * reader is never shown `choosing_organisation`, which its schema would reject.
   */
  contractMinor: number;
  /** The keep-alive threshold in days when the handler runs keep-alive; `null`: no `keepAlive` field. */
  keepAliveDays: number | null;
}

function keepAliveOf(stored: StoredConnection | null, keepAliveDays: number | null): { keepAlive?: KeepAlive } {
  if (keepAliveDays === null) return {};
  const issued = stored !== null && isKeptAlive(stored) ? refreshTokenIssuedAt(stored) : null;
  return {
    keepAlive: {
      enabled: true,
      lastRefreshedAt: stored?.keepAlive?.lastRefreshedAt ?? null,
      // When the connection becomes due: keep-alive refreshes it on its first run from then on.
      nextRefreshAt: issued === null ? null : new Date(Date.parse(issued) + keepAliveDays * DAY_MS).toISOString(),
      failing: stored?.keepAlive?.failing ?? false,
    },
  };
}

/**
 * The contract's `Connection` for a stored one. `refreshTokenExpiresAt` is an estimate: Xero's
 * refresh token expires after `refreshTokenLifetimeDays` unused, counted from when the current one
 * was issued (the code exchange or the last refresh).
 */
export function toContractConnection(stored: StoredConnection | null, options: ViewOptions): Connection {
  const { lifetimeDays, now } = options;
  const keepAlive = keepAliveOf(stored, options.keepAliveDays);
  if (stored === null) {
    return {
      status: 'disconnected',
      reason: 'never_connected',
      tenant: null,
      scopes: [],
      connectedAt: null,
      connectedBy: null,
      lastUsedAt: null,
      lastRefreshedAt: null,
      refreshTokenExpiresAt: null,
      refreshTokenLifetimeDays: lifetimeDays,
      checkedAt: now.toISOString(),
      lastError: null,
      ...keepAlive,
    };
  }
  const issuedAt = refreshTokenIssuedAt(stored);
  const common = {
    scopes: stored.scopes,
    connectedAt: stored.connectedAt,
    connectedBy: stored.connectedBy,
    lastUsedAt: stored.lastUsedAt,
    lastRefreshedAt: stored.lastRefreshedAt,
    refreshTokenExpiresAt:
      stored.tokens !== null && issuedAt !== null ? new Date(Date.parse(issuedAt) + lifetimeDays * DAY_MS).toISOString() : null,
    refreshTokenLifetimeDays: lifetimeDays,
    checkedAt: stored.checkedAt,
    lastError: stored.lastError,
    ...keepAlive,
  };
  if (stored.status === 'connected' && stored.tenant !== null) {
    return { ...common, status: 'connected', reason: null, tenant: stored.tenant };
  }
  if (stored.status === 'needs_reauth') {
    return { ...common, status: 'needs_reauth', reason: stored.needsReauthReason ?? 'refresh_token_expired', tenant: stored.tenant };
  }
  const choice = stored.organisationChoice;
  if (stored.status === 'choosing_organisation' && choice !== undefined && choice !== null && choice.organisations.length > 0) {
    if (options.contractMinor >= 1) {
      return { ...common, status: 'choosing_organisation', reason: choice.reason, tenant: stored.tenant, organisations: choice.organisations };
    }
    // A 1.0 client knows no such status: nothing is linked, so it reads as not connected (reason
    // unknown), and its "Connect to Xero" starts a 1.0 round trip, which links one organisation.
    return { ...common, status: 'disconnected', reason: null, tenant: null, refreshTokenExpiresAt: null };
  }
  return { ...common, status: 'disconnected', reason: 'user_disconnected', tenant: null, refreshTokenExpiresAt: null };
}
