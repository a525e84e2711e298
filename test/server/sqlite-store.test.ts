import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

import {
  createSqliteConnectionStore,
  ENCRYPTION_KEY_ENV_VAR,
  SQLITE_SCHEMA_VERSION,
  XeroConnectionDecryptionError,
  XeroConnectionEncryptionKeyError,
  createTokenCipher,
  type SqliteConnectionStore,
} from '../../src/server';
import { sealTokens } from '../../src/server/sealed-columns';
import { completedRecord, connectedRecord, connectSession, IDEMPOTENCY_ID, KEY, pendingRecord, rotatedTokens } from './store-contract';
import { setup } from './support';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('hex');
const { accessToken: ACCESS, refreshToken: REFRESH } = connectedRecord().tokens ?? { accessToken: '', refreshToken: '' };
const PREVIOUS = 'refresh-token-SECRET-previous';

const directory = mkdtempSync(join(tmpdir(), 'xero-sqlite-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(directory, `store-${(files += 1)}.db`);

const open: SqliteConnectionStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
async function openStore(options: Parameters<typeof createSqliteConnectionStore>[0]): Promise<SqliteConnectionStore> {
  const store = await createSqliteConnectionStore(options);
  open.push(store);
  return store;
}

/** Every byte SQLite wrote for `filename`: the file and its WAL. */
function bytesOnDisk(filename: string): string {
  const parts = [filename, `${filename}-wal`].map((path) => {
    try {
      return readFileSync(path).toString('latin1');
    } catch {
      return '';
    }
  });
  return parts.join('');
}


/** Takes a file back to schema version 5: the connection events' outbox gone. */
const UNDO_VERSION_6 = `
  DROP TABLE xero_connection_events; DELETE FROM xero_connection_migrations WHERE version = 6;`;

/** Takes a file back to schema version 4: the previous refresh token columns gone. */
const UNDO_VERSION_5 = `${UNDO_VERSION_6}
  ALTER TABLE xero_connections DROP COLUMN previous_refresh_token; ALTER TABLE xero_connections DROP COLUMN previous_refresh_token_spent_at;
  DELETE FROM xero_connection_migrations WHERE version = 5;`;

/** Takes a file back to schema version 3: the connect sessions' owner columns and their indexes gone. */
const UNDO_VERSION_4 = `${UNDO_VERSION_5}
  DROP INDEX xero_connect_sessions_owner; DROP INDEX xero_connect_sessions_expiry;
  ALTER TABLE xero_connect_sessions DROP COLUMN integration_key; ALTER TABLE xero_connect_sessions DROP COLUMN account_id;
  ALTER TABLE xero_connect_sessions DROP COLUMN user_id; DELETE FROM xero_connection_migrations WHERE version = 4;`;

describe('SQLite store: encryption at rest', () => {
  it('writes no token or PKCE verifier in plain text: not in the columns, not in the file', async () => {
    const filename = newFile();
    const store = await openStore({ filename, encryptionKey: KEY_A });
    expect(store.encrypted).toBe(true);
    await store.putConnection(KEY, connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: PREVIOUS, previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } }));
    await store.putConnectSession(connectSession('state-1'));

    const raw = new Database(filename, { readonly: true });
    const rows = raw.prepare('SELECT * FROM xero_connections').all() as Record<string, string>[];
    const sessions = raw.prepare('SELECT * FROM xero_connect_sessions').all() as Record<string, string>[];
    raw.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.access_token).toMatch(/^v1:/);
    expect(rows[0]?.refresh_token).toMatch(/^v1:/);
    expect(rows[0]?.previous_refresh_token).toMatch(/^v1:/);
    expect(rows[0]?.previous_refresh_token_spent_at).toBe('2026-11-26T09:59:30.000Z');
    expect(sessions[0]?.code_verifier).toMatch(/^v1:/);
    const dump = JSON.stringify([rows, sessions]);
    for (const secret of [ACCESS, REFRESH, PREVIOUS, 'verifier-SECRET-state-1', 'SECRET']) expect(dump).not.toContain(secret);

    const bytes = bytesOnDisk(filename);
    expect(bytes).toContain('Sunrise Care Group'); // the file was read: non-secret data is there
    expect(bytes).not.toContain('SECRET');
  });

  it('reads back after close and reopen with the same key (from the environment)', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, KEY_A);
    const filename = newFile();
    const first = await createSqliteConnectionStore({ filename });
    await first.putConnection(KEY, connectedRecord());
    await first.putConnectSession(connectSession('state-1'));
    first.close();

    const second = await openStore({ filename });
    await expect(second.getConnection(KEY)).resolves.toEqual(connectedRecord());
    await expect(second.takeConnectSession('state-1')).resolves.toEqual(connectSession('state-1'));
    second.close();
    open.splice(0);
    // The take was persisted: the state stays spent after another reopen.
    const third = await openStore({ filename });
    await expect(third.takeConnectSession('state-1')).resolves.toBeNull();
  });

  it('a wrong key fails to read with XeroConnectionDecryptionError, never garbage', async () => {
    const filename = newFile();
    const writer = await createSqliteConnectionStore({ filename, encryptionKey: KEY_A });
    await writer.putConnection(KEY, connectedRecord());
    await writer.putConnectSession(connectSession('state-1'));
    writer.close();

    const reader = await openStore({ filename, encryptionKey: KEY_B });
    const error = await reader.getConnection(KEY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(XeroConnectionDecryptionError);
    expect(error).toMatchObject({ problem: 'unknown_key' });
    await expect(reader.takeConnectSession('state-1')).rejects.toBeInstanceOf(XeroConnectionDecryptionError);
  });

  it('reads old values after a key rotation (previousEncryptionKeys) and re-encrypts on the next write', async () => {
    const filename = newFile();
    const before = await createSqliteConnectionStore({ filename, encryptionKey: KEY_A });
    await before.putConnection(KEY, connectedRecord());
    before.close();
    const rotated = await openStore({ filename, encryptionKey: KEY_B, previousEncryptionKeys: [KEY_A] });
    const read = await rotated.getConnection(KEY);
    expect(read).toEqual(connectedRecord());
    await rotated.putConnection(KEY, read ?? connectedRecord());
    rotated.close();
    open.splice(0);
    await expect((await openStore({ filename, encryptionKey: KEY_B })).getConnection(KEY)).resolves.toEqual(connectedRecord());
  });

  it('detects a token ciphertext copied into another row', async () => {
    const filename = newFile();
    const store = await openStore({ filename, encryptionKey: KEY_A });
    const other = { ...KEY, accountId: 'account-2' };
    await store.putConnection(KEY, connectedRecord());
    await store.putConnection(other, connectedRecord({ tokens: null }));
    const raw = new Database(filename);
    raw
      .prepare(
        `UPDATE xero_connections SET (access_token, access_token_expires_at, refresh_token) =
          (SELECT access_token, access_token_expires_at, refresh_token FROM xero_connections WHERE account_id = ?) WHERE account_id = ?`,
      )
      .run(KEY.accountId, other.accountId);
    raw.close();
    await expect(store.getConnection(other)).rejects.toMatchObject({ name: 'XeroConnectionDecryptionError', problem: 'authentication_failed' });
  });

  it('detects a sealed refresh token moved into the previous refresh token column of its own row', async () => {
    const filename = newFile();
    const store = await openStore({ filename, encryptionKey: KEY_A });
    await store.putConnection(KEY, connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: PREVIOUS, previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } }));
    const raw = new Database(filename);
    raw.prepare('UPDATE xero_connections SET previous_refresh_token = refresh_token WHERE account_id = ?').run(KEY.accountId);
    raw.close();
    await expect(store.getConnection(KEY)).rejects.toMatchObject({ name: 'XeroConnectionDecryptionError', problem: 'authentication_failed' });
  });
});

describe('SQLite store: opening', () => {
  it('refuses to open without a key, naming the variable', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, '');
    const error = await createSqliteConnectionStore({ filename: ':memory:' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(XeroConnectionEncryptionKeyError);
    expect(error).toMatchObject({ problem: 'missing', message: expect.stringContaining(ENCRYPTION_KEY_ENV_VAR) });
  });

  it('refuses a key of the wrong length', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, randomBytes(16).toString('base64'));
    await expect(createSqliteConnectionStore({ filename: ':memory:' })).rejects.toMatchObject({ problem: 'invalid', source: ENCRYPTION_KEY_ENV_VAR });
    await expect(createSqliteConnectionStore({ filename: ':memory:', encryptionKey: 'short' })).rejects.toMatchObject({
      problem: 'invalid',
      source: 'the encryptionKey option',
    });
  });

  it('opens without a key only in explicit insecure demo mode, with a warning, storing tokens unencrypted', async () => {
    vi.stubEnv(ENCRYPTION_KEY_ENV_VAR, '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const filename = newFile();
    const store = await openStore({ filename, insecureDemoMode: true });
    expect(store.encrypted).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('UNENCRYPTED'));
    await store.putConnection(KEY, connectedRecord());
    await expect(store.getConnection(KEY)).resolves.toEqual(connectedRecord());
    // A keyed store refuses the unencrypted values rather than trusting them.
    const keyed = await openStore({ filename, encryptionKey: KEY_A });
    await expect(keyed.getConnection(KEY)).rejects.toMatchObject({ problem: 'malformed' });
  });

  it('encrypts in demo mode too when a key is configured', async () => {
    const store = await openStore({ filename: ':memory:', encryptionKey: KEY_A, insecureDemoMode: true });
    expect(store.encrypted).toBe(true);
  });

  it('creates the schema with a migrations table at the current version, a file readable by its owner only', async () => {
    const filename = newFile();
    (await openStore({ filename, encryptionKey: KEY_A })).close();
    open.splice(0);
    (await openStore({ filename, encryptionKey: KEY_A })).close(); // reopening migrates nothing twice
    open.splice(0);
    const raw = new Database(filename, { readonly: true });
    expect(raw.prepare('SELECT version FROM xero_connection_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    raw.close();
    expect(SQLITE_SCHEMA_VERSION).toBe(6);
    expect(statSync(filename).mode & 0o777).toBe(0o600);
  });

  it('refuses a database from a newer version of the package', async () => {
    const filename = newFile();
    (await openStore({ filename, encryptionKey: KEY_A })).close();
    open.splice(0);
    const raw = new Database(filename);
    raw.prepare('INSERT INTO xero_connection_migrations (version, applied_at) VALUES (7, ?)').run(new Date().toISOString());
    raw.close();
    await expect(createSqliteConnectionStore({ filename, encryptionKey: KEY_A })).rejects.toThrow(/schema version 7/);
  });

  it('upgrades a version 1 file: its connections read back as they were and keep-alive finds the due ones', async () => {
    const filename = newFile();
    // The version 1 schema exactly as 0.1.0 made it, with rows written the way it wrote them.
    const raw = new Database(filename);
    raw.exec(`
      CREATE TABLE xero_connection_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
      INSERT INTO xero_connection_migrations VALUES (1, '2026-01-01T00:00:00.000Z');
      CREATE TABLE xero_connections (
        integration_key TEXT NOT NULL, account_id TEXT NOT NULL, data TEXT NOT NULL,
        access_token TEXT, access_token_expires_at TEXT, refresh_token TEXT, updated_at TEXT NOT NULL,
        PRIMARY KEY (integration_key, account_id)
      );
      CREATE TABLE xero_connect_sessions (state TEXT PRIMARY KEY, data TEXT NOT NULL, code_verifier TEXT NOT NULL, expires_at TEXT NOT NULL);
    `);
    const cipher = createTokenCipher({ key: KEY_A });
    const old = connectedRecord({ lastRefreshedAt: '2026-10-01T09:30:00.000Z' });
    const recent = connectedRecord({ lastRefreshedAt: '2026-11-25T09:30:00.000Z' });
    const insert = raw.prepare('INSERT INTO xero_connections VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const [accountId, record] of [['old', old], ['recent', recent]] as const) {
      const key = { ...KEY, accountId };
      const sealed = sealTokens(cipher, key, record.tokens);
      insert.run(KEY.integrationKey, accountId, JSON.stringify({ ...record, tokens: null }), sealed.access_token, sealed.access_token_expires_at, sealed.refresh_token, 'x');
    }
    raw.close();

    const store = await openStore({ filename, encryptionKey: KEY_A });
    await expect(store.getConnection({ ...KEY, accountId: 'old' })).resolves.toEqual(old);
    await expect(store.listDueConnections({ integrationKey: KEY.integrationKey, issuedBefore: '2026-11-19T09:30:00.000Z' })).resolves.toEqual([
      { key: { ...KEY, accountId: 'old' }, refreshTokenIssuedAt: '2026-10-01T09:30:00.000Z', tenantId: 'tenant-1' },
    ]);
    const check = new Database(filename, { readonly: true });
    expect(check.prepare('SELECT version FROM xero_connection_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    // The due query is answered from the index, not by reading every row.
    const plan = check
      .prepare(`EXPLAIN QUERY PLAN SELECT account_id FROM xero_connections WHERE integration_key = ? AND status = 'connected' AND refresh_token IS NOT NULL AND refresh_token_issued_at < ?`)
      .all('k', 'x') as { detail: string }[];
    check.close();
    expect(plan.map((row) => row.detail).join(' ')).toContain('xero_connections_due');
  });
});

describe('SQLite store: migration 3 (Idempotency-Key records)', () => {
  it('upgrades a version 2 file: its connections and sessions stay, and Idempotency-Key records work, with an expiry index', async () => {
    const filename = newFile();
    // A version 2 file: migrations 1 and 2 as this package applies them, without 3.
    const first = await openStore({ filename, encryptionKey: KEY_A });
    await first.putConnection(KEY, connectedRecord());
    await first.putConnectSession(connectSession('state-1'));
    first.close();
    open.splice(0);
    const raw = new Database(filename);
    raw.exec(`${UNDO_VERSION_4} DROP TABLE xero_idempotency_records; DELETE FROM xero_connection_migrations WHERE version = 3;`);
    raw.close();

    const store = await openStore({ filename, encryptionKey: KEY_A });
    await expect(store.getConnection(KEY)).resolves.toEqual(connectedRecord());
    await expect(store.takeConnectSession('state-1')).resolves.toEqual(connectSession('state-1'));
    await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord())).resolves.toBeNull();
    await store.completeIdempotencyKey(IDEMPOTENCY_ID, completedRecord());
    await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord('2026-11-26T10:00:00.000Z'))).resolves.toEqual(completedRecord());
    const check = new Database(filename, { readonly: true });
    expect(check.prepare('SELECT version FROM xero_connection_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    const plan = check.prepare('EXPLAIN QUERY PLAN DELETE FROM xero_idempotency_records WHERE expires_at <= ?').all('x') as { detail: string }[];
    check.close();
    expect(plan.map((row) => row.detail).join(' ')).toContain('xero_idempotency_records_expiry');
  });
});

describe('SQLite store: bounded connect sessions', () => {
  it('upgrades a version 3 file: its pending sessions stay, and count against their user and account', async () => {
    const filename = newFile();
    const first = await openStore({ filename, encryptionKey: KEY_A });
    for (const state of ['s1', 's2']) await first.putConnectSession(connectSession(state));
    first.close();
    open.splice(0);
    const raw = new Database(filename);
    raw.exec(UNDO_VERSION_4);
    raw.close();

    const store = await openStore({ filename, encryptionKey: KEY_A });
    const limits = { perUser: 2, perAccount: 10, now: '2026-11-26T09:30:00.000Z' };
    await expect(store.startConnectSession(connectSession('s3'), limits)).resolves.toMatchObject({ stored: false, limit: 'user' });
    await expect(store.takeConnectSession('s1')).resolves.toEqual(connectSession('s1'));
    await expect(store.startConnectSession(connectSession('s3'), limits)).resolves.toEqual({ stored: true });
    const check = new Database(filename, { readonly: true });
    const plan = check
      .prepare('EXPLAIN QUERY PLAN SELECT count(*) FROM xero_connect_sessions WHERE integration_key = ? AND account_id = ? AND user_id = ?')
      .all('a', 'b', 'c') as { detail: string }[];
    check.close();
    expect(plan.map((row) => row.detail).join(' ')).toContain('xero_connect_sessions_owner');
  });
});

describe('SQLite store: a drop-in for the handler', () => {
  it('connect → callback → refresh → verify → disconnect against the emulator, tokens encrypted throughout', async () => {
    const filename = newFile();
    const store = await openStore({ filename, encryptionKey: KEY_A });
    const { connectThroughXero, client, emulator } = await setup({ store });

    const back = await connectThroughXero();
    expect(back.status).toBe(302);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });

    emulator.advance(31 * 60_000);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
    expect(emulator.tokenCalls('refresh_token')).toBe(1);

    const stored = await store.getConnection({ integrationKey: '/api/integrations/xero-billing', accountId: 'default' });
    expect(stored?.tokens?.refreshToken).toBeTruthy();
    expect(bytesOnDisk(filename)).not.toContain(stored?.tokens?.refreshToken ?? '');
    expect(bytesOnDisk(filename)).not.toContain(stored?.tokens?.accessToken ?? '');

    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
    expect(emulator.connections()).toEqual([]);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
  });

  it('keeps the connection across a restart (a new handler on the reopened file)', async () => {
    const filename = newFile();
    const first = await createSqliteConnectionStore({ filename, encryptionKey: KEY_A });
    const { connectThroughXero, emulator } = await setup({ store: first });
    await connectThroughXero();
    first.close();

    const second = await openStore({ filename, encryptionKey: KEY_A });
    const { client } = await setup({ store: second, endpoints: emulator.endpoints, clientId: emulator.clientId, clientSecret: emulator.clientSecret, clock: emulator.now });
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });
  });
});

describe('SQLite store: migration 5 (the previous refresh token)', () => {
  it('upgrades a version 5 file: its connections read back as they were, and a change from then on records its event with it', async () => {
    const filename = newFile();
    (await openStore({ filename, encryptionKey: KEY_A })).close();
    open.splice(0);
    const raw = new Database(filename);
    raw.exec(UNDO_VERSION_6);
    raw.close();
    const before = await openStore({ filename, encryptionKey: KEY_A });
    // Written at version 6 but with the outbox empty, as a version 5 file has none.
    const record = connectedRecord();
    await before.putConnection(KEY, record);
    before.close();
    open.splice(0);
    const reset = new Database(filename);
    reset.exec(UNDO_VERSION_6);
    reset.close();

    const store = await openStore({ filename, encryptionKey: KEY_A });
    await expect(store.getConnection(KEY)).resolves.toEqual(record);
    await store.putConnection(KEY, { ...record, status: 'needs_reauth', tokens: null, needsReauthReason: 'refresh_token_revoked', organisationChoice: null });
    const claimed = await store.claimConnectionEvents({ integrationKey: KEY.integrationKey, now: '2030-01-01T00:00:00.000Z', leaseUntil: '2030-01-01T00:05:00.000Z', limit: 10 });
    expect(claimed.map(({ event }) => [event.type, event.reason])).toEqual([['needs_reauth', 'refresh_token_revoked']]);
    const check = new Database(filename, { readonly: true });
    expect(check.prepare('SELECT version FROM xero_connection_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    check.close();
  });

  it('upgrades a version 4 file: its connections read back as they were, with none kept, and keep one from then on', async () => {
    const filename = newFile();
    // A version 4 file, with rows written the way version 4 wrote them (no previous token columns).
    const first = await openStore({ filename, encryptionKey: KEY_A });
    first.close();
    open.splice(0);
    const raw = new Database(filename);
    raw.exec(UNDO_VERSION_5);
    const cipher = createTokenCipher({ key: KEY_A });
    const record = connectedRecord();
    const sealed = sealTokens(cipher, KEY, record.tokens);
    raw
      .prepare(
        `INSERT INTO xero_connections (integration_key, account_id, data, access_token, access_token_expires_at, refresh_token, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(KEY.integrationKey, KEY.accountId, JSON.stringify({ ...record, tokens: null }), sealed.access_token, sealed.access_token_expires_at, sealed.refresh_token, 'x');
    raw.close();

    const store = await openStore({ filename, encryptionKey: KEY_A });
    const read = await store.getConnection(KEY);
    expect(read).toEqual(record);
    expect(read?.tokens).not.toHaveProperty('previousRefreshToken');
    await expect(store.listDueConnections({ integrationKey: KEY.integrationKey, issuedBefore: '2026-12-01T00:00:00.000Z' })).resolves.toHaveLength(1);
    const rotated = connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: PREVIOUS, previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } });
    await store.putConnection(KEY, rotated);
    await expect(store.getConnection(KEY)).resolves.toEqual(rotated);
    const check = new Database(filename, { readonly: true });
    expect(check.prepare('SELECT version FROM xero_connection_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }]);
    check.close();
  });
});
