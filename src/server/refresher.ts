import type { ConnectionKey, ConnectionStore, StoredConnection, StoredTokens } from './connection-store';
import type { TokenSet, XeroOAuth } from './oauth';
import { XeroConnectionHandlerError } from './xero-error';

// A refresh is started this long before the access token's expiry, so a token is never sent
// to Xero in its last seconds.
const EXPIRY_MARGIN_MS = 60_000;

/**
 * How long Xero takes a spent (rotated) refresh token again after its first use: 30 minutes
 * (Xero's OAuth 2.0 FAQ, in XERO.md: "If a refresh response is lost, the OLD refresh token may be
 * retried for up to 30 minutes"). Inside it, a refresh whose stored refresh token is refused with
 * `invalid_grant` is retried once with {@link StoredTokens.previousRefreshToken}. Defined here, not
 * taken from the emulator (which ./server never imports); a test holds the two equal.
 */
export const PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS = 30 * 60_000;

/**
 * The refresh token kept from the last refresh, when Xero still takes it at `now`: spent less than
 * {@link PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS} ago, and not the token just refused. `null` otherwise.
 */
export function reusablePreviousRefreshToken(tokens: StoredTokens, now: Date): string | null {
  const { previousRefreshToken, previousRefreshTokenSpentAt } = tokens;
  if (previousRefreshToken === undefined || previousRefreshToken === tokens.refreshToken) return null;
  const spentAt = Date.parse(previousRefreshTokenSpentAt ?? '');
  if (!Number.isFinite(spentAt)) return null;
  return now.getTime() - spentAt < PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS ? previousRefreshToken : null;
}

/**
 * One lock per connection key, in this process. Everything that reads and then rewrites a
 * connection's tokens (refresh, callback, disconnect) runs under it, so Xero's rotating refresh
 * token is never spent twice. Several processes need the shared store's lock as well: see
 * {@link composeConnectionLock}.
 *
 * A caller waits at most `waitMs` for the callers before it (a hung holder must not hold every
 * later request of the connection for ever): then it rejects with `XERO_UNAVAILABLE` (retryable)
 * without running its task, and the callers after it still wait for the holder.
 */
export function createKeyedLock(waitMs = Number.POSITIVE_INFINITY) {
  const tails = new Map<string, Promise<unknown>>();
  return async function withLock<T>(key: ConnectionKey, task: () => Promise<T>): Promise<T> {
    const id = JSON.stringify([key.integrationKey, key.accountId]);
    const previous = tails.get(id) ?? Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const turn =
      waitMs === Number.POSITIVE_INFINITY
        ? previous.then(noop, noop)
        : new Promise<void>((resolve, reject) => {
            timer = setTimeout(
              () => reject(new XeroConnectionHandlerError('XERO_UNAVAILABLE', `The connection is busy: another request held it for over ${Math.round(waitMs / 1000)} s`)),
              waitMs,
            );
            previous.then(() => resolve(), () => resolve());
          });
    const run = turn.then(() => {
      clearTimeout(timer);
      return task();
    });
    // The next caller waits for this one's task, and for the holder before it when this one gave up.
    const tail: Promise<unknown> = Promise.all([previous.then(noop, noop), run.then(noop, noop)]).then(() => {
      // Forgotten once everything before it has ended, not when this caller gave up.
      if (tails.get(id) === tail) tails.delete(id);
    });
    tails.set(id, tail);
    try {
      return await run;
    } finally {
      clearTimeout(timer);
    }
  };
}

function noop(): void {}

/** The lock function of {@link createKeyedLock}. */
export type KeyedLock = ReturnType<typeof createKeyedLock>;

/**
 * The lock the handler runs token work under: the in-process keyed lock first, then, inside it,
 * the store's cross-instance lock when the store has one ({@link ConnectionStore.withConnectionLock}).
 * In that order so callers in this process queue in memory: at most one of them per connection
 * holds or waits for the store's lock (for PostgreSQL, one pooled connection), however many
 * requests arrive at once.
 */
export function composeConnectionLock(processLock: KeyedLock, store: ConnectionStore): KeyedLock {
  const storeLock = store.withConnectionLock?.bind(store);
  if (storeLock === undefined) return processLock;
  return <T>(key: ConnectionKey, task: () => Promise<T>): Promise<T> => processLock(key, () => storeLock(key, task));
}

/** Whether the stored access token is expired (or about to be). */
export function accessTokenIsStale(tokens: StoredTokens, now: Date): boolean {
  return Date.parse(tokens.accessTokenExpiresAt) - EXPIRY_MARGIN_MS <= now.getTime();
}

/** Options of {@link createRefresher}. */
export interface RefresherOptions {
  store: ConnectionStore;
  oauth: XeroOAuth;
  /** The lock refreshes run under: the handler's, from {@link composeConnectionLock}. */
  lock: KeyedLock;
  clock: () => Date;
  /** Xero's refresh token lifetime when unused: tells an expired token from a revoked one. Default 60. */
  refreshTokenLifetimeDays?: number;
}

const DAY_MS = 86_400_000;

/**
 * Why a refresh met `invalid_grant`. Xero answers the same bare error for an expired, a revoked
 * and an already-spent token, so the token's age decides: one issued less than the lifetime ago
 * cannot have expired, so it was revoked (in Xero, or by another holder of the grant). Without
 * a known issue time it is called expired, the common case.
 */
export function invalidGrantReason(
  connection: StoredConnection,
  now: Date,
  lifetimeDays: number,
): 'refresh_token_expired' | 'refresh_token_revoked' {
  const issued = Date.parse(connection.lastRefreshedAt ?? connection.connectedAt ?? '');
  if (!Number.isFinite(issued)) return 'refresh_token_expired';
  return now.getTime() - issued < lifetimeDays * DAY_MS ? 'refresh_token_revoked' : 'refresh_token_expired';
}

/** What {@link Refresher.freshConnection} found: the stored connection, refreshed if it was due. */
export type FreshConnection = StoredConnection | null;

/** When a connection is refreshed besides when its access token is stale. */
export interface FreshnessOptions {
  /** Refresh whatever the token's age. */
  force?: boolean;
  /**
   * Xero refused this access token before its time (a 401): refresh, unless the stored token is
   * already another one (a caller that met the same 401 refreshed first), so many callers that
   * met one 401 together make one refresh, and later callers none.
   */
  rejectedAccessToken?: string;
}

/** Who asked for a refresh: a request (reads, verify, disconnect, a choice) or keep-alive. */
export type RefreshOrigin = 'request' | 'keep-alive';

export interface Refresher {
  /**
   * The stored connection with a usable access token: refreshed first when stale, by one refresh
   * per connection however many callers ask at once (single flight). A rate limit or outage is
   * thrown; `invalid_grant` is stored as `needs_reauth` / `refresh_token_expired` and returned.
   */
  freshConnection(key: ConnectionKey, options?: FreshnessOptions): Promise<FreshConnection>;
  /** The same, for a caller that already holds the connection's lock. */
  freshConnectionLocked(key: ConnectionKey, options?: FreshnessOptions): Promise<FreshConnection>;
  /**
   * Refreshes `connection` (just read under the connection's lock, which the caller holds) now,
   * stores the outcome and returns it: the rotated tokens (with the refresh token just spent kept
   * as {@link StoredTokens.previousRefreshToken}), or `needs_reauth` after `invalid_grant`, which is
   * first retried once with the kept token while Xero still takes it
   * ({@link PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS}). Any other failure is thrown and nothing is
   * stored (the token was not spent).
   */
  refreshLocked(key: ConnectionKey, connection: StoredConnection & { tokens: StoredTokens }, origin: RefreshOrigin): Promise<StoredConnection>;
}

/** Whether a record holds a grant that refreshes: linked, or waiting for its organisation to be chosen. */
function holdsLiveGrant(connection: FreshConnection): connection is StoredConnection & { tokens: StoredTokens } {
  return connection !== null && (connection.status === 'connected' || connection.status === 'choosing_organisation') && connection.tokens !== null;
}

export function createRefresher({ store, oauth, lock, clock, refreshTokenLifetimeDays = 60 }: RefresherOptions): Refresher {
  const inFlight = new Map<string, Promise<FreshConnection>>();

  function dueForRefresh(connection: FreshConnection, { force = false, rejectedAccessToken }: FreshnessOptions): boolean {
    if (!holdsLiveGrant(connection)) return false;
    return force || connection.tokens.accessToken === rejectedAccessToken || accessTokenIsStale(connection.tokens, clock());
  }

  async function freshConnectionUnlocked(key: ConnectionKey, options: FreshnessOptions = {}): Promise<FreshConnection> {
    if (options.force !== true) {
      // Most reads find a usable token: they are answered without the lock, which for a shared
      // store costs round trips and a held database connection, and would queue every status read
      // of a connection behind the others across all instances. Only a refresh needs the lock,
      // and freshConnectionLocked reads again under it.
      const current = await store.getConnection(key);
      if (!dueForRefresh(current, options)) return current;
    }
    return lock(key, () => freshConnectionLocked(key, options));
  }

  async function freshConnectionLocked(key: ConnectionKey, options: FreshnessOptions = {}): Promise<FreshConnection> {
    // Read under the lock: when another caller (or another instance) refreshed while this one
    // waited, the rotated token is found here and used, never the spent one.
    const connection = await store.getConnection(key);
    if (!holdsLiveGrant(connection) || !dueForRefresh(connection, options)) return connection;
    return refreshLocked(key, connection, 'request');
  }

  /**
   * Refreshes with the stored refresh token; when Xero refuses it with `invalid_grant` while the
   * token kept from the last refresh is still inside Xero's reuse window (another holder reused
   * that one, or a lost answer's retry did, and Xero's rotation killed the stored one), retries
   * once with the kept token. Answers the new tokens and the refresh token to keep next: the one
   * just spent, sent at `at`, or after a retry the kept one unchanged (Xero's window runs from its
   * first use, not from the retry). Any failure of the retry is thrown as the retry's own error:
   * `invalid_grant` then marks the connection `needs_reauth`, anything else stores nothing, and the
   * next refresh tries both again.
   */
  async function refreshKeepingSpent(stored: StoredTokens): Promise<{ tokens: TokenSet; spent: { refreshToken: string; at: string } }> {
    // The time the refresh is sent, before Xero receives it: the window is never taken as longer.
    const sentAt = clock();
    try {
      return { tokens: await oauth.refresh(stored.refreshToken), spent: { refreshToken: stored.refreshToken, at: sentAt.toISOString() } };
    } catch (error) {
      if (!(error instanceof XeroConnectionHandlerError && error.code === 'XERO_INVALID_GRANT')) throw error;
      const previous = reusablePreviousRefreshToken(stored, clock());
      const previousSpentAt = stored.previousRefreshTokenSpentAt;
      if (previous === null || previousSpentAt === undefined) throw error;
      return { tokens: await oauth.refresh(previous), spent: { refreshToken: previous, at: previousSpentAt } };
    }
  }

  async function refreshLocked(
    key: ConnectionKey,
    connection: StoredConnection & { tokens: StoredTokens },
    origin: RefreshOrigin,
  ): Promise<StoredConnection> {
    const previousKeepAlive = connection.keepAlive ?? null;
    try {
      const { tokens, spent } = await refreshKeepingSpent(connection.tokens);
      const now = clock();
      const refreshed: StoredConnection = {
        ...connection,
        tokens: {
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: new Date(now.getTime() + tokens.expiresInSeconds * 1000).toISOString(),
          refreshToken: tokens.refreshToken,
          previousRefreshToken: spent.refreshToken,
          previousRefreshTokenSpentAt: spent.at,
        },
        scopes: tokens.scopes,
        lastRefreshedAt: now.toISOString(),
        // Not lastUsedAt: a refresh is upkeep (a status read, keep-alive), not use. Use is a call
        // to Xero's APIs (xeroFetch, verify), which records it.
        checkedAt: now.toISOString(),
        lastError: null,
        // Any successful refresh ends a keep-alive failure: the grant is healthy again.
        ...(origin === 'keep-alive'
          ? { keepAlive: { lastRefreshedAt: now.toISOString(), failing: false } }
          : previousKeepAlive === null
            ? {}
            : { keepAlive: { ...previousKeepAlive, failing: false } }),
      };
      // Xero has already spent the old refresh token: the new one is stored before anything uses
      // the new access token, or a crash here would lose the grant.
      await store.putConnection(key, refreshed);
      return refreshed;
    } catch (error) {
      if (error instanceof XeroConnectionHandlerError && error.code === 'XERO_INVALID_GRANT') {
        const now = clock().toISOString();
        const reason = invalidGrantReason(connection, clock(), refreshTokenLifetimeDays);
        const dead: StoredConnection = {
          ...connection,
          status: 'needs_reauth',
          needsReauthReason: reason,
          tokens: null,
          organisationChoice: null,
          checkedAt: now,
          lastError: {
            code: 'XERO_INVALID_GRANT',
            message:
              reason === 'refresh_token_revoked'
                ? 'Xero answered invalid_grant to a refresh token issued less than its lifetime ago (revoked)'
                : 'Xero answered invalid_grant to a refresh token unused past its lifetime (expired)',
            at: now,
          },
          ...(origin === 'keep-alive' ? { keepAlive: { lastRefreshedAt: previousKeepAlive?.lastRefreshedAt ?? null, failing: true } } : {}),
        };
        await store.putConnection(key, dead);
        return dead;
      }
      throw error;
    }
  }

  return {
    freshConnectionLocked,
    refreshLocked,
    freshConnection(key, options) {
      // Callers asking the same thing share one answer (single flight); the key stays in memory.
      const id = JSON.stringify([key.integrationKey, key.accountId, options?.force === true, options?.rejectedAccessToken ?? null]);
      const running = inFlight.get(id);
      if (running !== undefined) return running;
      const started = freshConnectionUnlocked(key, options).finally(() => inFlight.delete(id));
      inFlight.set(id, started);
      return started;
    },
  };
}
