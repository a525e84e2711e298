import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { createPostgresConnectionStore, createSqliteConnectionStore, type ConnectionStore } from '../../src/server';
import { postgresForThisFile } from './postgres-support';
import { emulatedSleep, MINUTE_MS, setup } from './support';
import { apiCalls, connect, INVOICES_PATH, putInvoices } from './xero-fetch-support';

// The single-flight promise with the stores that persist: one refresh at Xero for 50 concurrent
// calls, with SQLite in one process and with PostgreSQL across two handler instances (two pools,
// as two servers would have), where only the store's advisory lock keeps them from both refreshing.

const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const db = postgresForThisFile();
const directory = mkdtempSync(join(tmpdir(), 'xero-fetch-sqlite-'));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('xeroFetch with the SQLite store', () => {
  it('50 concurrent calls when the access token has expired make exactly one refresh, and all succeed', async () => {
    const store = await createSqliteConnectionStore({ filename: join(directory, 'fetch.db'), encryptionKey: KEY });
    closers.push(async () => store.close());
    const harness = await setup((emulator) => ({ store, sleep: emulatedSleep(emulator).sleep }));
    await connect(harness);
    harness.emulator.advance(31 * MINUTE_MS);
    const before = harness.emulator.tokenCalls('refresh_token');
    const responses = await Promise.all(Array.from({ length: 50 }, () => harness.handler.xeroFetch('/api.xro/2.0/Organisation')));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(harness.emulator.tokenCalls('refresh_token') - before).toBe(1);
  });
});

describe('xeroFetch with the PostgreSQL store, two instances', () => {
  it('50 concurrent calls split across two instances make exactly one refresh, and all succeed', async () => {
    const schema = db.schema();
    const open = async (): Promise<ConnectionStore> => {
      const store = await createPostgresConnectionStore({ pool: db.pool(), schema, encryptionKey: KEY });
      closers.push(() => store.close());
      return store;
    };
    const [storeA, storeB] = [await open(), await open()];
    const a = await setup((emulator) => ({ store: storeA, sleep: emulatedSleep(emulator).sleep }));
    const b = await setup((emulator) => ({ store: storeB, sleep: emulatedSleep(emulator).sleep }), a.emulator);
    await connect(a);
    a.emulator.advance(31 * MINUTE_MS);
    const before = a.emulator.tokenCalls('refresh_token');
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 50 }, () => 200));
    expect(a.emulator.tokenCalls('refresh_token') - before).toBe(1);
    expect(a.emulator.invoices(a.emulator.organisations[0]?.tenantId ?? '')).toHaveLength(50);
    // Each instance paces its own 5 at a time: together they may meet Xero's concurrency limit,
    // which is waited out rather than surfaced (documented: pacing holds per process).
    const refused = apiCalls(a.emulator).filter((call) => call.status === 429);
    expect(refused.every((call) => call.rateLimitProblem === 'concurrent' || call.rateLimitProblem === 'minute')).toBe(true);
  });
});
