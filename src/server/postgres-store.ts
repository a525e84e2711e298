import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';

// Types only: pg is an optional peer, loaded at run time for `connectionString` alone.
import type * as PgTypes from 'pg';

import type { CompletedIdempotencyRecord, IdempotencyRecord, PendingIdempotencyRecord } from '../contract/idempotency';
import {
  connectSessionVerdict,
  type ConnectionKey,
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

/**
 * What the store needs of a query result. `pg`'s results have it.
 */
export interface PostgresQueryResult {
  /** The rows, one object per row keyed by column name. */
  rows: unknown[];
  /** Rows affected or returned; `null` for commands that report none. */
  rowCount: number | null;
}

/**
 * A connection checked out of a {@link PostgresPool}: what the store needs of a `pg.PoolClient`
 * (pg 8.x). The store holds one for as long as a connection lock is held.
 */
export interface PostgresPoolClient {
  /** Runs SQL on this connection; `$1`, `$2`… are bound to `values`. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Returns the connection to the pool; with an error (or `true`) closes it instead. */
  release(destroy?: Error | boolean): void;
  /** The connection failed while checked out (the store listens while it holds one). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening, before the connection goes back to the pool. */
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * What the store needs of a `pg.Pool` (pg 8.x): typed by shape, so a host's `new pg.Pool(...)`
 * fits and this package's types do not depend on `@types/pg`.
 */
export interface PostgresPool {
  /** Runs SQL on any pooled connection; `$1`, `$2`… are bound to `values`. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Checks a connection out, for the migrations' transaction and for each lock held. */
  connect(): Promise<PostgresPoolClient>;
}

/** Options of {@link createPostgresConnectionStore}. Pass exactly one of `pool` and `connectionString`. */
export interface PostgresConnectionStoreOptions extends SqlStoreOptions {
  /**
   * The host's `pg.Pool`. The store borrows connections from it and never ends it. The lock holds
   * one connection per connection being refreshed, so size the pool for that plus the host's use.
   * Needs session pooling: behind PgBouncer in transaction mode, session advisory locks do not hold.
   */
  pool?: PostgresPool;
  /**
   * A connection string (`postgres://user:password@host:5432/database`): the store makes its own
   * `pg.Pool` (loading `pg` then) and ends it on {@link PostgresConnectionStore.close}.
   */
  connectionString?: string;
  /**
   * The PostgreSQL schema the tables live in, created when missing. Default: none, so the tables
   * go where the connection's `search_path` says (usually `public`). Letters, digits and `_` only.
   */
  schema?: string;
  /**
   * How long {@link PostgresConnectionStore.withConnectionLock} waits for another instance to
   * finish with a connection before it rejects (the request then fails; nothing is refreshed
   * twice). Default 30,000 ms; `0` waits forever.
   */
  lockTimeoutMs?: number;
}

/** A {@link ConnectionStore} in PostgreSQL, with a lock that holds across backend instances. */
export interface PostgresConnectionStore extends ConnectionStore {
  /** Whether tokens are encrypted at rest (`false` only in insecure demo mode without a key). */
  readonly encrypted: boolean;
  /**
   * Runs `task` holding a PostgreSQL advisory lock on the connection, which every instance using
   * the same database (and schema) respects: see {@link ConnectionStore.withConnectionLock}. A
   * session-level `pg_advisory_lock` on a pooled connection held for the task's duration, then
   * unlocked, or the connection closed (which ends the lock) when unlocking is not possible.
   * Re-entrant: a task may call it again for the same key. Rejects after `lockTimeoutMs`.
   */
  withConnectionLock<T>(key: ConnectionKey, task: () => Promise<T>): Promise<T>;
  /**
   * The connections keep-alive should refresh (see {@link ConnectionStore.listDueConnections}): one
   * indexed query on the generated `refresh_token_issued_at` column.
   */
  listDueConnections(query: DueConnectionQuery): Promise<DueConnection[]>;
  /**
   * See {@link ConnectionStore.claimIdempotencyKey}: an `INSERT … ON CONFLICT` that takes over
   * only an expired record, so every instance sharing the database sees the same records.
   */
  claimIdempotencyKey(id: IdempotencyKeyId, pending: PendingIdempotencyRecord): Promise<IdempotencyRecord | null>;
  /** See {@link ConnectionStore.completeIdempotencyKey}. */
  completeIdempotencyKey(id: IdempotencyKeyId, record: CompletedIdempotencyRecord): Promise<void>;
  /** See {@link ConnectionStore.releaseIdempotencyKey}. */
  releaseIdempotencyKey(id: IdempotencyKeyId): Promise<void>;
  /**
   * Completes a key rotation: re-encrypts every connection's tokens and every pending session's
   * PKCE verifier that a previous key wrote under the current `encryptionKey`, so that key can be
   * removed from `previousEncryptionKeys` on every instance. Safe while instances run: each row is
   * written only if it still holds what was read. Run it again until `unreadable` is 0 and nothing
   * is left to re-encrypt before removing the old key.
   */
  reencrypt(): Promise<ReencryptSummary>;
  /** See {@link ConnectionStore.claimConnectionEvents}: one `UPDATE` over a `FOR UPDATE SKIP LOCKED` selection. */
  claimConnectionEvents(query: ConnectionEventClaim): Promise<ClaimedConnectionEvent[]>;
  /** See {@link ConnectionStore.markConnectionEventDelivered}. */
  markConnectionEventDelivered(id: string, at: string): Promise<void>;
  /** See {@link ConnectionStore.recordConnectionEventFailure}. */
  recordConnectionEventFailure(id: string, failure: ConnectionEventFailure): Promise<void>;
  /** See {@link ConnectionStore.startConnectSession}: in one transaction, under a per-account advisory lock. */
  startConnectSession(session: ConnectSession, limits: ConnectSessionLimits): Promise<StartConnectSessionResult>;
  /** Ends the pool when the store made it (from `connectionString`); a host's `pool` is left open. */
  close(): Promise<void>;
}

/** The schema version this code writes. A newer database is refused rather than misread. */
export const POSTGRES_SCHEMA_VERSION = 6;

// Marks this package's advisory locks in pg_locks (classid): 'xero' in ASCII. The objid is a hash
// of what is locked; two-key locks never collide with one-key (bigint) locks other code may take.
const LOCK_CLASS_ID = 0x7865726f;

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** Rows read per query by `reencrypt`: memory stays bounded however many connections there are. */
const REENCRYPT_PAGE = 200;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

interface Tables {
  connections: string;
  sessions: string;
  idempotency: string;
  events: string;
  migrations: string;
  /** What lock ids are derived from, so stores in different schemas lock apart. */
  namespace: string;
}

function tablesFor(schema: string | undefined): Tables {
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new TypeError(`createPostgresConnectionStore: \`schema\` must be letters, digits and _ (at most 63), not ${JSON.stringify(schema)}`);
  }
  const qualify = (table: string) => (schema === undefined ? table : `"${schema}".${table}`);
  return {
    connections: qualify('xero_connections'),
    sessions: qualify('xero_connect_sessions'),
    idempotency: qualify('xero_idempotency_records'),
    events: qualify('xero_connection_events'),
    migrations: qualify('xero_connection_migrations'),
    namespace: schema ?? '',
  };
}

const migrations = (t: Tables): readonly { version: number; sql: string }[] => [
  {
    version: 1,
    sql: `
      CREATE TABLE ${t.connections} (
        integration_key text NOT NULL,
        account_id text NOT NULL,
        -- the StoredConnection without its tokens
        data jsonb NOT NULL,
        -- AES-256-GCM (see token-cipher.ts); NULL when the connection has no tokens
        access_token text,
        access_token_expires_at text,
        refresh_token text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (integration_key, account_id)
      );
      CREATE TABLE ${t.sessions} (
        state text PRIMARY KEY,
        -- insertion order: the oldest sessions are dropped past maxConnectSessions
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        -- the ConnectSession without its PKCE verifier
        data jsonb NOT NULL,
        code_verifier text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // Keep-alive lists due connections by when their refresh token was issued. Generated from the
    // record, so every writer (older instances of this package during a rolling deploy included)
    // keeps them right. Text, not timestamptz: a text-to-timestamptz cast is not immutable, and
    // the values are toISOString() text, whose order is time order.
    version: 2,
    sql: `
      ALTER TABLE ${t.connections}
        ADD COLUMN status text GENERATED ALWAYS AS (data ->> 'status') STORED,
        ADD COLUMN refresh_token_issued_at text GENERATED ALWAYS AS (COALESCE(data ->> 'lastRefreshedAt', data ->> 'connectedAt')) STORED;
      CREATE INDEX xero_connections_due ON ${t.connections} (integration_key, refresh_token_issued_at)
        WHERE status = 'connected' AND refresh_token IS NOT NULL;
    `,
  },
  {
    // The contract's Idempotency-Key records (see answerIdempotently), shared by every instance:
    // one per integration, account, user, route and key. Bounded: the oldest claims (seq, renewed
    // on a re-claim) are dropped past maxIdempotencyRecords, expired ones as new ones arrive.
    version: 3,
    sql: `
      CREATE TABLE ${t.idempotency} (
        integration_key text NOT NULL,
        account_id text NOT NULL,
        user_id text NOT NULL,
        route text NOT NULL,
        idempotency_key text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        -- the IdempotencyRecord: a contract answer, which never holds a token
        data jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (integration_key, account_id, user_id, route, idempotency_key)
      );
      CREATE INDEX xero_idempotency_records_expiry ON ${t.idempotency} (expires_at);
    `,
  },
  {
    // Connect sessions are bounded per user and per account (startConnectSession): who a session
    // belongs to, generated from the record so rows of every writer count, indexed with expiry.
    version: 4,
    sql: `
      ALTER TABLE ${t.sessions}
        ADD COLUMN integration_key text GENERATED ALWAYS AS (data #>> '{key,integrationKey}') STORED,
        ADD COLUMN account_id text GENERATED ALWAYS AS (data #>> '{key,accountId}') STORED,
        ADD COLUMN user_id text GENERATED ALWAYS AS (data ->> 'userId') STORED;
      CREATE INDEX xero_connect_sessions_owner ON ${t.sessions} (integration_key, account_id, user_id, expires_at);
      CREATE INDEX xero_connect_sessions_expiry ON ${t.sessions} (expires_at);
    `,
  },
  {
    // The refresh token the last refresh spent, which Xero takes again for 30 minutes after its
    // first use: the refresher retries with it when the stored one is refused inside that window.
    // Sealed like refresh_token (its own associated data); when it was spent, in clear. Rows of
    // earlier versions read with none kept; adding nullable columns rewrites no row.
    version: 5,
    sql: `
      ALTER TABLE ${t.connections}
        ADD COLUMN previous_refresh_token text,
        ADD COLUMN previous_refresh_token_spent_at text;
    `,
  },
  {
    // The outbox of connection events (connection-events.ts): inserted in the same transaction as
    // the connection's change, handed out by claimConnectionEvents (FOR UPDATE SKIP LOCKED, then a
    // lease in next_attempt_at, so two instances never deliver one event). NULL: due now. Times
    // are toISOString() text, as the handler's clock writes them.
    version: 6,
    sql: `
      CREATE TABLE ${t.events} (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        integration_key text NOT NULL,
        account_id text NOT NULL,
        -- the ConnectionEvent: never a token
        data jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at text,
        delivered_at text,
        dead_at text,
        last_error text
      );
      CREATE INDEX xero_connection_events_pending ON ${t.events} (integration_key, seq)
        WHERE delivered_at IS NULL AND dead_at IS NULL;
    `,
  },
];

/**
 * An advisory lock key (int4) for `parts`: the first 4 bytes of their SHA-256. Computed here, not
 * with hashtext() in SQL, so it does not depend on the server's version. Two connections whose
 * keys collide only wait for each other now and then; neither is ever unprotected.
 */
function lockObjectId(parts: readonly string[]): number {
  return createHash('sha256').update(JSON.stringify(parts)).digest().readInt32BE(0);
}

type PgModule = typeof PgTypes;

// Loaded only for `connectionString`, and only then: hosts on another store never need pg, and a
// host passing its own pool has loaded it already.
async function loadPg(): Promise<PgModule> {
  try {
    const loaded = (await import('pg')) as PgModule & { default?: PgModule };
    return loaded.default ?? loaded;
  } catch (error) {
    throw new Error('createPostgresConnectionStore({ connectionString }) needs the optional peer dependency pg (8.x): npm install pg@^8', {
      cause: error,
    });
  }
}

async function openPool(options: PostgresConnectionStoreOptions): Promise<{ pool: PostgresPool; end: () => Promise<void> }> {
  if ((options.pool === undefined) === (options.connectionString === undefined)) {
    throw new TypeError('createPostgresConnectionStore: pass exactly one of `pool` (a pg.Pool) and `connectionString`');
  }
  if (options.pool !== undefined) return { pool: options.pool, end: async () => undefined };
  const pg = await loadPg();
  const pool = new pg.Pool({ connectionString: options.connectionString });
  // An idle connection that fails (server restart) is emitted on the pool; unhandled, that event
  // would crash the process. The pool drops the connection and opens another when needed.
  pool.on('error', (error) => console.error('[xero-connection] an idle PostgreSQL connection failed:', error.message));
  return { pool, end: () => pool.end() };
}

function isLockTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '55P03';
}

async function migrate(pool: PostgresPool, schema: string | undefined, t: Tables): Promise<void> {
  const client = await pool.connect();
  await transaction(client, (broken) => client.release(broken), async () => {
    // Instances that start together migrate one at a time: the later ones find the work done.
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS_ID, lockObjectId(['migrate', t.namespace])]);
    // Existence is checked first so a role without CREATE can open a store whose schema and
    // tables an administrator made (`CREATE ... IF NOT EXISTS` checks privileges first).
    if (schema !== undefined) {
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rows.length === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    }
    const table = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [t.migrations]);
    if ((table.rows[0] as { present: boolean } | undefined)?.present !== true) {
      await client.query(`CREATE TABLE ${t.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    }
    const { rows } = await client.query(`SELECT max(version) AS version FROM ${t.migrations}`);
    const current = (rows[0] as { version: number | null } | undefined)?.version ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw new Error(`The connection database has schema version ${current}; this version of the package knows up to ${POSTGRES_SCHEMA_VERSION}`);
    }
    for (const migration of migrations(t)) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${t.migrations} (version) VALUES ($1)`, [migration.version]);
    }
  });
}

/**
 * `work` between BEGIN and COMMIT on `client`; on a failure, ROLLBACK and the failure rethrown.
 * `release` is always called, with the ROLLBACK's own failure when there was one: a connection
 * whose rollback failed is in an unknown state, and the pool must discard it.
 */
async function transaction(client: PostgresPool | PostgresPoolClient, release: (broken?: Error) => void, work: () => Promise<void>): Promise<void> {
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    release(broken);
  }
}

// Associated data binds each ciphertext to its row and column, as in the SQLite store (the same
// values, so rows can be copied between the two stores).

/** The lock a task of this store holds, for the queries it makes meanwhile. */
interface HeldLock {
  client: PostgresPoolClient;
  objectId: number;
  released: boolean;
}

/**
 * A {@link ConnectionStore} in PostgreSQL, for deployments with several backend instances: its
 * {@link PostgresConnectionStore.withConnectionLock} (an advisory lock) makes the handler's
 * single-flight refresh hold across all of them. Takes the host's `pg.Pool` (or a connection
 * string; `pg` 8.x is an optional peer dependency, loaded only then). Access and refresh tokens and
 * PKCE verifiers are encrypted at rest with AES-256-GCM under a key from
 * `XERO_CONNECTION_ENCRYPTION_KEY` (or `encryptionKey`); without a key it refuses to open, unless
 * `insecureDemoMode` is passed for the demo. The tables are created and migrated on open (versions
 * in `xero_connection_migrations`; a newer schema is refused). A state is taken once
 * (`DELETE ... RETURNING`).
 *
 * @throws {XeroConnectionEncryptionKeyError} when the key is missing or not 32 bytes.
 * @throws {XeroConnectionDecryptionError} from reads, when a value was encrypted with another key or altered.
 */
export async function createPostgresConnectionStore(options: PostgresConnectionStoreOptions): Promise<PostgresConnectionStore> {
  const cipher = storeCipher('PostgreSQL', options);
  const t = tablesFor(options.schema);
  const maxSessions = options.maxConnectSessions ?? 10_000;
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
    throw new TypeError('createPostgresConnectionStore: `maxConnectSessions` must be a positive integer');
  }
  const maxIdempotencyRecords = options.maxIdempotencyRecords ?? 10_000;
  if (!Number.isSafeInteger(maxIdempotencyRecords) || maxIdempotencyRecords < 1) {
    throw new TypeError('createPostgresConnectionStore: `maxIdempotencyRecords` must be a positive integer');
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  // PostgreSQL's lock_timeout is an int4 of milliseconds.
  if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 0 || lockTimeoutMs > 2_147_483_647) {
    throw new TypeError('createPostgresConnectionStore: `lockTimeoutMs` must be a whole number of milliseconds from 0 to 2147483647');
  }
  const { pool, end } = await openPool(options);
  try {
    await migrate(pool, options.schema, t);
  } catch (error) {
    await end();
    throw error;
  }

  const held = new AsyncLocalStorage<HeldLock>();
  // Inside a lock, queries go over the lock's own connection: a task never waits for a second
  // pooled connection while holding one (with many connections locked at once, that would
  // exhaust the pool and deadlock).
  const db = (): PostgresPool | PostgresPoolClient => {
    const lock = held.getStore();
    return lock !== undefined && !lock.released ? lock.client : pool;
  };

  // A transaction on the lock's connection when a lock is held (see db()), else on a pooled one.
  async function inTransaction(work: (client: PostgresPool | PostgresPoolClient) => Promise<void>): Promise<void> {
    const lock = held.getStore();
    const borrowed = lock !== undefined && !lock.released ? null : await pool.connect();
    const client = borrowed ?? (lock as HeldLock).client;
    await transaction(client, (broken) => borrowed?.release(broken), () => work(client));
  }

  async function withConnectionLock<T>(key: ConnectionKey, task: () => Promise<T>): Promise<T> {
    const objectId = lockObjectId([t.namespace, key.integrationKey, key.accountId]);
    const outer = held.getStore();
    if (outer !== undefined && !outer.released && outer.objectId === objectId) return task();

    const client = await pool.connect();
    let broken: Error | undefined;
    // A connection that fails while checked out emits 'error' on its client; unhandled, that
    // would crash the process. The connection is then closed, not pooled (see below).
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    const lock: HeldLock = { client, objectId, released: false };
    let locked = false;
    try {
      try {
        // One round trip (numbers only: nothing to escape). The two statements run as one
        // implicit transaction, so SET LOCAL ends with it, acquired or timed out: the host's pooled
        // connection keeps its own lock_timeout. The lock itself is session-level: it outlives
        // that transaction, and no transaction stays open while Xero is called.
        await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}; SELECT pg_advisory_lock(${LOCK_CLASS_ID}, ${objectId})`);
        locked = true;
      } catch (error) {
        if (!isLockTimeout(error)) {
          broken ??= error instanceof Error ? error : new Error(String(error));
          throw error;
        }
        throw new Error(
          `Timed out after ${lockTimeoutMs} ms waiting for the lock on Xero connection ${JSON.stringify([key.integrationKey, key.accountId])}: another instance holds it`,
          { cause: error },
        );
      }
      return await held.run(lock, task);
    } finally {
      lock.released = true;
      if (locked && broken === undefined) {
        try {
          const { rows } = await client.query(`SELECT pg_advisory_unlock(${LOCK_CLASS_ID}, ${objectId}) AS unlocked`);
          if ((rows[0] as { unlocked: boolean } | undefined)?.unlocked !== true) broken = new Error('The advisory lock was not held at release');
        } catch (error) {
          broken = error instanceof Error ? error : new Error(String(error));
        }
      }
      client.removeListener('error', onError);
      // A connection whose lock could not be released cleanly is closed rather than pooled:
      // ending the session releases every advisory lock it holds, so none outlives its task.
      client.release(broken);
    }
  }

  const idempotencyWhere = 'integration_key = $1 AND account_id = $2 AND user_id = $3 AND route = $4 AND idempotency_key = $5';
  const idParams = (id: IdempotencyKeyId) => [id.integrationKey, id.accountId, id.userId, id.route, id.key];

  async function claimIdempotencyKey(id: IdempotencyKeyId, pending: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    // An insert, or a take-over of an expired record; of concurrent claims one inserts, the others
    // wait on its row and then find it live. A record released between the two statements is
    // claimed again on the next round.
    for (let round = 0; round < 3; round += 1) {
      const inserted = await db().query(
        `INSERT INTO ${t.idempotency} AS r (integration_key, account_id, user_id, route, idempotency_key, data, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz)
         ON CONFLICT (integration_key, account_id, user_id, route, idempotency_key) DO UPDATE
           SET data = excluded.data, expires_at = excluded.expires_at, seq = DEFAULT
           WHERE r.expires_at <= $8::timestamptz
         RETURNING 1`,
        [...idParams(id), JSON.stringify(pending), pending.expiresAt, pending.createdAt],
      );
      if (inserted.rowCount === 1) {
        await db().query(`DELETE FROM ${t.idempotency} WHERE expires_at <= $1::timestamptz`, [pending.createdAt]);
        await db().query(`DELETE FROM ${t.idempotency} WHERE seq <= (SELECT seq FROM ${t.idempotency} ORDER BY seq DESC OFFSET $1 LIMIT 1)`, [
          maxIdempotencyRecords,
        ]);
        return null;
      }
      const { rows } = await db().query(`SELECT data::text AS data FROM ${t.idempotency} WHERE ${idempotencyWhere} AND expires_at > $6::timestamptz`, [
        ...idParams(id),
        pending.createdAt,
      ]);
      const row = rows[0] as { data: string } | undefined;
      if (row !== undefined) return JSON.parse(row.data) as IdempotencyRecord;
    }
    throw new Error(`The Idempotency-Key record ${JSON.stringify(idParams(id))} changed under three claims in a row`);
  }

  return {
    encrypted: cipher.encrypts,
    withConnectionLock,
    claimIdempotencyKey,
    async completeIdempotencyKey(id, record) {
      await db().query(`UPDATE ${t.idempotency} SET data = $6::jsonb, expires_at = $7::timestamptz WHERE ${idempotencyWhere}`, [
        ...idParams(id),
        JSON.stringify(record),
        record.expiresAt,
      ]);
    },
    async releaseIdempotencyKey(id) {
      await db().query(`DELETE FROM ${t.idempotency} WHERE ${idempotencyWhere}`, idParams(id));
    },
    close: end,
    async getConnection(key) {
      const { rows } = await db().query(
        `SELECT data::text AS data, access_token, access_token_expires_at, refresh_token, previous_refresh_token, previous_refresh_token_spent_at
           FROM ${t.connections} WHERE integration_key = $1 AND account_id = $2`,
        [key.integrationKey, key.accountId],
      );
      const row = rows[0] as ConnectionRow | undefined;
      if (row === undefined) return null;
      // data is read as text and parsed here: a host's pg type parsers may turn jsonb into anything.
      // The status in `data` and the sealed tokens were written together by putConnection.
      return { ...(JSON.parse(row.data) as StoredConnection), tokens: openTokens(cipher, key, row) } as StoredConnection;
    },
    async putConnection(key, connection) {
      const { tokens, ...rest } = connection;
      const sealed = sealTokens(cipher, key, tokens);
      await inTransaction(async (client) => {
      // The row before, locked until the commit: a concurrent write waits, then sees this one.
      const found = await client.query(`SELECT data::text AS data FROM ${t.connections} WHERE integration_key = $1 AND account_id = $2 FOR UPDATE`, [
        key.integrationKey,
        key.accountId,
      ]);
      const previous = found.rows[0] as { data: string } | undefined;
      const before = previous === undefined ? null : (JSON.parse(previous.data) as StoredConnection);
      await client.query(
        `INSERT INTO ${t.connections} (integration_key, account_id, data, access_token, access_token_expires_at, refresh_token,
           previous_refresh_token, previous_refresh_token_spent_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, now())
         ON CONFLICT (integration_key, account_id) DO UPDATE SET
           data = excluded.data, access_token = excluded.access_token, access_token_expires_at = excluded.access_token_expires_at,
           refresh_token = excluded.refresh_token, previous_refresh_token = excluded.previous_refresh_token,
           previous_refresh_token_spent_at = excluded.previous_refresh_token_spent_at, updated_at = excluded.updated_at`,
        [
          key.integrationKey,
          key.accountId,
          JSON.stringify({ ...rest, tokens: null }),
          sealed.access_token,
          sealed.access_token_expires_at,
          sealed.refresh_token,
          sealed.previous_refresh_token,
          sealed.previous_refresh_token_spent_at,
        ],
      );
      for (const event of connectionEventsFor(key, before, connection, new Date())) {
        await client.query(`INSERT INTO ${t.events} (id, integration_key, account_id, data) VALUES ($1, $2, $3, $4::jsonb)`, [
          event.id,
          event.integrationKey,
          event.accountId,
          JSON.stringify(event),
        ]);
      }
      });
    },
    async claimConnectionEvents({ integrationKey, now, leaseUntil, limit }) {
      // Rows another instance is claiming are skipped, not waited for; the lease keeps them from
      // the next claim until delivered or failed.
      const { rows } = await db().query(
        `UPDATE ${t.events} SET next_attempt_at = $3
          WHERE seq IN (SELECT seq FROM ${t.events}
                         WHERE integration_key = $1 AND delivered_at IS NULL AND dead_at IS NULL
                           AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
                         ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
          RETURNING seq, data::text AS data, attempts`,
        [integrationKey, now, leaseUntil, limit],
      );
      return (rows as { seq: string; data: string; attempts: number }[])
        .sort((a, b) => Number(a.seq) - Number(b.seq))
        .map((row) => ({ event: JSON.parse(row.data) as ConnectionEvent, attempts: row.attempts }));
    },
    async markConnectionEventDelivered(id, at) {
      await db().query(`UPDATE ${t.events} SET delivered_at = $2 WHERE id = $1`, [id, at]);
    },
    async recordConnectionEventFailure(id, failure) {
      await db().query(
        `UPDATE ${t.events} SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
           dead_at = CASE WHEN $3::text IS NULL THEN $4 ELSE NULL END WHERE id = $1`,
        [id, failure.error, failure.nextAttemptAt, failure.at],
      );
    },
    async listDueConnections({ integrationKey, issuedBefore, after, limit }) {
      // A page in (issued at, account) order after a cursor; ('', '') starts at the beginning and
      // LIMIT NULL is PostgreSQL's "no limit". Row comparison and ORDER BY share one collation.
      const { rows } = await db().query(
        `SELECT account_id, refresh_token_issued_at, data -> 'tenant' ->> 'tenantId' AS tenant_id FROM ${t.connections}
          WHERE integration_key = $1 AND status = 'connected' AND refresh_token IS NOT NULL AND refresh_token_issued_at < $2
            AND (refresh_token_issued_at, account_id) > ($3, $4)
          ORDER BY refresh_token_issued_at, account_id LIMIT $5`,
        [integrationKey, issuedBefore, after?.refreshTokenIssuedAt ?? '', after?.accountId ?? '', limit ?? null],
      );
      return (rows as { account_id: string; refresh_token_issued_at: string; tenant_id: string | null }[]).map((row) => ({
        key: { integrationKey, accountId: row.account_id },
        refreshTokenIssuedAt: row.refresh_token_issued_at,
        tenantId: row.tenant_id,
      }));
    },
    async putConnectSession(session) {
      const { codeVerifier, ...rest } = session;
      await db().query(
        `INSERT INTO ${t.sessions} (state, data, code_verifier, expires_at) VALUES ($1, $2::jsonb, $3, $4::timestamptz)
         ON CONFLICT (state) DO UPDATE SET data = excluded.data, code_verifier = excluded.code_verifier, expires_at = excluded.expires_at`,
        [session.state, JSON.stringify(rest), sealVerifier(cipher, session.state, codeVerifier), session.expiresAt],
      );
      // Round trips never finished would pile up: the oldest past the cap are dropped (a separate
      // statement: one statement's snapshot would not count the row it inserts).
      await db().query(`DELETE FROM ${t.sessions} WHERE seq <= (SELECT seq FROM ${t.sessions} ORDER BY seq DESC OFFSET $1 LIMIT 1)`, [maxSessions]);
    },
    async reencrypt() {
      // A page at a time in key order; each row written back only if it still holds what was read.
      async function* connectionRows(): AsyncGenerator<ReencryptRow> {
        let after: [string, string] = ['', ''];
        for (;;) {
          const { rows } = await db().query(
            `SELECT integration_key, account_id, access_token, refresh_token, previous_refresh_token FROM ${t.connections}
              WHERE (integration_key, account_id) > ($1, $2) ORDER BY integration_key, account_id LIMIT ${REENCRYPT_PAGE}`,
            after,
          );
          const page = rows as {
            integration_key: string;
            account_id: string;
            access_token: string | null;
            refresh_token: string | null;
            previous_refresh_token: string | null;
          }[];
          for (const row of page) {
            after = [row.integration_key, row.account_id];
            const key = { integrationKey: row.integration_key, accountId: row.account_id };
            const [accessAad, refreshAad, previousAad] = connectionColumnsAad(key);
            yield {
              values: [
                { sealed: row.access_token, associatedData: accessAad },
                { sealed: row.refresh_token, associatedData: refreshAad },
                { sealed: row.previous_refresh_token, associatedData: previousAad },
              ],
              writeIfUnchanged: async ([access, refresh, previous]) => {
                await db().query(
                  `UPDATE ${t.connections} SET access_token = $3, refresh_token = $4, previous_refresh_token = $5
                    WHERE integration_key = $1 AND account_id = $2 AND access_token IS NOT DISTINCT FROM $6
                      AND refresh_token IS NOT DISTINCT FROM $7 AND previous_refresh_token IS NOT DISTINCT FROM $8`,
                  [key.integrationKey, key.accountId, access ?? null, refresh ?? null, previous ?? null, row.access_token, row.refresh_token, row.previous_refresh_token],
                );
              },
            };
          }
          if (page.length < REENCRYPT_PAGE) return;
        }
      }
      async function* sessionRows(): AsyncGenerator<ReencryptRow> {
        let after = '0';
        for (;;) {
          const { rows } = await db().query(`SELECT seq::text AS seq, state, code_verifier FROM ${t.sessions} WHERE seq > $1::bigint ORDER BY seq LIMIT ${REENCRYPT_PAGE}`, [after]);
          const page = rows as { seq: string; state: string; code_verifier: string }[];
          for (const row of page) {
            after = row.seq;
            yield {
              values: [{ sealed: row.code_verifier, associatedData: sessionColumnAad(row.state) }],
              writeIfUnchanged: async ([verifier]) => {
                await db().query(`UPDATE ${t.sessions} SET code_verifier = $2 WHERE state = $1 AND code_verifier = $3`, [row.state, verifier ?? '', row.code_verifier]);
              },
            };
          }
          if (page.length < REENCRYPT_PAGE) return;
        }
      }
      return { connections: await reencryptRows(cipher, connectionRows()), connectSessions: await reencryptRows(cipher, sessionRows()) };
    },
    async startConnectSession(session, limits) {
      const { codeVerifier, ...rest } = session;
      const { integrationKey, accountId } = session.key;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // One start at a time per integration and account, across instances: the counts and the
        // insert agree. Other accounts never wait for it.
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS_ID, lockObjectId([t.namespace, 'connect-sessions', integrationKey, accountId])]);
        await client.query(`DELETE FROM ${t.sessions} WHERE expires_at <= $1::timestamptz`, [limits.now]);
        const owner = 'integration_key = $1 AND account_id = $2';
        const { rows } = await client.query(
          `SELECT count(*) FILTER (WHERE ${owner} AND user_id = $3)::int AS user_count, min(expires_at) FILTER (WHERE ${owner} AND user_id = $3) AS user_oldest,
                  count(*) FILTER (WHERE ${owner})::int AS account_count, min(expires_at) FILTER (WHERE ${owner}) AS account_oldest,
                  count(*)::int AS store_count, min(expires_at) AS store_oldest
             FROM ${t.sessions}`,
          [integrationKey, accountId, session.userId],
        );
        const row = rows[0] as Record<string, number | Date | null> | undefined;
        const tally = (prefix: 'user' | 'account' | 'store') => {
          const oldest = row?.[`${prefix}_oldest`];
          return { count: Number(row?.[`${prefix}_count`] ?? 0), oldestExpiresAt: oldest instanceof Date ? oldest.toISOString() : null };
        };
        const verdict = connectSessionVerdict({ user: tally('user'), account: tally('account'), store: tally('store') }, limits, maxSessions);
        if (verdict.stored) {
          await client.query(`INSERT INTO ${t.sessions} (state, data, code_verifier, expires_at) VALUES ($1, $2::jsonb, $3, $4::timestamptz)`, [
            session.state,
            JSON.stringify(rest),
            sealVerifier(cipher, session.state, codeVerifier),
            session.expiresAt,
          ]);
        }
        await client.query('COMMIT');
        return verdict;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async takeConnectSession(state) {
      // Deleted and returned in one statement: of concurrent takers, the others wait on the row
      // and then find it gone.
      const { rows } = await db().query(`DELETE FROM ${t.sessions} WHERE state = $1 RETURNING data::text AS data, code_verifier`, [state]);
      const row = rows[0] as SessionRow | undefined;
      if (row === undefined) return null;
      const rest = JSON.parse(row.data) as Omit<ConnectSession, 'codeVerifier'>;
      return { ...rest, codeVerifier: openVerifier(cipher, state, row.code_verifier) };
    },
  };
}
