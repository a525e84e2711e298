import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import {
  createPostgresConnectionStore,
  createSqliteConnectionStore,
  type EncryptionKeyInput,
  type PostgresConnectionStore,
  type SqliteConnectionStore,
} from '../../src/server';
import { postgresForThisFile } from './postgres-support';
import { connectedRecord, connectSession, KEY, rotatedTokens } from './store-contract';

// A key rotation that completes: with the new key current and the old one in
// previousEncryptionKeys, `reencrypt()` moves every row to the new key, after which the old key can
// be removed and every connection (and pending round trip) still reads. Before, rows nobody wrote
// again stayed on the old key, and removing it made them answer 500 for ever. One suite, both SQL
// stores.

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('hex');
const STRANGER = randomBytes(32).toString('hex');

type Store = SqliteConnectionStore | PostgresConnectionStore;
type Open = (keys: { encryptionKey: EncryptionKeyInput; previousEncryptionKeys?: EncryptionKeyInput[] }) => Promise<Store>;

const db = postgresForThisFile();
const directory = mkdtempSync(join(tmpdir(), 'key-rotation-'));
const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
const backends: [string, () => Open][] = [
  [
    'SQLite',
    () => {
      const filename = join(directory, `rotation-${(files += 1)}.db`);
      return async (keys) => {
        const store = await createSqliteConnectionStore({ filename, ...keys });
        opened.push(store);
        return store;
      };
    },
  ],
  [
    'PostgreSQL',
    () => {
      const schema = db.schema();
      return async (keys) => {
        const store = await createPostgresConnectionStore({ pool: db.pool(), schema, ...keys });
        opened.push(store);
        return store;
      };
    },
  ],
];

const accounts = ['a', 'b', 'c'].map((accountId) => ({ ...KEY, accountId }));
/** A record as a refresh leaves it: with the refresh token it spent, sealed in its own column, which rotation must move too. */
const refreshedRecord = () =>
  connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: 'refresh-token-SECRET-previous', previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } });

describe.each(backends)('key rotation: %s', (_name, makeOpen) => {
  it('re-encrypts every connection and pending session, after which the old key can go', async () => {
    const open = makeOpen();
    const before = await open({ encryptionKey: OLD });
    await before.putConnection(accounts[0] ?? KEY, connectedRecord());
    for (const key of accounts.slice(1)) await before.putConnection(key, refreshedRecord());
    await before.putConnection({ ...KEY, accountId: 'dead' }, connectedRecord({ status: 'needs_reauth', needsReauthReason: 'refresh_token_expired', tokens: null }));
    await before.putConnectSession(connectSession('s1'));

    const rotating = await open({ encryptionKey: NEW, previousEncryptionKeys: [OLD] });
    await expect(rotating.reencrypt()).resolves.toEqual({
      connections: { reencrypted: 3, current: 1, unreadable: 0 },
      connectSessions: { reencrypted: 1, current: 0, unreadable: 0 },
    });
    // A second run finds nothing left: the old key can be removed.
    await expect(rotating.reencrypt()).resolves.toEqual({
      connections: { reencrypted: 0, current: 4, unreadable: 0 },
      connectSessions: { reencrypted: 0, current: 1, unreadable: 0 },
    });

    const after = await open({ encryptionKey: NEW });
    // With the old key gone, every sealed column opens, the previous refresh token's included.
    await expect(after.getConnection(accounts[0] ?? KEY)).resolves.toEqual(connectedRecord());
    for (const key of accounts.slice(1)) await expect(after.getConnection(key)).resolves.toEqual(refreshedRecord());
    await expect(after.takeConnectSession('s1')).resolves.toEqual(connectSession('s1'));
  });

  it('without reencrypt, removing the old key leaves untouched rows unreadable (what reencrypt prevents)', async () => {
    const open = makeOpen();
    await (await open({ encryptionKey: OLD })).putConnection(KEY, connectedRecord());
    const after = await open({ encryptionKey: NEW });
    await expect(after.getConnection(KEY)).rejects.toMatchObject({ problem: 'unknown_key' });
  });

  it('counts rows no configured key opens as unreadable and leaves them as they are', async () => {
    const open = makeOpen();
    await (await open({ encryptionKey: STRANGER })).putConnection(accounts[0] ?? KEY, connectedRecord());
    await (await open({ encryptionKey: OLD })).putConnection(accounts[1] ?? KEY, connectedRecord());
    const rotating = await open({ encryptionKey: NEW, previousEncryptionKeys: [OLD] });
    await expect(rotating.reencrypt()).resolves.toMatchObject({ connections: { reencrypted: 1, current: 0, unreadable: 1 } });
    await expect((await open({ encryptionKey: STRANGER })).getConnection(accounts[0] ?? KEY)).resolves.toEqual(connectedRecord());
  });

  it('pages through more rows than one page holds', async () => {
    const open = makeOpen();
    const before = await open({ encryptionKey: OLD });
    for (let index = 0; index < 450; index += 1) await before.putConnection({ ...KEY, accountId: `account-${String(index).padStart(3, '0')}` }, connectedRecord());
    const rotating = await open({ encryptionKey: NEW, previousEncryptionKeys: [OLD] });
    await expect(rotating.reencrypt()).resolves.toMatchObject({ connections: { reencrypted: 450, current: 0, unreadable: 0 } });
  });
});
