import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

import {
  createMemoryConnectionStore,
  createPostgresConnectionStore,
  createSqliteConnectionStore,
  type ConnectionKey,
  type ConnectionStore,
  type StoredConnection,
} from '../../src/server';
import { REFRESH_TOKEN_REUSE_WINDOW_MS as EMULATOR_REUSE_WINDOW_MS } from '../../src/server/emulator/xero-emulator';
import { PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS, reusablePreviousRefreshToken } from '../../src/server/refresher';
import { postgresForThisFile } from './postgres-support';
import { BASE_PATH, MINUTE_MS, type Harness } from './support';
import { connect, exportHarness, INVOICES_PATH, putInvoices } from './xero-fetch-support';

// Issue 15, "No grant is lost": Xero lets a spent refresh token be used again for 30 minutes after
// its first use (XERO.md). When the stored (current) refresh token is refused with invalid_grant
// inside that window (another instance, or a lost answer's retry, reused the previous token and the
// rotation killed the one stored), the handler retries once with the token it kept before marking
// the connection needs_reauth. Against the emulator, with each of the three stores.

const ENCRYPTION_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const KEY: ConnectionKey = { integrationKey: BASE_PATH, accountId: 'default' };
const INVALID_GRANT = { status: 400, body: { error: 'invalid_grant' } };
const TOKEN_PATH = '/connect/token';

const db = postgresForThisFile();
const directory = mkdtempSync(join(tmpdir(), 'previous-refresh-token-'));
const closers: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  vi.restoreAllMocks();
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
/** A fresh store of each kind, and for the SQLite one the file its bytes can be read from. */
const stores: [string, () => Promise<{ store: ConnectionStore; file?: string }>][] = [
  ['memory', async () => ({ store: createMemoryConnectionStore() })],
  [
    'SQLite',
    async () => {
      const file = join(directory, `store-${(files += 1)}.db`);
      const store = await createSqliteConnectionStore({ filename: file, encryptionKey: ENCRYPTION_KEY });
      closers.push(() => store.close());
      return { store, file };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const store = await createPostgresConnectionStore({ pool: db.pool(), schema: db.schema(), encryptionKey: ENCRYPTION_KEY });
      closers.push(() => store.close());
      return { store };
    },
  ],
];

/** Refresh requests the emulator saw (answered or refused). */
function refreshCalls(harness: Harness): number {
  return harness.emulator.tokenCalls('refresh_token');
}

/** The next read ends `needs_reauth` after `calls` refresh requests, and the dead grant keeps no token, the kept one included. */
async function expectDeadAfter(harness: Harness, store: ConnectionStore, calls: number): Promise<void> {
  const before = refreshCalls(harness);
  await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_revoked' });
  expect(refreshCalls(harness) - before).toBe(calls);
  await expect(stored(store)).resolves.toMatchObject({ status: 'needs_reauth', tokens: null });
}

async function stored(store: ConnectionStore): Promise<StoredConnection> {
  const connection = await store.getConnection(KEY);
  if (connection === null) throw new Error('no connection stored');
  return connection;
}

/**
 * Connected, then refreshed once by a read 31 minutes later: the stored refresh token is the
 * rotated one and the code exchange's token is kept as the previous one, spent now.
 */
async function refreshedOnce(store: ConnectionStore) {
  const harness = await exportHarness({ store });
  await connect(harness);
  const first = (await stored(store)).tokens?.refreshToken;
  harness.emulator.advance(31 * MINUTE_MS);
  const spentAt = harness.emulator.now().toISOString();
  await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  return { harness, first, spentAt };
}

/** {@link refreshedOnce}, then `minutes` later the stored refresh token is refused once with invalid_grant. */
async function refusedAfter(store: ConnectionStore, minutes: number) {
  const refreshed = await refreshedOnce(store);
  refreshed.harness.emulator.advance(minutes * MINUTE_MS);
  refreshed.harness.emulator.failNext(TOKEN_PATH, INVALID_GRANT);
  return refreshed;
}

it('the server’s reuse window is Xero’s 30 minutes, the same as the emulator’s', () => {
  expect(PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS).toBe(30 * MINUTE_MS);
  expect(PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS).toBe(EMULATOR_REUSE_WINDOW_MS);
});

it('a kept token is reusable strictly inside the window, only with its spending time, and never when it is the stored one', () => {
  const spentAt = '2026-11-26T10:00:00.000Z';
  const tokens = { accessToken: 'a', accessTokenExpiresAt: spentAt, refreshToken: 'r2', previousRefreshToken: 'r1', previousRefreshTokenSpentAt: spentAt };
  const at = (ms: number) => new Date(Date.parse(spentAt) + ms);
  expect(reusablePreviousRefreshToken(tokens, at(0))).toBe('r1');
  expect(reusablePreviousRefreshToken(tokens, at(PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS - 1))).toBe('r1');
  expect(reusablePreviousRefreshToken(tokens, at(PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS))).toBeNull();
  expect(reusablePreviousRefreshToken({ ...tokens, previousRefreshTokenSpentAt: undefined }, at(0))).toBeNull();
  expect(reusablePreviousRefreshToken({ ...tokens, previousRefreshTokenSpentAt: 'not a time' }, at(0))).toBeNull();
  expect(reusablePreviousRefreshToken({ ...tokens, previousRefreshToken: 'r2' }, at(0))).toBeNull();
  expect(reusablePreviousRefreshToken({ accessToken: 'a', accessTokenExpiresAt: spentAt, refreshToken: 'r2' }, at(0))).toBeNull();
});

describe.each(stores)('the previous refresh token, %s store', (_name, open) => {
  it('is kept on every refresh, with when the refresh that spent it was sent', async () => {
    const { store } = await open();
    const { harness, first, spentAt } = await refreshedOnce(store);
    const tokens = (await stored(store)).tokens;
    expect(tokens).toMatchObject({ previousRefreshToken: first, previousRefreshTokenSpentAt: spentAt });
    expect(tokens?.refreshToken).not.toBe(first);
    // The next refresh keeps the token it spent, not the one before.
    const second = tokens?.refreshToken;
    harness.emulator.advance(31 * MINUTE_MS);
    await harness.client().getConnection();
    await expect(stored(store)).resolves.toMatchObject({
      tokens: { previousRefreshToken: second, previousRefreshTokenSpentAt: harness.emulator.now().toISOString() },
    });
  });

  it('(a) is used when the stored one is refused inside 30 minutes of its spending: the read ends connected and exports still work', async () => {
    const { store } = await open();
    // 29.5 minutes on the access token is stale (a refresh starts a minute before expiry), and the
    // kept token was spent 29.5 minutes ago: still inside Xero's window.
    const { harness, first, spentAt } = await refusedAfter(store, 29.5);
    const before = refreshCalls(harness);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected', lastError: null });
    // The refused refresh and one retry with the kept token, which Xero accepted.
    expect(refreshCalls(harness) - before).toBe(2);
    const after = await stored(store);
    expect(after).toMatchObject({ status: 'connected', needsReauthReason: null, lastError: null });
    // Still the token first spent and when: Xero's window runs from its first use.
    expect(after.tokens).toMatchObject({ previousRefreshToken: first, previousRefreshTokenSpentAt: spentAt });

    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).resolves.toMatchObject({ status: 200 });
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    // And the tokens the retry stored are live: the connection goes on refreshing normally.
    harness.emulator.advance(31 * MINUTE_MS);
    await expect(harness.handler.xeroFetch('/api.xro/2.0/Organisation')).resolves.toMatchObject({ status: 200 });
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  });

  it('(a) is used by xeroFetch too: an export whose refresh is refused inside the window goes through', async () => {
    const { store } = await open();
    const { harness } = await refusedAfter(store, 29.5);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).resolves.toMatchObject({ status: 200 });
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  });

  it('(b) is not used 31 minutes after its spending: the connection needs reconnecting, after no retry', async () => {
    const { store } = await open();
    const { harness } = await refusedAfter(store, 31);
    await expectDeadAfter(harness, store, 1);
  });

  it('(b) when the retry is refused too (the grant was revoked), the connection needs reconnecting after exactly one retry', async () => {
    const { store } = await open();
    const { harness } = await refreshedOnce(store);
    harness.emulator.advance(29.5 * MINUTE_MS);
    harness.emulator.revokeAll();
    await expectDeadAfter(harness, store, 2);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).rejects.toMatchObject({ code: 'XERO_INVALID_GRANT' });
  });

  it('(b) a connection never refreshed has nothing kept: invalid_grant needs reconnecting after no retry', async () => {
    const { store } = await open();
    const harness = await exportHarness({ store });
    await connect(harness);
    expect((await stored(store)).tokens?.previousRefreshToken).toBeUndefined();
    harness.emulator.advance(29.5 * MINUTE_MS);
    harness.emulator.failNext(TOKEN_PATH, INVALID_GRANT);
    await expectDeadAfter(harness, store, 1);
  });

  it('a retry that meets an outage stores nothing: the connection stays as it was, and the next read refreshes', async () => {
    const { store } = await open();
    const { harness } = await refusedAfter(store, 29.5);
    const before = await stored(store);
    harness.emulator.failNext(TOKEN_PATH, { status: 503 });
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'error' });
    await expect(stored(store)).resolves.toEqual(before);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  });

  it('(c) the kept token never appears in an answer, a keep-alive summary, a log or the file', async () => {
    const { store, file } = await open();
    const logged: unknown[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args);
      });
    }
    const errors: unknown[] = [];
    const harness = await exportHarness({ store, keepAlive: true, onError: (error) => errors.push(error) });
    await connect(harness);
    const kept = new Set<string>();
    const keep = async () => {
      const tokens = (await stored(store)).tokens;
      for (const token of [tokens?.refreshToken, tokens?.previousRefreshToken, tokens?.accessToken]) if (token !== undefined) kept.add(token);
    };
    await keep();
    const answers: string[] = [];
    const read = async () => {
      const response = await harness.request('/connection', { headers: { accept: 'application/json; contract=1.1' } });
      answers.push(await response.text());
      const verified = await harness.request('/connection/verify', { method: 'POST', headers: { accept: 'application/json; contract=1.1' } });
      answers.push(await verified.text());
    };

    harness.emulator.advance(31 * MINUTE_MS);
    await read();
    await keep();
    // Keep-alive spends it now (a threshold of 15 minutes), then a refused refresh inside the window
    // is retried with the kept token: every answer and summary of the way.
    harness.emulator.advance(20 * MINUTE_MS);
    answers.push(JSON.stringify(await harness.handler.refreshDueConnections({ olderThanDays: 15 / 1440 })));
    await keep();
    harness.emulator.advance(29.5 * MINUTE_MS);
    harness.emulator.failNext(TOKEN_PATH, INVALID_GRANT);
    const retried = await harness.handler.refreshDueConnections({ olderThanDays: 15 / 1440 });
    expect(retried).toMatchObject({ refreshed: 1, needsReauth: 0, failed: 0 });
    answers.push(JSON.stringify(retried));
    await keep();
    await read();
    // A dead grant's problem and its lastError neither.
    harness.emulator.advance(31 * MINUTE_MS);
    harness.emulator.revokeAll();
    const failed = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices()).catch((error: unknown) => error);
    answers.push(String(failed), JSON.stringify(failed));
    await read();
    answers.push(JSON.stringify((await stored(store)).lastError));

    expect(kept.size).toBeGreaterThanOrEqual(6);
    const everything = [...answers, JSON.stringify(logged), JSON.stringify(errors.map((error) => [String(error), error]))].join('\n');
    expect(everything).toContain('needs_reauth'); // what was read is what the card shows
    for (const token of kept) expect(everything).not.toContain(token);
    if (file !== undefined) {
      const bytes = [file, `${file}-wal`].map((path) => {
        try {
          return readFileSync(path).toString('latin1');
        } catch {
          return '';
        }
      });
      for (const token of kept) expect(bytes.join('')).not.toContain(token);
    }
  });
});
