import type { Connection } from '../contract';
import type { StoredConnection } from './connection-store';

const DAY_MS = 86_400_000;

/**
 * The contract's `Connection` for a stored one. `refreshTokenExpiresAt` is an estimate: Xero's
 * refresh token expires after `refreshTokenLifetimeDays` unused, counted from when the current one
 * was issued (the code exchange or the last refresh).
 */
export function toContractConnection(stored: StoredConnection | null, lifetimeDays: number, now: Date): Connection {
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
    };
  }
  const issuedAt = stored.lastRefreshedAt ?? stored.connectedAt;
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
  };
  if (stored.status === 'connected' && stored.tenant !== null) {
    return { ...common, status: 'connected', reason: null, tenant: stored.tenant };
  }
  if (stored.status === 'needs_reauth') {
    return { ...common, status: 'needs_reauth', reason: stored.needsReauthReason ?? 'refresh_token_expired', tenant: stored.tenant };
  }
  return { ...common, status: 'disconnected', reason: 'user_disconnected', tenant: null, refreshTokenExpiresAt: null };
}
