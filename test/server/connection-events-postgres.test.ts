import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, describe, expect, it } from 'vitest';

import { createPostgresConnectionStore, type ConnectionEvent, type PostgresConnectionStore } from '../../src/server';
import { postgresForThisFile } from './postgres-support';
import { connectedRecord } from './store-contract';
import { BASE_PATH, setup } from './support';

const db = postgresForThisFile();
const KEY_A = randomBytes(32).toString('base64');
const opened: PostgresConnectionStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function openStore(schema: string): Promise<PostgresConnectionStore> {
  const store = await createPostgresConnectionStore({ pool: db.pool(), encryptionKey: KEY_A, schema });
  opened.push(store);
  return store;
}

describe('connection events on two backend instances sharing one PostgreSQL', () => {
  it('200 status changes, written by both while both deliver: exactly 200 deliveries, none twice', async () => {
    const schema = db.schema();
    const [storeA, storeB] = [await openStore(schema), await openStore(schema)];
    const a = await setup({ store: storeA });
    const b = await setup({ store: storeB }, a.emulator);
    const deliveries: { instance: string; event: ConnectionEvent }[] = [];
    const sender = (instance: string) => async (event: ConnectionEvent) => {
      await delay(1);
      deliveries.push({ instance, event });
    };

    // 20 accounts, 10 changes each (connected, needs_reauth, recovered, needs_reauth, …), each
    // account's changes in order, alternately through either instance's store.
    let writing = true;
    const writes = Promise.all(
      Array.from({ length: 20 }, async (_, account) => {
        const key = { integrationKey: BASE_PATH, accountId: `account-${String(account).padStart(2, '0')}` };
        for (let change = 0; change < 10; change += 1) {
          const store = (account + change) % 2 === 0 ? storeA : storeB;
          const record =
            change % 2 === 0
              ? connectedRecord()
              : connectedRecord({ status: 'needs_reauth', tokens: null, needsReauthReason: 'refresh_token_revoked', organisationChoice: null });
          await store.putConnection(key, record);
        }
      }),
    ).finally(() => {
      writing = false;
    });
    const deliverAll = async (instance: typeof a, name: string) => {
      for (;;) {
        const wasWriting = writing;
        const summary = await instance.handler.deliverConnectionEvents(sender(name), { batchSize: 7 });
        if (!wasWriting && summary.delivered === 0) return;
      }
    };
    await Promise.all([writes, deliverAll(a, 'A'), deliverAll(b, 'B')]);

    const ids = deliveries.map(({ event }) => event.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    const count = (type: string) => deliveries.filter(({ event }) => event.type === type).length;
    expect({ connected: count('connected'), needs_reauth: count('needs_reauth'), recovered: count('recovered') }).toEqual({
      connected: 20,
      needs_reauth: 100,
      recovered: 80,
    });
    const perInstance = { A: deliveries.filter((entry) => entry.instance === 'A').length, B: deliveries.filter((entry) => entry.instance === 'B').length };
    console.log(`connection events, 2 instances on PostgreSQL: 200 changes, A delivered ${perInstance.A}, B ${perInstance.B}`);
    const { rows } = await db.admin().query(`SELECT count(*)::int AS pending FROM "${schema}".xero_connection_events WHERE delivered_at IS NULL`);
    expect(rows).toEqual([{ pending: 0 }]);
  }, 60_000);

  it('records a failure with its backoff, then dead-letters: the event is never claimed again', async () => {
    const store = await openStore(db.schema());
    const key = { integrationKey: BASE_PATH, accountId: 'default' };
    await store.putConnection(key, connectedRecord());
    const claim = (now: string) => store.claimConnectionEvents({ integrationKey: BASE_PATH, now, leaseUntil: '2030-01-01T00:00:00.000Z', limit: 10 });
    const [first] = await claim('2026-01-01T00:00:00.000Z');
    expect(first).toMatchObject({ attempts: 0, event: { type: 'connected' } });
    await expect(claim('2026-01-01T00:00:00.000Z')).resolves.toEqual([]); // leased
    await store.recordConnectionEventFailure(first?.event.id ?? '', { at: '2026-01-01T00:00:01.000Z', error: 'Error: down', nextAttemptAt: '2026-01-01T00:01:00.000Z' });
    await expect(claim('2026-01-01T00:00:59.000Z')).resolves.toEqual([]);
    await expect(claim('2026-01-01T00:01:00.000Z')).resolves.toMatchObject([{ attempts: 1 }]);
    await store.recordConnectionEventFailure(first?.event.id ?? '', { at: '2026-01-01T00:01:01.000Z', error: 'Error: down', nextAttemptAt: null });
    await expect(claim('2100-01-01T00:00:00.000Z')).resolves.toEqual([]);
  });
});
