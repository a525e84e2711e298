import { closeSync, openSync } from 'node:fs';

import type BetterSqlite3 from 'better-sqlite3';

import type { CompletedIdempotencyRecord, IdempotencyRecord, PendingIdempotencyRecord } from '../contract/idempotency';
import {
  connectSessionVerdict,
  type ConnectionStore,
  type ConnectSession,
  type ConnectSessionLimits,
  type DueConnection,
  type DueConnectionQuery,
  type IdempotencyKeyId,
  type StartConnectSessionResult,
  type StoredConnection,
  type ClaimedConnectionEvent,
  type ConnectionEventClaim,
  type ConnectionEventFailure,
} from './connection-store';
import { connectionEventsFor, type ConnectionEvent } from './connection-events';
import {
  connectionColumnsAad,
  openTokens,
  openVerifier,
  reencryptRows,
  sealTokens,
  sealVerifier,
  sessionColumnAad,
  storeCipher,
  type ConnectionRow,
  type ReencryptRow,
  type ReencryptSummary,
  type SessionRow,
  type SqlStoreOptions,
} from './sealed-columns';

/** Options of {@link createSqliteConnectionStore}. */
export interface SqliteConnectionStoreOptions extends SqlStoreOptions {
  /** The database file (created when missing, mode 0600), or `':memory:'` for a throwaway database. */
  filename: string;
}

/** A {@link ConnectionStore} in a SQLite file. Close it on shutdown. */
export interface SqliteConnectionStore extends ConnectionStore {
  /** Whether tokens are encrypted at rest (`false` only in insecure demo mode without a key). */
  readonly encrypted: boolean;
  /** Closes the database; the store is unusable afterwards. */
  close(): void;
  /** The connections keep-alive should refresh: see {@link ConnectionStore.listDueConnections}. */
  listDueConnections(query: DueConnectionQuery): Promise<DueConnection[]>;
  /**
   * Completes a key rotation: re-encrypts every connection's tokens and every pending session's
   * PKCE verifier that a previous key wrote under the current `encryptionKey`, so that key can be
   * removed from `previousEncryptionKeys`. Safe while the handler runs: each row is written only if
   * it still holds what was read (a refresh meanwhile wrote it with the current key already). Run
   * it again until `unreadable` is 0 and nothing is left to re-encrypt before removing the old key.
   */
  reencrypt(): Promise<ReencryptSummary>;
  /** See {@link ConnectionStore.startConnectSession}: in one immediate transaction. */
  startConnectSession(session: ConnectSession, limits: ConnectSessionLimits): Promise<StartConnectSessionResult>;
  /** See {@link ConnectionStore.claimIdempotencyKey}: in one immediate transaction. */
  claimIdempotencyKey(id: IdempotencyKeyId, pending: PendingIdempotencyRecord): Promise<IdempotencyRecord | null>;
  /** See {@link ConnectionStore.completeIdempotencyKey}. */
  completeIdempotencyKey(id: IdempotencyKeyId, record: CompletedIdempotencyRecord): Promise<void>;
  /** See {@link ConnectionStore.releaseIdempotencyKey}. */
  releaseIdempotencyKey(id: IdempotencyKeyId): Promise<void>;
  /** See {@link ConnectionStore.claimConnectionEvents}: in one immediate transaction. */
  claimConnectionEvents(query: ConnectionEventClaim): Promise<ClaimedConnectionEvent[]>;
  /** See {@link ConnectionStore.markConnectionEventDelivered}. */
  markConnectionEventDelivered(id: string, at: string): Promise<void>;
  /** See {@link ConnectionStore.recordConnectionEventFailure}. */
  recordConnectionEventFailure(id: string, failure: ConnectionEventFailure): Promise<void>;
}

/** The schema version this code writes. A newer file is refused rather than misread. */
export const SQLITE_SCHEMA_VERSION = 6;

const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE xero_connections (
        integration_key TEXT NOT NULL,
        account_id TEXT NOT NULL,
        -- the StoredConnection without its tokens, as JSON
        data TEXT NOT NULL,
        -- AES-256-GCM (see token-cipher.ts); NULL when the connection has no tokens
        access_token TEXT,
        access_token_expires_at TEXT,
        refresh_token TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (integration_key, account_id)
      );
      CREATE TABLE xero_connect_sessions (
        state TEXT PRIMARY KEY,
        -- the ConnectSession without its PKCE verifier, as JSON
        data TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
  {
    // Keep-alive lists due connections by when their refresh token was issued. Generated from the
    // JSON record, so every writer (older versions of this package included) keeps them right;
    // VIRTUAL because SQLite can only add that kind, and the index stores what the query needs.
    // The timestamps are toISOString() text, whose order is time order.
    version: 2,
    sql: `
      ALTER TABLE xero_connections ADD COLUMN status TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL;
      ALTER TABLE xero_connections ADD COLUMN refresh_token_issued_at TEXT
        GENERATED ALWAYS AS (COALESCE(json_extract(data, '$.lastRefreshedAt'), json_extract(data, '$.connectedAt'))) VIRTUAL;
      CREATE INDEX xero_connections_due ON xero_connections (integration_key, refresh_token_issued_at)
        WHERE status = 'connected' AND refresh_token IS NOT NULL;
    `,
  },
  {
    // The contract's Idempotency-Key records (see answerIdempotently): one per integration,
    // account, user, route and key. Bounded: the oldest claims (rowid order, as a re-claim
    // re-inserts) are dropped past maxIdempotencyRecords, expired ones as new ones arrive.
    version: 3,
    sql: `
      CREATE TABLE xero_idempotency_records (
        integration_key TEXT NOT NULL,
        account_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        route TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        -- the IdempotencyRecord as JSON: a contract answer, which never holds a token
        data TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (integration_key, account_id, user_id, route, idempotency_key)
      );
      CREATE INDEX xero_idempotency_records_expiry ON xero_idempotency_records (expires_at);
    `,
  },
  {
    // Connect sessions are bounded per user and per account (startConnectSession): who a session
    // belongs to, generated from its JSON so rows of every writer count, and indexed with expiry.
    version: 4,
    sql: `
      ALTER TABLE xero_connect_sessions ADD COLUMN integration_key TEXT GENERATED ALWAYS AS (json_extract(data, '$.key.integrationKey')) VIRTUAL;
      ALTER TABLE xero_connect_sessions ADD COLUMN account_id TEXT GENERATED ALWAYS AS (json_extract(data, '$.key.accountId')) VIRTUAL;
      ALTER TABLE xero_connect_sessions ADD COLUMN user_id TEXT GENERATED ALWAYS AS (json_extract(data, '$.userId')) VIRTUAL;
      CREATE INDEX xero_connect_sessions_owner ON xero_connect_sessions (integration_key, account_id, user_id, expires_at);
      CREATE INDEX xero_connect_sessions_expiry ON xero_connect_sessions (expires_at);
    `,
  },
  {
    // The refresh token the last refresh spent, which Xero takes again for 30 minutes after its
    // first use: the refresher retries with it when the stored one is refused inside that window.
    // Sealed like refresh_token (its own associated data); when it was spent, in clear. Rows of
    // earlier versions read with none kept.
    version: 5,
    sql: `
      ALTER TABLE xero_connections ADD COLUMN previous_refresh_token TEXT;
      ALTER TABLE xero_connections ADD COLUMN previous_refresh_token_spent_at TEXT;
    `,
  },
  {
    // The outbox of connection events (connection-events.ts): written in the same transaction as
    // the connection's change, handed out by claimConnectionEvents. next_attempt_at NULL: due now;
    // a claim sets it to the lease's end, a failure to the backoff's.
    version: 6,
    sql: `
      CREATE TABLE xero_connection_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        integration_key TEXT NOT NULL,
        account_id TEXT NOT NULL,
        -- the ConnectionEvent as JSON: never a token
        data TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        delivered_at TEXT,
        dead_at TEXT,
        last_error TEXT
      );
      CREATE INDEX xero_connection_events_pending ON xero_connection_events (integration_key, seq)
        WHERE delivered_at IS NULL AND dead_at IS NULL;
    `,
  },
];

type DatabaseConstructor = typeof BetterSqlite3;

/** The id's fields alone, as named parameters (better-sqlite3 refuses unknown ones). */
function idOf(id: IdempotencyKeyId): IdempotencyKeyId {
  return { integrationKey: id.integrationKey, accountId: id.accountId, userId: id.userId, route: id.route, key: id.key };
}

// Loaded on first use only: hosts on the memory store never need the native module installed.
async function loadBetterSqlite3(): Promise<DatabaseConstructor> {
  try {
    const loaded = (await import('better-sqlite3')) as { default?: DatabaseConstructor };
    return loaded.default ?? (loaded as unknown as DatabaseConstructor);
  } catch (error) {
    throw new Error('createSqliteConnectionStore needs the optional peer dependency better-sqlite3 (12.x): npm install better-sqlite3@^12', {
      cause: error,
    });
  }
}

function migrate(db: BetterSqlite3.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS xero_connection_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS version FROM xero_connection_migrations').get() as { version: number | null };
    const current = row.version ?? 0;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw new Error(`The connection database has schema version ${current}; this version of the package knows up to ${SQLITE_SCHEMA_VERSION}`);
    }
    const record = db.prepare('INSERT INTO xero_connection_migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }
  }).immediate();
}

/**
 * A {@link ConnectionStore} in SQLite (better-sqlite3 12.x, an optional peer dependency loaded
 * here only): the embedded default for one backend instance. Access and refresh tokens and PKCE
 * verifiers are encrypted at rest with AES-256-GCM under a key from `XERO_CONNECTION_ENCRYPTION_KEY`
 * (or `encryptionKey`); without a key it refuses to open, unless `insecureDemoMode` is passed for
 * the demo. The schema is created on open. A state is taken once (delete-and-return in one
 * transaction), and writes are on disk when the promise resolves.
 *
 * @throws {XeroConnectionEncryptionKeyError} when the key is missing or not 32 bytes.
 * @throws {XeroConnectionDecryptionError} from reads, when a value was encrypted with another key or altered.
 */
export async function createSqliteConnectionStore(options: SqliteConnectionStoreOptions): Promise<SqliteConnectionStore> {
  const cipher = storeCipher('SQLite', options);
  const maxSessions = options.maxConnectSessions ?? 10_000;
  const maxIdempotencyRecords = options.maxIdempotencyRecords ?? 10_000;
  const Database = await loadBetterSqlite3();

  const onDisk = options.filename !== ':memory:' && options.filename !== '';
  // Create a new file readable by this user only (SQLite gives its journal files the same mode).
  if (onDisk) closeSync(openSync(options.filename, 'a', 0o600));
  const db = new Database(options.filename);
  try {
    db.pragma('busy_timeout = 5000');
    if (onDisk) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const selectConnection = db.prepare<[string, string], ConnectionRow>(
    `SELECT data, access_token, access_token_expires_at, refresh_token, previous_refresh_token, previous_refresh_token_spent_at
       FROM xero_connections WHERE integration_key = ? AND account_id = ?`,
  );
  const upsertConnection = db.prepare(
    `INSERT INTO xero_connections (integration_key, account_id, data, access_token, access_token_expires_at, refresh_token,
       previous_refresh_token, previous_refresh_token_spent_at, updated_at)
     VALUES (@integrationKey, @accountId, @data, @accessToken, @accessTokenExpiresAt, @refreshToken,
       @previousRefreshToken, @previousRefreshTokenSpentAt, @updatedAt)
     ON CONFLICT (integration_key, account_id) DO UPDATE SET
       data = excluded.data, access_token = excluded.access_token, access_token_expires_at = excluded.access_token_expires_at,
       refresh_token = excluded.refresh_token, previous_refresh_token = excluded.previous_refresh_token,
       previous_refresh_token_spent_at = excluded.previous_refresh_token_spent_at, updated_at = excluded.updated_at`,
  );
  // A page in (issued at, account) order after a cursor; ('', '') starts at the beginning (every
  // issued-at is a non-empty timestamp) and a limit of -1 is SQLite's "no limit".
  const selectDue = db.prepare<[string, string, string, string, number], { account_id: string; refresh_token_issued_at: string; tenant_id: string | null }>(
    `SELECT account_id, refresh_token_issued_at, json_extract(data, '$.tenant.tenantId') AS tenant_id FROM xero_connections
      WHERE integration_key = ? AND status = 'connected' AND refresh_token IS NOT NULL AND refresh_token_issued_at < ?
        AND (refresh_token_issued_at, account_id) > (?, ?)
      ORDER BY refresh_token_issued_at, account_id LIMIT ?`,
  );
  const selectConnectionData = db.prepare<[string, string], { data: string }>(
    'SELECT data FROM xero_connections WHERE integration_key = ? AND account_id = ?',
  );
  const insertEvent = db.prepare(
    'INSERT INTO xero_connection_events (id, integration_key, account_id, data) VALUES (@id, @integrationKey, @accountId, @data)',
  );
  // The change and its events commit together or not at all (the outbox).
  const writeConnection = db.transaction((key: { integrationKey: string; accountId: string }, connection: StoredConnection, row: Record<string, string | null>) => {
    const found = selectConnectionData.get(key.integrationKey, key.accountId);
    // The record before, without its tokens: events never need them.
    const before = found === undefined ? null : (JSON.parse(found.data) as StoredConnection);
    upsertConnection.run(row);
    for (const event of connectionEventsFor(key, before, connection, new Date())) {
      insertEvent.run({ id: event.id, integrationKey: event.integrationKey, accountId: event.accountId, data: JSON.stringify(event) });
    }
  });
  const selectDueEvents = db.prepare<[string, string, number], { id: string; data: string; attempts: number }>(
    `SELECT id, data, attempts FROM xero_connection_events
      WHERE integration_key = ? AND delivered_at IS NULL AND dead_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
      ORDER BY seq LIMIT ?`,
  );
  const leaseEvent = db.prepare<[string, string]>('UPDATE xero_connection_events SET next_attempt_at = ? WHERE id = ?');
  const claimEvents = db.transaction((query: ConnectionEventClaim): ClaimedConnectionEvent[] => {
    const rows = selectDueEvents.all(query.integrationKey, query.now, query.limit);
    for (const row of rows) leaseEvent.run(query.leaseUntil, row.id);
    return rows.map((row) => ({ event: JSON.parse(row.data) as ConnectionEvent, attempts: row.attempts }));
  });
  const markEventDelivered = db.prepare<[string, string]>('UPDATE xero_connection_events SET delivered_at = ? WHERE id = ?');
  const recordEventFailure = db.prepare(
    `UPDATE xero_connection_events SET attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttemptAt,
       dead_at = CASE WHEN @nextAttemptAt IS NULL THEN @at ELSE NULL END WHERE id = @id`,
  );
  const insertSession = db.prepare(
    'INSERT OR REPLACE INTO xero_connect_sessions (state, data, code_verifier, expires_at) VALUES (@state, @data, @codeVerifier, @expiresAt)',
  );
  const evictSessions = db.prepare(
    'DELETE FROM xero_connect_sessions WHERE rowid IN (SELECT rowid FROM xero_connect_sessions ORDER BY rowid DESC LIMIT -1 OFFSET ?)',
  );
  const deleteSession = db.prepare<[string], SessionRow>('DELETE FROM xero_connect_sessions WHERE state = ? RETURNING data, code_verifier');
  const putSession = db.transaction((row: Record<string, string>) => {
    insertSession.run(row);
    evictSessions.run(maxSessions);
  });
  const takeSession = db.transaction((state: string) => deleteSession.get(state));
  // Key rotation (reencrypt): every row, a page at a time by rowid, written back only if unchanged.
  const REENCRYPT_PAGE = 200;
  type ConnectionPageRow = {
    rowid: number;
    integration_key: string;
    account_id: string;
    access_token: string | null;
    refresh_token: string | null;
    previous_refresh_token: string | null;
  };
  const selectConnectionPage = db.prepare<[number, number], ConnectionPageRow>(
    'SELECT rowid, integration_key, account_id, access_token, refresh_token, previous_refresh_token FROM xero_connections WHERE rowid > ? ORDER BY rowid LIMIT ?',
  );
  const selectSessionPage = db.prepare<[number, number], { rowid: number; state: string; code_verifier: string }>(
    'SELECT rowid, state, code_verifier FROM xero_connect_sessions WHERE rowid > ? ORDER BY rowid LIMIT ?',
  );
  const updateSealedTokens = db.prepare(
    `UPDATE xero_connections SET access_token = @access, refresh_token = @refresh, previous_refresh_token = @previous
      WHERE integration_key = @integrationKey AND account_id = @accountId
        AND access_token IS @oldAccess AND refresh_token IS @oldRefresh AND previous_refresh_token IS @oldPrevious`,
  );
  const updateSealedVerifier = db.prepare('UPDATE xero_connect_sessions SET code_verifier = @verifier WHERE state = @state AND code_verifier = @old');
  function* pages<Row extends { rowid: number }>(select: BetterSqlite3.Statement<[number, number], Row>, toRow: (row: Row) => ReencryptRow): Generator<ReencryptRow> {
    let after = 0;
    for (;;) {
      const page = select.all(after, REENCRYPT_PAGE);
      for (const row of page) {
        after = row.rowid;
        yield toRow(row);
      }
      if (page.length < REENCRYPT_PAGE) return;
    }
  }

  type Tally = { count: number; oldest: string | null };
  const deleteExpiredSessions = db.prepare<[string]>('DELETE FROM xero_connect_sessions WHERE expires_at <= ?');
  const tallyUser = db.prepare<[string, string, string], Tally>(
    'SELECT count(*) AS count, min(expires_at) AS oldest FROM xero_connect_sessions WHERE integration_key = ? AND account_id = ? AND user_id = ?',
  );
  const tallyAccount = db.prepare<[string, string], Tally>(
    'SELECT count(*) AS count, min(expires_at) AS oldest FROM xero_connect_sessions WHERE integration_key = ? AND account_id = ?',
  );
  const tallyAll = db.prepare<[], Tally>('SELECT count(*) AS count, min(expires_at) AS oldest FROM xero_connect_sessions');
  const pending = (tally: Tally | undefined) => ({ count: tally?.count ?? 0, oldestExpiresAt: tally?.oldest ?? null });
  const startSession = db.transaction((session: ConnectSession, row: Record<string, string>, limits: ConnectSessionLimits) => {
    deleteExpiredSessions.run(limits.now);
    const { integrationKey, accountId } = session.key;
    const verdict = connectSessionVerdict(
      {
        user: pending(tallyUser.get(integrationKey, accountId, session.userId)),
        account: pending(tallyAccount.get(integrationKey, accountId)),
        store: pending(tallyAll.get()),
      },
      limits,
      maxSessions,
    );
    if (verdict.stored) insertSession.run(row);
    return verdict;
  });

  const idempotencyWhere = 'integration_key = @integrationKey AND account_id = @accountId AND user_id = @userId AND route = @route AND idempotency_key = @key';
  const selectIdempotency = db.prepare<[IdempotencyKeyId], { data: string; expires_at: string }>(
    `SELECT data, expires_at FROM xero_idempotency_records WHERE ${idempotencyWhere}`,
  );
  const insertIdempotency = db.prepare(
    `INSERT OR REPLACE INTO xero_idempotency_records (integration_key, account_id, user_id, route, idempotency_key, data, expires_at)
     VALUES (@integrationKey, @accountId, @userId, @route, @key, @data, @expiresAt)`,
  );
  const updateIdempotency = db.prepare(`UPDATE xero_idempotency_records SET data = @data, expires_at = @expiresAt WHERE ${idempotencyWhere}`);
  const deleteIdempotency = db.prepare<[IdempotencyKeyId]>(`DELETE FROM xero_idempotency_records WHERE ${idempotencyWhere}`);
  const purgeIdempotency = db.prepare<[string]>('DELETE FROM xero_idempotency_records WHERE expires_at <= ?');
  const evictIdempotency = db.prepare<[number]>(
    'DELETE FROM xero_idempotency_records WHERE rowid IN (SELECT rowid FROM xero_idempotency_records ORDER BY rowid DESC LIMIT -1 OFFSET ?)',
  );
  // One transaction: of two claims for the same key, the second sees the first's record.
  const claimIdempotency = db.transaction((id: IdempotencyKeyId, pending: IdempotencyRecord): IdempotencyRecord | null => {
    const found = selectIdempotency.get(id);
    if (found !== undefined && found.expires_at > pending.createdAt) return JSON.parse(found.data) as IdempotencyRecord;
    insertIdempotency.run({ ...id, data: JSON.stringify(pending), expiresAt: pending.expiresAt });
    purgeIdempotency.run(pending.createdAt);
    evictIdempotency.run(maxIdempotencyRecords);
    return null;
  });

  return {
    encrypted: cipher.encrypts,
    close() {
      db.close();
    },
    async getConnection(key) {
      const row = selectConnection.get(key.integrationKey, key.accountId);
      if (row === undefined) return null;
      // The status in `data` and the sealed tokens were written together by putConnection.
      return { ...(JSON.parse(row.data) as StoredConnection), tokens: openTokens(cipher, key, row) } as StoredConnection;
    },
    async putConnection(key, connection) {
      const { tokens, ...rest } = connection;
      const sealed = sealTokens(cipher, key, tokens);
      writeConnection.immediate(key, connection, {
        integrationKey: key.integrationKey,
        accountId: key.accountId,
        data: JSON.stringify({ ...rest, tokens: null }),
        accessToken: sealed.access_token,
        accessTokenExpiresAt: sealed.access_token_expires_at,
        refreshToken: sealed.refresh_token,
        previousRefreshToken: sealed.previous_refresh_token,
        previousRefreshTokenSpentAt: sealed.previous_refresh_token_spent_at,
        updatedAt: new Date().toISOString(),
      });
    },
    async claimConnectionEvents(query) {
      return claimEvents.immediate(query);
    },
    async markConnectionEventDelivered(id, at) {
      markEventDelivered.run(at, id);
    },
    async recordConnectionEventFailure(id, failure) {
      recordEventFailure.run({ id, at: failure.at, error: failure.error, nextAttemptAt: failure.nextAttemptAt });
    },
    async listDueConnections({ integrationKey, issuedBefore, after, limit }) {
      const rows = selectDue.all(integrationKey, issuedBefore, after?.refreshTokenIssuedAt ?? '', after?.accountId ?? '', limit ?? -1);
      return rows.map((row) => ({
        key: { integrationKey, accountId: row.account_id },
        refreshTokenIssuedAt: row.refresh_token_issued_at,
        tenantId: row.tenant_id,
      }));
    },
    async putConnectSession(session) {
      const { codeVerifier, ...rest } = session;
      putSession({
        state: session.state,
        data: JSON.stringify(rest),
        codeVerifier: sealVerifier(cipher, session.state, codeVerifier),
        expiresAt: session.expiresAt,
      });
    },
    async reencrypt() {
      const connections = await reencryptRows(cipher, pages(selectConnectionPage, (row) => {
        const key = { integrationKey: row.integration_key, accountId: row.account_id };
        const [accessAad, refreshAad, previousAad] = connectionColumnsAad(key);
        return {
          values: [
            { sealed: row.access_token, associatedData: accessAad },
            { sealed: row.refresh_token, associatedData: refreshAad },
            { sealed: row.previous_refresh_token, associatedData: previousAad },
          ],
          writeIfUnchanged: async ([access, refresh, previous]) => {
            updateSealedTokens.run({
              ...key,
              access: access ?? null,
              refresh: refresh ?? null,
              previous: previous ?? null,
              oldAccess: row.access_token,
              oldRefresh: row.refresh_token,
              oldPrevious: row.previous_refresh_token,
            });
          },
        };
      }));
      const connectSessions = await reencryptRows(cipher, pages(selectSessionPage, (row) => ({
        values: [{ sealed: row.code_verifier, associatedData: sessionColumnAad(row.state) }],
        writeIfUnchanged: async ([verifier]) => {
          updateSealedVerifier.run({ state: row.state, verifier: verifier ?? '', old: row.code_verifier });
        },
      })));
      return { connections, connectSessions };
    },
    async startConnectSession(session, limits) {
      const { codeVerifier, ...rest } = session;
      const row = { state: session.state, data: JSON.stringify(rest), codeVerifier: sealVerifier(cipher, session.state, codeVerifier), expiresAt: session.expiresAt };
      return startSession.immediate(session, row, limits);
    },
    async claimIdempotencyKey(id, pending) {
      return claimIdempotency.immediate(idOf(id), pending);
    },
    async completeIdempotencyKey(id, record) {
      updateIdempotency.run({ ...idOf(id), data: JSON.stringify(record), expiresAt: record.expiresAt });
    },
    async releaseIdempotencyKey(id) {
      deleteIdempotency.run(idOf(id));
    },
    async takeConnectSession(state) {
      // Deleted and returned in one statement and transaction: a second taker finds nothing.
      const row = takeSession(state);
      if (row === undefined) return null;
      const rest = JSON.parse(row.data) as Omit<ConnectSession, 'codeVerifier'>;
      return { ...rest, codeVerifier: openVerifier(cipher, state, row.code_verifier) };
    },
  };
}
