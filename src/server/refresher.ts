import type { ConnectionKey, ConnectionStore, StoredConnection, StoredTokens } from './connection-store';
import type { XeroOAuth } from './oauth';
import { XeroConnectionHandlerError } from './xero-error';

// A refresh is started this long before the access token's expiry, so a token is never sent
// to Xero in its last seconds.
const EXPIRY_MARGIN_MS = 60_000;

/**
 * One lock per connection key, in this process. Everything that reads and then rewrites a
 * connection's tokens (refresh, callback, disconnect) runs under it, so Xero's rotating refresh
 * token is never spent twice. Several processes need a lock in the shared store instead.
 */
export function createKeyedLock() {
  const tails = new Map<string, Promise<unknown>>();
  return async function withLock<T>(key: ConnectionKey, task: () => Promise<T>): Promise<T> {
    const id = JSON.stringify([key.integrationKey, key.accountId]);
    const previous = tails.get(id) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(id, tail);
    try {
      return await run;
    } finally {
      if (tails.get(id) === tail) tails.delete(id);
    }
  };
}

/** The lock function of {@link createKeyedLock}. */
export type KeyedLock = ReturnType<typeof createKeyedLock>;

/** Whether the stored access token is expired (or about to be). */
export function accessTokenIsStale(tokens: StoredTokens, now: Date): boolean {
  return Date.parse(tokens.accessTokenExpiresAt) - EXPIRY_MARGIN_MS <= now.getTime();
}

/** Options of {@link createRefresher}. */
export interface RefresherOptions {
  store: ConnectionStore;
  oauth: XeroOAuth;
  lock: KeyedLock;
  clock: () => Date;
}

/** What {@link Refresher.freshConnection} found: the stored connection, refreshed if it was due. */
export type FreshConnection = StoredConnection | null;

export interface Refresher {
  /**
   * The stored connection with a usable access token: refreshed first when stale, by one refresh
   * per connection however many callers ask at once (single flight). A rate limit or outage is
   * thrown; `invalid_grant` is stored as `needs_reauth` / `refresh_token_expired` and returned.
   */
  freshConnection(key: ConnectionKey, options?: { force?: boolean }): Promise<FreshConnection>;
  /** The same, for a caller that already holds the connection's lock. */
  freshConnectionLocked(key: ConnectionKey, options?: { force?: boolean }): Promise<FreshConnection>;
}

export function createRefresher({ store, oauth, lock, clock }: RefresherOptions): Refresher {
  const inFlight = new Map<string, Promise<FreshConnection>>();

  async function freshConnectionLocked(key: ConnectionKey, { force = false } = {}): Promise<FreshConnection> {
    const connection = await store.getConnection(key);
    if (connection === null || connection.status !== 'connected' || connection.tokens === null) return connection;
    if (!force && !accessTokenIsStale(connection.tokens, clock())) return connection;
    try {
      const tokens = await oauth.refresh(connection.tokens.refreshToken);
      const now = clock();
      const refreshed: StoredConnection = {
        ...connection,
        tokens: {
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: new Date(now.getTime() + tokens.expiresInSeconds * 1000).toISOString(),
          refreshToken: tokens.refreshToken,
        },
        scopes: tokens.scopes,
        lastRefreshedAt: now.toISOString(),
        lastUsedAt: now.toISOString(),
        checkedAt: now.toISOString(),
        lastError: null,
      };
      // Xero has already spent the old refresh token: the new one is stored before anything uses
      // the new access token, or a crash here would lose the grant.
      await store.putConnection(key, refreshed);
      return refreshed;
    } catch (error) {
      if (error instanceof XeroConnectionHandlerError && error.code === 'XERO_INVALID_GRANT') {
        const now = clock().toISOString();
        const dead: StoredConnection = {
          ...connection,
          status: 'needs_reauth',
          needsReauthReason: 'refresh_token_expired',
          tokens: null,
          checkedAt: now,
          lastError: { code: 'XERO_INVALID_GRANT', message: 'Xero answered invalid_grant to a refresh', at: now },
        };
        await store.putConnection(key, dead);
        return dead;
      }
      throw error;
    }
  }

  return {
    freshConnectionLocked,
    freshConnection(key, options) {
      const id = JSON.stringify([key.integrationKey, key.accountId, options?.force === true]);
      const running = inFlight.get(id);
      if (running !== undefined) return running;
      const started = lock(key, () => freshConnectionLocked(key, options)).finally(() => inFlight.delete(id));
      inFlight.set(id, started);
      return started;
    },
  };
}
