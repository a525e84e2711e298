import type { ConnectMode, ErrorCode, NEEDS_REAUTH_REASONS, Tenant } from '../contract';

/**
 * The key of one stored connection: one Xero connection per integration (its `integrationKey`,
 * e.g. billing or payroll) per portal account (`accountId` from `authenticate`). The connection
 * belongs to the account, not to the user who made it: any user of the account with `canManage`
 * may repair or remove it, and `connectedBy` records who made it.
 */
export interface ConnectionKey {
  integrationKey: string;
  accountId: string;
}

/** The tokens of one grant. They never leave the backend. */
export interface StoredTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

/** What the handler keeps for one connection. A never-connected key has no record. */
export interface StoredConnection {
  status: 'connected' | 'needs_reauth' | 'disconnected';
  needsReauthReason: (typeof NEEDS_REAUTH_REASONS)[number] | null;
  tenant: Tenant | null;
  scopes: string[];
  /** `null` once the grant is dead or the connection removed. */
  tokens: StoredTokens | null;
  connectedAt: string | null;
  connectedBy: { userId: string; displayName: string } | null;
  lastUsedAt: string | null;
  /** When the current refresh token was issued (by the code exchange or the last refresh). */
  lastRefreshedAt: string | null;
  checkedAt: string;
  lastError: { code: ErrorCode; message: string; at: string } | null;
}

/** A started connect round trip, waiting for the browser to come back from Xero. */
export interface ConnectSession {
  state: string;
  key: ConnectionKey;
  /** The portal user who started it: only they may finish it. */
  userId: string;
  displayName: string;
  codeVerifier: string;
  returnTo: string;
  mode: ConnectMode;
  expectedTenantId: string | null;
  expiresAt: string;
}

/**
 * Storage behind the handler. Implementations must make {@link ConnectionStore.takeConnectSession}
 * atomic (a state is usable once) and must persist {@link ConnectionStore.putConnection} before
 * resolving: the rotated refresh token is only used after it is stored. A store shared by several
 * backend instances must also implement {@link ConnectionStore.withConnectionLock}, or two
 * instances may spend the same refresh token.
 */
export interface ConnectionStore {
  getConnection(key: ConnectionKey): Promise<StoredConnection | null>;
  putConnection(key: ConnectionKey, connection: StoredConnection): Promise<void>;
  putConnectSession(session: ConnectSession): Promise<void>;
  /** Removes and returns the session for `state`, or `null` when unknown or already taken. */
  takeConnectSession(state: string): Promise<ConnectSession | null>;
  /**
   * Optional: a lock on one connection that holds across every process sharing this store. Stores
   * that several backend instances share (the PostgreSQL one) implement it; the memory and SQLite
   * stores do not need to, as the handler's in-process lock already covers one process.
   *
   * Guarantees, for implementations: `task` runs only while no other holder of the lock for the
   * same `key` (in any process on the same storage) is running its task; the lock is released when
   * the task settles, whether it resolves or throws, and the task's result or error is passed on
   * unchanged; a holder that dies (crash, lost database connection) releases it. It may reject
   * without running `task` when the lock cannot be had (e.g. after a timeout): nothing has been
   * done then. Locks on different keys never wait for one another.
   *
   * The handler takes its in-process lock first and this one inside it, around everything that
   * reads and then rewrites a connection's tokens (refresh, callback, verify, disconnect), and it
   * re-reads the connection after acquiring: a refresh made by another instance is seen, never
   * repeated with the spent refresh token.
   */
  withConnectionLock?<T>(key: ConnectionKey, task: () => Promise<T>): Promise<T>;
}

function storageKey(key: ConnectionKey): string {
  return JSON.stringify([key.integrationKey, key.accountId]);
}

/**
 * A store in this process's memory: for tests, the demo and single-instance development. State is
 * lost on restart, and a second instance would hold a second copy of the token set (which breaks
 * it): production needs a shared store.
 */
export function createMemoryConnectionStore(options: { maxConnectSessions?: number } = {}): ConnectionStore {
  // Round trips that are never finished would pile up: the oldest are dropped past this many.
  const maxSessions = options.maxConnectSessions ?? 10_000;
  const connections = new Map<string, StoredConnection>();
  const sessions = new Map<string, ConnectSession>();
  return {
    async getConnection(key) {
      const found = connections.get(storageKey(key));
      return found === undefined ? null : structuredClone(found);
    },
    async putConnection(key, connection) {
      connections.set(storageKey(key), structuredClone(connection));
    },
    async putConnectSession(session) {
      sessions.set(session.state, structuredClone(session));
      for (const state of sessions.keys()) {
        if (sessions.size <= maxSessions) break;
        sessions.delete(state);
      }
    },
    async takeConnectSession(state) {
      const found = sessions.get(state);
      if (found === undefined) return null;
      sessions.delete(state);
      return found;
    },
  };
}
