import type { Connection } from '../contract';

const DEFAULT_LIFETIME_DAYS = 60;

/**
 * What the backend holds right after a successful `DELETE /connection`, built from the answer so
 * the cache says "disconnected" at once: a refetch that fails afterwards cannot turn the
 * just-disconnected card into an error. Keeps the facts a disconnect does not change (when it was
 * last used, the refresh-token lifetime setting); the next read replaces it with the backend's own.
 */
export function disconnectedConnection(previous: Connection | undefined, now: Date = new Date()): Connection {
  return {
    status: 'disconnected',
    reason: 'user_disconnected',
    tenant: null,
    scopes: [],
    connectedAt: null,
    connectedBy: null,
    lastUsedAt: previous?.lastUsedAt ?? null,
    lastRefreshedAt: previous?.lastRefreshedAt ?? null,
    refreshTokenExpiresAt: null,
    refreshTokenLifetimeDays: previous?.refreshTokenLifetimeDays ?? DEFAULT_LIFETIME_DAYS,
    checkedAt: now.toISOString(),
    lastError: null,
  };
}
