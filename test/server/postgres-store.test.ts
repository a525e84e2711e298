import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  createPostgresConnectionStore,
  ENCRYPTION_KEY_ENV_VAR,
  POSTGRES_SCHEMA_VERSION,
  XeroConnectionDecryptionError,
  XeroConnectionEncryptionKeyError,
  type ConnectionKey,
  type PostgresConnectionStore,
  type PostgresConnectionStoreOptions,
  type StoredConnection,
  createTokenCipher,
} from '../../src/server';
import { sealTokens } from '../../src/server/sealed-columns';
import { completedRecord, connectedRecord, connectSession, describeConnectionStoreContract, IDEMPOTENCY_ID, KEY, pendingRecord, rotatedTokens } from './store-contract';
import { LOCK_CLASS_ID, postgresForThisFile } from './postgres-support';
import { BASE_PATH, emulatedSleep, MINUTE_MS, setup } from './support';

const db = postgresForThisFile();

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('hex');
const { accessToken: ACCESS, refreshToken: REFRESH } = connectedRecord().tokens ?? { accessToken: '', refreshToken: '' };
const PREVIOUS = 'refresh-token-SECRET-previous';
/** A record as a refresh leaves it: rotated tokens and the refresh token it spent. */
const refreshedRecord = () =>
  connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: PREVIOUS, previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } });
const HANDLER_KEY: ConnectionKey = { integrationKey: BASE_PATH, accountId: 'default' };

const opened: PostgresConnectionStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A store on its own pool (as one backend instance would have) in `schema`. */
async function openStore(
  options: Partial<PostgresConnectionStoreOptions> & { schema: string },
): Promise<{ store: PostgresConnectionStore; pool: pg.Pool }> {
  const pool = db.pool();
  const store = await createPostgresConnectionStore({ pool, encryptionKey: KEY_A, ...options });
  opened.push(store);
  return { store, pool };
}

/** This package's advisory locks currently held, across the whole server. */
async function heldLocks(): Promise<number> {
  const { rows } = await db.admin().query<{ count: number }>(
    "SELECT count(*)::int AS count FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted",
    [LOCK_CLASS_ID],
  );
  return rows[0]?.count ?? -1;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Takes KEY's lock on `store` and keeps it until `gate` is resolved; `held` settles after release. */
async function holdLock(store: PostgresConnectionStore): Promise<{ gate: { resolve: () => void }; held: Promise<void> }> {
  const gate = deferred();
  const entered = deferred();
  const held = store.withConnectionLock(KEY, async () => {
    entered.resolve();
    await gate.promise;
  });
  await entered.promise;
  return { gate, held };
}

function expectIdle(pool: pg.Pool): void {
  expect(pool.waitingCount).toBe(0);
  expect(pool.idleCount).toBe(pool.totalCount);
}

describeConnectionStoreContract('PostgreSQL (a host pool)', async (limits) => {
  const pool = db.pool();
  const store = await createPostgresConnectionStore({ pool, schema: db.schema(), encryptionKey: KEY_A, ...limits });
  return {
    store,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
});

describeConnectionStoreContract('PostgreSQL (its own pool, from a connection string)', async (limits) => {
  const store = await createPostgresConnectionStore({ connectionString: db.url(), schema: db.schema(), encryptionKey: KEY_A, ...limits });
  return { store, close: () => store.close() };
});


/** Takes a schema back to version 5: the connection events' outbox gone. */
function undoVersion6(schema: string): string {
  return `DROP TABLE "${schema}".xero_connection_events; DELETE FROM "${schema}".xero_connection_migrations WHERE version = 6;`;
}

/** Takes a schema back to version 4: the previous refresh token columns gone. */
function undoVersion5(schema: string): string {
  return `${undoVersion6(schema)} ALTER TABLE "${schema}".xero_connections DROP COLUMN previous_refresh_token, DROP COLUMN previous_refresh_token_spent_at;
    DELETE FROM "${schema}".xero_connection_migrations WHERE version = 5;`;
}

/** Takes a schema back to version 3: the connect sessions' owner columns and their indexes gone. */
function undoVersion4(schema: string): string {
  return `${undoVersion5(schema)} DROP INDEX "${schema}".xero_connect_sessions_owner; DROP INDEX "${schema}".xero_connect_sessions_expiry;
    ALTER TABLE "${schema}".xero_connect_sessions DROP COLUMN integration_key, DROP COLUMN account_id, DROP COLUMN user_id;
    DELETE FROM "${schema}".xero_connection_migrations WHERE version = 4;`;
}

describe('PostgreSQL store: encryption at rest', () => {
  it('writes no token or PKCE verifier in plain text (read back raw with SQL)', async () => {
    const schema = db.schema();
    const { store } = await openStore({ schema });
    expect(store.encrypted).toBe(true);
    await store.putConnection(KEY, refreshedRecord());
    await store.putConnectSession(connectSession('state-1'));

    const rows = (await db.admin().query<Record<string, unknown>>(`SELECT * FROM "${schema}".xero_connections`)).rows;
    const sessions = (await db.admin().query<Record<string, unknown>>(`SELECT * FROM "${schema}".xero_connect_sessions`)).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.access_token).toMatch(/^v1:/);
    expect(rows[0]?.refresh_token).toMatch(/^v1:/);
    expect(rows[0]?.previous_refresh_token).toMatch(/^v1:/);
    expect(rows[0]?.previous_refresh_token_spent_at).toBe('2026-11-26T09:59:30.000Z');
    expect(sessions[0]?.code_verifier).toMatch(/^v1:/);
    // Every column of every row, as PostgreSQL renders it.
    const dump = (
      await db.admin().query<{ row: string }>(
        `SELECT row_to_json(c)::text AS row FROM "${schema}".xero_connections c UNION ALL SELECT row_to_json(s)::text FROM "${schema}".xero_connect_sessions s`,
      )
    ).rows
      .map((row) => row.row)
      .join('\n');
    expect(dump).toContain('Sunrise Care Group'); // the rows were read: non-secret data is there
    for (const secret of [ACCESS, REFRESH, PREVIOUS, 'verifier-SECRET-state-1', 'SECRET']) expect(dump).not.toContain(secret);
  });

  it('reads back from another store on the same tables with the key from the environment', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, KEY_A);
    const schema = db.schema();
    const { store: first } = await openStore({ schema, encryptionKey: undefined });
    await first.putConnection(KEY, connectedRecord());
    await first.putConnectSession(connectSession('state-1'));
    const { store: second } = await openStore({ schema, encryptionKey: undefined });
    await expect(second.getConnection(KEY)).resolves.toEqual(connectedRecord());
    await expect(second.takeConnectSession('state-1')).resolves.toEqual(connectSession('state-1'));
    await expect(first.takeConnectSession('state-1')).resolves.toBeNull();
  });

  it('a wrong key fails to read with XeroConnectionDecryptionError, never garbage', async () => {
    const schema = db.schema();
    const { store: writer } = await openStore({ schema });
    await writer.putConnection(KEY, connectedRecord());
    await writer.putConnectSession(connectSession('state-1'));
    const { store: reader } = await openStore({ schema, encryptionKey: KEY_B });
    const error = await reader.getConnection(KEY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(XeroConnectionDecryptionError);
    expect(error).toMatchObject({ problem: 'unknown_key' });
    await expect(reader.takeConnectSession('state-1')).rejects.toBeInstanceOf(XeroConnectionDecryptionError);
  });

  it('reads old values after a key rotation (previousEncryptionKeys) and re-encrypts on the next write', async () => {
    const schema = db.schema();
    const { store: before } = await openStore({ schema });
    await before.putConnection(KEY, connectedRecord());
    const { store: rotated } = await openStore({ schema, encryptionKey: KEY_B, previousEncryptionKeys: [KEY_A] });
    const read = await rotated.getConnection(KEY);
    expect(read).toEqual(connectedRecord());
    await rotated.putConnection(KEY, read ?? connectedRecord());
    const { store: after } = await openStore({ schema, encryptionKey: KEY_B });
    await expect(after.getConnection(KEY)).resolves.toEqual(connectedRecord());
  });

  it('detects a token ciphertext copied into another row', async () => {
    const schema = db.schema();
    const { store } = await openStore({ schema });
    const other = { ...KEY, accountId: 'account-2' };
    await store.putConnection(KEY, connectedRecord());
    await store.putConnection(other, connectedRecord({ tokens: null }));
    await db.admin().query(
      `UPDATE "${schema}".xero_connections AS target
          SET access_token = source.access_token, access_token_expires_at = source.access_token_expires_at, refresh_token = source.refresh_token
         FROM "${schema}".xero_connections AS source
        WHERE source.account_id = $1 AND target.account_id = $2`,
      [KEY.accountId, other.accountId],
    );
    await expect(store.getConnection(other)).rejects.toMatchObject({ name: 'XeroConnectionDecryptionError', problem: 'authentication_failed' });
  });

  it('detects a sealed refresh token moved into the previous refresh token column of its own row', async () => {
    const schema = db.schema();
    const { store } = await openStore({ schema });
    await store.putConnection(KEY, refreshedRecord());
    await db.admin().query(`UPDATE "${schema}".xero_connections SET previous_refresh_token = refresh_token WHERE account_id = $1`, [KEY.accountId]);
    await expect(store.getConnection(KEY)).rejects.toMatchObject({ name: 'XeroConnectionDecryptionError', problem: 'authentication_failed' });
  });
});

describe('PostgreSQL store: opening and migrations', () => {
  it('refuses to open without a key, naming the variable, before touching the database', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, '');
    const schema = db.schema();
    const error = await createPostgresConnectionStore({ pool: db.pool(), schema }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(XeroConnectionEncryptionKeyError);
    expect(error).toMatchObject({ problem: 'missing', message: expect.stringContaining(ENCRYPTION_KEY_ENV_VAR) });
    const { rows } = await db.admin().query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(rows).toEqual([]);
  });

  it('refuses a key of the wrong length', async () => {
    await expect(createPostgresConnectionStore({ pool: db.pool(), encryptionKey: 'short' })).rejects.toMatchObject({
      problem: 'invalid',
      source: 'the encryptionKey option',
    });
  });

  it('opens without a key only in explicit insecure demo mode, with a warning, storing tokens unencrypted', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const schema = db.schema();
    const { store } = await openStore({ schema, encryptionKey: undefined, insecureDemoMode: true });
    expect(store.encrypted).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('UNENCRYPTED'));
    await store.putConnection(KEY, connectedRecord());
    await expect(store.getConnection(KEY)).resolves.toEqual(connectedRecord());
    // A keyed store refuses the unencrypted values rather than trusting them.
    const { store: keyed } = await openStore({ schema });
    await expect(keyed.getConnection(KEY)).rejects.toMatchObject({ problem: 'malformed' });
  });

  it('wants exactly one of pool and connectionString, and a plain schema name', async () => {
    await expect(createPostgresConnectionStore({ encryptionKey: KEY_A })).rejects.toThrow(/exactly one of `pool`/);
    await expect(createPostgresConnectionStore({ encryptionKey: KEY_A, pool: db.pool(), connectionString: db.url() })).rejects.toThrow(
      /exactly one of `pool`/,
    );
    await expect(createPostgresConnectionStore({ encryptionKey: KEY_A, pool: db.pool(), schema: 'a"; DROP TABLE x; --' })).rejects.toThrow(
      /`schema` must be letters/,
    );
  });

  it('creates its schema and tables with a migrations table at the current version, and migrates nothing twice', async () => {
    const schema = db.schema();
    await openStore({ schema });
    await openStore({ schema });
    const { rows: versions } = await db.admin().query(`SELECT version FROM "${schema}".xero_connection_migrations ORDER BY version`);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    expect(POSTGRES_SCHEMA_VERSION).toBe(6);
    const { rows: tables } = await db.admin().query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((row) => row.table_name)).toEqual(['xero_connect_sessions', 'xero_connection_events', 'xero_connection_migrations', 'xero_connections', 'xero_idempotency_records']);
  });

  it('without a schema option, puts its tables where the search_path says', async () => {
    const schema = db.schema();
    await db.admin().query(`CREATE SCHEMA "${schema}"`);
    const pool = db.pool({ options: `-c search_path=${schema}` });
    const store = await createPostgresConnectionStore({ pool, encryptionKey: KEY_A });
    opened.push(store);
    await store.putConnection(KEY, connectedRecord());
    const { rows } = await db.admin().query(`SELECT account_id FROM "${schema}".xero_connections`);
    expect(rows).toEqual([{ account_id: KEY.accountId }]);
  });

  it('lets several instances start at once on an empty database: they migrate one at a time', async () => {
    const schema = db.schema();
    const stores = await Promise.all(Array.from({ length: 5 }, () => openStore({ schema })));
    expect(stores).toHaveLength(5);
    const { rows } = await db.admin().query(`SELECT version FROM "${schema}".xero_connection_migrations ORDER BY version`);
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
  });

  it('refuses a database from a newer version of the package, and ends the pool it made', async () => {
    const schema = db.schema();
    await openStore({ schema });
    await db.admin().query(`INSERT INTO "${schema}".xero_connection_migrations (version) VALUES (7)`);
    await expect(createPostgresConnectionStore({ pool: db.pool(), schema, encryptionKey: KEY_A })).rejects.toThrow(/schema version 7/);
    const url = new URL(db.url());
    url.searchParams.set('application_name', `refused-${schema}`);
    await expect(createPostgresConnectionStore({ connectionString: url.href, schema, encryptionKey: KEY_A })).rejects.toThrow(/schema version 7/);
    // The pool's connections are closed; the server's backends exit a moment later.
    await vi.waitFor(
      async () => {
        const { rows } = await db.admin().query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [`refused-${schema}`]);
        expect(rows).toEqual([]);
      },
      { timeout: 20_000, interval: 50 },
    );
  });
});

describe('PostgreSQL store: migration 2 (keep-alive)', () => {
  it('upgrades a version 1 database: its rows read back as they were, and keep-alive finds the due ones with the index', async () => {
    const schema = db.schema();
    const admin = db.admin();
    // The version 1 schema exactly as 0.1.0 made it, with rows written the way it wrote them.
    await admin.query(`
      CREATE SCHEMA "${schema}";
      CREATE TABLE "${schema}".xero_connection_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO "${schema}".xero_connection_migrations (version) VALUES (1);
      CREATE TABLE "${schema}".xero_connections (
        integration_key text NOT NULL, account_id text NOT NULL, data jsonb NOT NULL,
        access_token text, access_token_expires_at text, refresh_token text, updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (integration_key, account_id)
      );
      CREATE TABLE "${schema}".xero_connect_sessions (
        state text PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE, data jsonb NOT NULL,
        code_verifier text NOT NULL, expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
      );
    `);
    const cipher = createTokenCipher({ key: KEY_A });
    const old = connectedRecord({ lastRefreshedAt: '2026-10-01T09:30:00.000Z' });
    const rows: [string, StoredConnection][] = [
      ['old', old],
      ['recent', connectedRecord({ lastRefreshedAt: '2026-11-25T09:30:00.000Z' })],
      ['dead', connectedRecord({ status: 'needs_reauth', needsReauthReason: 'refresh_token_expired', tokens: null, lastRefreshedAt: '2026-01-01T00:00:00.000Z' })],
    ];
    for (const [accountId, record] of rows) {
      const sealed = sealTokens(cipher, { ...KEY, accountId }, record.tokens);
      await admin.query(`INSERT INTO "${schema}".xero_connections (integration_key, account_id, data, access_token, access_token_expires_at, refresh_token) VALUES ($1, $2, $3::jsonb, $4, $5, $6)`, [
        KEY.integrationKey,
        accountId,
        JSON.stringify({ ...record, tokens: null }),
        sealed.access_token,
        sealed.access_token_expires_at,
        sealed.refresh_token,
      ]);
    }

    const { store } = await openStore({ schema });
    await expect(store.getConnection({ ...KEY, accountId: 'old' })).resolves.toEqual(old);
    const query = { integrationKey: KEY.integrationKey, issuedBefore: '2026-11-19T09:30:00.000Z' };
    await expect(store.listDueConnections(query)).resolves.toEqual([
      { key: { ...KEY, accountId: 'old' }, refreshTokenIssuedAt: '2026-10-01T09:30:00.000Z', tenantId: 'tenant-1' },
    ]);
    // A row written afterwards by an older instance (a rolling deploy: data only) is seen too.
    await admin.query(`UPDATE "${schema}".xero_connections SET data = jsonb_set(data, '{lastRefreshedAt}', '"2026-11-26T09:30:00.000Z"') WHERE account_id = 'old'`);
    await expect(store.listDueConnections(query)).resolves.toEqual([]);
    const { rows: versions } = await admin.query(`SELECT version FROM "${schema}".xero_connection_migrations ORDER BY version`);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    const client = await admin.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows: plan } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT account_id FROM "${schema}".xero_connections WHERE integration_key = $1 AND status = 'connected' AND refresh_token IS NOT NULL AND refresh_token_issued_at < $2`,
        [query.integrationKey, query.issuedBefore],
      );
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('xero_connections_due');
    } finally {
      client.release();
    }
  });
});

describe('PostgreSQL store: migration 3 (Idempotency-Key records)', () => {
  it('upgrades a version 2 database: its rows stay, and Idempotency-Key records work, shared by two instances', async () => {
    const schema = db.schema();
    const admin = db.admin();
    // A version 2 database: migrations 1 and 2 as this package applies them, without 3.
    const { store: first } = await openStore({ schema });
    await first.putConnection(KEY, connectedRecord());
    await first.putConnectSession(connectSession('state-1'));
    await admin.query(`${undoVersion4(schema)} DROP TABLE "${schema}".xero_idempotency_records; DELETE FROM "${schema}".xero_connection_migrations WHERE version = 3`);

    const { store: a } = await openStore({ schema });
    const { store: b } = await openStore({ schema });
    await expect(a.getConnection(KEY)).resolves.toEqual(connectedRecord());
    await expect(a.takeConnectSession('state-1')).resolves.toEqual(connectSession('state-1'));
    const claim = (store: PostgresConnectionStore, createdAt?: string) => store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord(createdAt));
    await expect(claim(a)).resolves.toBeNull();
    await expect(claim(b)).resolves.toEqual(pendingRecord());
    await a.completeIdempotencyKey(IDEMPOTENCY_ID, completedRecord());
    await expect(claim(b, '2026-11-26T10:00:00.000Z')).resolves.toEqual(completedRecord());
    const { rows: versions } = await admin.query(`SELECT version FROM "${schema}".xero_connection_migrations ORDER BY version`);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    const { rows: indexes } = await admin.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'xero_idempotency_records' ORDER BY indexname`, [schema]);
    expect(indexes.map((row: { indexname: string }) => row.indexname)).toContain('xero_idempotency_records_expiry');
  });
});

describe('PostgreSQL store: bounded connect sessions', () => {
  it('upgrades a version 3 database: its pending sessions stay, and count against their user across instances', async () => {
    const schema = db.schema();
    const { store: first } = await openStore({ schema });
    for (const state of ['s1', 's2']) await first.putConnectSession(connectSession(state));
    await db.admin().query(undoVersion4(schema));

    const { store: a } = await openStore({ schema });
    const { store: b } = await openStore({ schema });
    const limits = { perUser: 3, perAccount: 10, now: '2026-11-26T09:30:00.000Z' };
    // Two instances start at once with room for one: exactly one is stored.
    const verdicts = await Promise.all([a.startConnectSession(connectSession('s3'), limits), b.startConnectSession(connectSession('s4'), limits)]);
    expect(verdicts.filter((verdict) => verdict.stored)).toHaveLength(1);
    expect(verdicts.filter((verdict) => !verdict.stored)).toEqual([{ stored: false, limit: 'user', retryAt: '2026-11-26T09:40:00.000Z' }]);
    await expect(a.takeConnectSession('s1')).resolves.toEqual(connectSession('s1'));
  });
});

describe('PostgreSQL store: migration 5 (the previous refresh token)', () => {
  it('upgrades a version 5 database: its rows stay, and a change from then on records its event with it, for every instance', async () => {
    const schema = db.schema();
    const admin = db.admin();
    const { store: first } = await openStore({ schema });
    const record = connectedRecord();
    await first.putConnection(KEY, record);
    await admin.query(undoVersion6(schema));

    const { store: a } = await openStore({ schema });
    const { store: b } = await openStore({ schema });
    await expect(a.getConnection(KEY)).resolves.toEqual(record);
    await a.putConnection(KEY, { ...record, status: 'needs_reauth', tokens: null, needsReauthReason: 'refresh_token_revoked', organisationChoice: null });
    const claimed = await b.claimConnectionEvents({ integrationKey: KEY.integrationKey, now: '2030-01-01T00:00:00.000Z', leaseUntil: '2030-01-01T00:05:00.000Z', limit: 10 });
    expect(claimed.map(({ event }) => [event.type, event.reason])).toEqual([['needs_reauth', 'refresh_token_revoked']]);
    const { rows: versions } = await admin.query(`SELECT version FROM "${schema}".xero_connection_migrations ORDER BY version`);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
  });

  it('upgrades a version 4 database: its rows read back as they were, with none kept, and keep one from then on, on every instance', async () => {
    const schema = db.schema();
    const admin = db.admin();
    // A version 4 database, with a row written the way version 4 wrote it (no previous token columns).
    await openStore({ schema });
    await admin.query(undoVersion5(schema));
    const record = connectedRecord();
    const sealed = sealTokens(createTokenCipher({ key: KEY_A }), KEY, record.tokens);
    await admin.query(
      `INSERT INTO "${schema}".xero_connections (integration_key, account_id, data, access_token, access_token_expires_at, refresh_token)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
      [KEY.integrationKey, KEY.accountId, JSON.stringify({ ...record, tokens: null }), sealed.access_token, sealed.access_token_expires_at, sealed.refresh_token],
    );

    const { store: a } = await openStore({ schema });
    const { store: b } = await openStore({ schema });
    const read = await a.getConnection(KEY);
    expect(read).toEqual(record);
    expect(read?.tokens).not.toHaveProperty('previousRefreshToken');
    await expect(a.listDueConnections({ integrationKey: KEY.integrationKey, issuedBefore: '2026-12-01T00:00:00.000Z' })).resolves.toHaveLength(1);
    await a.putConnection(KEY, refreshedRecord());
    await expect(b.getConnection(KEY)).resolves.toEqual(refreshedRecord());
    const { rows: versions } = await admin.query(`SELECT version FROM "${schema}".xero_connection_migrations ORDER BY version`);
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
  });
});

describe('PostgreSQL store: the connection lock', () => {
  it('holds across two stores on separate pools: the second waits for the first', async () => {
    const schema = db.schema();
    const { store: a, pool: poolA } = await openStore({ schema });
    const { store: b, pool: poolB } = await openStore({ schema });
    const events: string[] = [];
    const gate = deferred();
    const entered = deferred();
    const first = a.withConnectionLock(KEY, async () => {
      events.push('a start');
      entered.resolve();
      await gate.promise;
      events.push('a end');
      return 'a';
    });
    await entered.promise;
    const second = b.withConnectionLock(KEY, async () => {
      events.push('b start');
      return 'b';
    });
    await sleep(150);
    expect(events).toEqual(['a start']);
    expect(await heldLocks()).toBe(1);
    gate.resolve();
    await expect(Promise.all([first, second])).resolves.toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b start']);
    expect(await heldLocks()).toBe(0);
    expectIdle(poolA);
    expectIdle(poolB);
  });

  it('never makes different connections wait for one another', async () => {
    const schema = db.schema();
    const { store: a } = await openStore({ schema });
    const { store: b } = await openStore({ schema, lockTimeoutMs: 2_000 });
    const other = { ...KEY, accountId: 'account-2' };
    const { gate, held } = await holdLock(a);
    await expect(b.withConnectionLock(other, async () => 'other key')).resolves.toBe('other key');
    gate.resolve();
    await held;
  });

  it('is released when the task throws, passes the error on unchanged, and returns its connection to the pool', async () => {
    const schema = db.schema();
    const { store: a, pool: poolA } = await openStore({ schema });
    const { store: b } = await openStore({ schema, lockTimeoutMs: 1_000 });
    const boom = new Error('boom');
    await expect(a.withConnectionLock(KEY, async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await heldLocks()).toBe(0);
    expectIdle(poolA);
    expect(poolA.totalCount).toBeGreaterThan(0); // the connection was pooled again, not closed
    await expect(b.withConnectionLock(KEY, async () => 'taken')).resolves.toBe('taken');
  });

  it('gives up after lockTimeoutMs without running the task, and leaves the pooled connection as it found it', async () => {
    const schema = db.schema();
    const { store: a } = await openStore({ schema });
    // The host's own session setting, which the store's lock_timeout must not replace.
    const poolB = db.pool({ max: 1, options: '-c lock_timeout=7s' });
    const b = await createPostgresConnectionStore({ pool: poolB, schema, encryptionKey: KEY_A, lockTimeoutMs: 200 });
    opened.push(b);
    const lockTimeout = async () => (await poolB.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]?.lock_timeout;
    await b.withConnectionLock({ ...KEY, accountId: 'account-2' }, async () => undefined);
    expect(await lockTimeout()).toBe('7s');
    const { gate, held } = await holdLock(a);
    const task = vi.fn(async () => 'ran');
    const started = Date.now();
    // Were it waiting for the holder instead, it would never settle: the holder lets go below.
    await expect(b.withConnectionLock(KEY, task)).rejects.toThrow(/Timed out after 200 ms waiting for the lock/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(task).not.toHaveBeenCalled();
    expectIdle(poolB);
    expect(await lockTimeout()).toBe('7s'); // one pooled connection: the one that timed out
    gate.resolve();
    await held;
  });

  it('is re-entrant for the same connection, and queries inside it use the lock’s own pooled connection', async () => {
    // One pooled connection only: a task that needed a second one while holding the lock would
    // wait forever.
    const pool = db.pool({ max: 1 });
    const store = await createPostgresConnectionStore({ pool, schema: db.schema(), encryptionKey: KEY_A });
    opened.push(store);
    const result = await store.withConnectionLock(KEY, async () => {
      await store.putConnection(KEY, connectedRecord());
      return store.withConnectionLock(KEY, async () => store.getConnection(KEY));
    });
    expect(result).toEqual(connectedRecord());
    expectIdle(pool);
  });

  it('does not exhaust a small pool when many connections are locked at once', async () => {
    const pool = db.pool({ max: 2 });
    const store = await createPostgresConnectionStore({ pool, schema: db.schema(), encryptionKey: KEY_A });
    opened.push(store);
    const keys = Array.from({ length: 8 }, (_, index) => ({ ...KEY, accountId: `account-${index}` }));
    await Promise.all(
      keys.map((key) =>
        store.withConnectionLock(key, async () => {
          await store.getConnection(key);
          await store.putConnection(key, connectedRecord());
        }),
      ),
    );
    for (const key of keys) await expect(store.getConnection(key)).resolves.toEqual(connectedRecord());
    expectIdle(pool);
    expect(await heldLocks()).toBe(0);
  });

  it('survives the lock’s connection dying mid-task: the result is kept, the session’s end frees the lock, the connection is dropped', async () => {
    const schema = db.schema();
    const { store: a, pool: poolA } = await openStore({ schema });
    const { store: b } = await openStore({ schema, lockTimeoutMs: 2_000 });
    const result = await a.withConnectionLock(KEY, async () => {
      const { rows } = await db.admin().query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted",
        [LOCK_CLASS_ID],
      );
      expect(rows).toHaveLength(1);
      await db.admin().query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await sleep(100); // the client sees its connection close (an 'error' event, handled)
      return 'finished';
    });
    expect(result).toBe('finished');
    expect(poolA.totalCount).toBe(0);
    await expect(b.withConnectionLock(KEY, async () => 'taken')).resolves.toBe('taken');
    // The store's pool still works: a new connection is opened.
    await expect(a.getConnection(KEY)).resolves.toBeNull();
  });
});

describe('PostgreSQL store: keep-alive on two backend instances at once', () => {
  it('refreshes each due connection exactly once, whichever instance gets it', async () => {
    const schema = db.schema();
    const { store: storeA } = await openStore({ schema });
    const { store: storeB } = await openStore({ schema });
    const a = await setup((emulator) => ({ store: storeA, keepAlive: true, sleep: emulatedSleep(emulator).sleep }));
    const { emulator } = a;
    const b = await setup({ store: storeB, keepAlive: true, sleep: emulatedSleep(emulator).sleep }, emulator);
    const due = Array.from({ length: 20 }, (_, index) => `due-${String(index).padStart(2, '0')}`);
    await Promise.all(due.map((account, index) => (index % 2 === 0 ? a : b).connectThroughXero({ account })));
    emulator.advanceDays(3);
    await Promise.all(['fresh-1', 'fresh-2', 'fresh-3'].map((account) => a.connectThroughXero({ account })));
    emulator.advanceDays(5);
    const refreshCalls = () => emulator.requests.filter((entry) => entry.path === '/connect/token' && entry.grantType === 'refresh_token').length;

    const started = performance.now();
    const [runA, runB] = await Promise.all([a.handler.refreshDueConnections(), b.handler.refreshDueConnections()]);
    const wallMs = performance.now() - started;

    expect(refreshCalls()).toBe(due.length);
    expect(runA.due).toBe(due.length);
    expect(runB.due).toBe(due.length);
    expect(runA.refreshed + runB.refreshed).toBe(due.length);
    expect(runA.skipped + runB.skipped).toBe(due.length);
    expect(runA.needsReauth + runB.needsReauth + runA.failed + runB.failed).toBe(0);
    for (const account of due) {
      const [lineA, lineB] = [runA, runB].map((run) => run.connections.find((line) => line.key.accountId === account)?.outcome);
      expect([lineA, lineB].sort()).toEqual(['refreshed', 'skipped']);
    }
    // Every rotated token was stored before use: each connection still refreshes.
    emulator.advance(31 * MINUTE_MS);
    for (const account of [...due, 'fresh-1']) {
      await expect(b.client('viewer', account).verify()).resolves.toMatchObject({ status: 'connected', keepAlive: { failing: false } });
    }
    console.info(`keep-alive, 2 instances on PostgreSQL: ${due.length} due of ${due.length + 3}; A refreshed ${runA.refreshed}, B ${runB.refreshed}; ${Math.round(wallMs)} ms wall`);
  }, 60_000);
});

describe('PostgreSQL store: two backend instances, one database', () => {
  /** Two handlers, each with its own in-process lock, store and pool, on one database and one emulator. */
  async function twoInstances() {
    const schema = db.schema();
    const { store: storeA } = await openStore({ schema });
    const { store: storeB } = await openStore({ schema });
    const a = await setup({ store: storeA });
    const { emulator } = a;
    const b = await setup({
      store: storeB,
      endpoints: emulator.endpoints,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      clock: emulator.now,
    });
    return { a, b, emulator, storeA, storeB, schema };
  }

  it('100 concurrent status reads across both at the moment of expiry make exactly one refresh', async () => {
    const { a, b, emulator, storeA, storeB } = await twoInstances();
    await a.connectThroughXero();
    const before = await storeA.getConnection(HANDLER_KEY);
    emulator.advance(30 * MINUTE_MS);

    const answers = await Promise.all(Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? a : b).client().getConnection()));

    expect(emulator.tokenCalls('refresh_token')).toBe(1);
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 100 }, () => 'connected'));
    expect(new Set(answers.map((answer) => answer.lastRefreshedAt))).toEqual(new Set([emulator.now().toISOString()]));
    const [seenByA, seenByB] = await Promise.all([storeA.getConnection(HANDLER_KEY), storeB.getConnection(HANDLER_KEY)]);
    expect(seenByA?.tokens).toEqual(seenByB?.tokens);
    expect(seenByA?.tokens?.refreshToken).not.toBe(before?.tokens?.refreshToken);
    // And the rotated token works: the next refresh, from the other instance, succeeds.
    emulator.advance(31 * MINUTE_MS);
    await expect(b.client().verify()).resolves.toMatchObject({ status: 'connected' });
    expect(emulator.tokenCalls('refresh_token')).toBe(2);
  });

  it('a refresh made by one instance is what the other reads and uses next', async () => {
    const { a, b, emulator } = await twoInstances();
    await a.connectThroughXero();
    emulator.advance(31 * MINUTE_MS);
    const refreshed = await a.client().getConnection();
    expect(emulator.tokenCalls('refresh_token')).toBe(1);
    await expect(b.client().getConnection()).resolves.toMatchObject({ status: 'connected', lastRefreshedAt: refreshed.lastRefreshedAt });
    expect(emulator.tokenCalls('refresh_token')).toBe(1);
    emulator.advance(31 * MINUTE_MS);
    await expect(b.client().verify()).resolves.toMatchObject({ status: 'connected' });
    await expect(a.client().getConnection()).resolves.toMatchObject({ status: 'connected', lastRefreshedAt: emulator.now().toISOString() });
    expect(emulator.tokenCalls('refresh_token')).toBe(2);
  });

  it('connect → callback → refresh → verify → disconnect across both instances, tokens encrypted throughout', async () => {
    const { a, b, emulator, storeA, schema } = await twoInstances();
    // The round trip starts on one instance and comes back to the other (a load balancer).
    const { authorizeUrl } = await a.client().connect({ returnTo: 'https://portal.example/settings', mode: 'connect' });
    const back = await b.request(await emulator.approve(authorizeUrl, {}));
    expect(back.status).toBe(302);
    await expect(a.client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });

    emulator.advance(31 * MINUTE_MS);
    await expect(b.client().verify()).resolves.toMatchObject({ status: 'connected' });
    expect(emulator.tokenCalls('refresh_token')).toBe(1);
    const stored = await storeA.getConnection(HANDLER_KEY);
    const { rows } = await db.admin().query<{ row: string }>(
      `SELECT string_agg(row_to_json(c)::text, ' ') AS row FROM "${schema}".xero_connections c`,
    );
    expect(rows[0]?.row).toContain('Sunrise Care Group');
    expect(rows[0]?.row).not.toContain(stored?.tokens?.refreshToken ?? 'missing');
    expect(rows[0]?.row).not.toContain(stored?.tokens?.accessToken ?? 'missing');

    await expect(a.client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
    await expect(b.client().getConnection()).resolves.toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
  });
});

