import { describe, expect, it } from 'vitest';

import { createMemoryConnectionStore, type ConnectionStore } from '../../src/server';
import { connectionEventsFor, type ConnectionEvent } from '../../src/server/connection-events';
import type { StoredConnection } from '../../src/server/connection-store';
import { emulatedSleep, setup } from './support';

const INTEGRATION = '/api/integrations/xero-billing';
const TOKEN_PATH = '/connect/token';

/** Every event the store holds undelivered, in order (claimed with a lease far in the future, so each once). */
async function takeEvents(store: ConnectionStore): Promise<ConnectionEvent[]> {
  const claimed = await store.claimConnectionEvents?.({ integrationKey: INTEGRATION, now: '2100-01-01T00:00:00.000Z', leaseUntil: '2200-01-01T00:00:00.000Z', limit: 1000 });
  return (claimed ?? []).map(({ event }) => event);
}

async function harness() {
  const store = createMemoryConnectionStore();
  const h = await setup((emulator) => ({ keepAlive: true, sleep: emulatedSleep(emulator).sleep, store }));
  return { ...h, store };
}

describe('connection events: each transition through the real handler emits exactly one event', () => {
  it('connect → connected, expired token → needs_reauth, reconnect → recovered, disconnect → disconnected', async () => {
    const { connectThroughXero, client, emulator, store } = await harness();
    await connectThroughXero();
    const [connected, ...rest] = await takeEvents(store);
    expect(rest).toEqual([]);
    expect(connected).toMatchObject({
      type: 'connected',
      integrationKey: INTEGRATION,
      accountId: 'default',
      organisationName: emulator.organisations[0]?.tenantName,
      reason: null,
      connectedBy: { userId: 'alice' },
    });
    expect(connected?.id).toMatch(/^[0-9a-f-]{36}$/);

    // Reads and a refresh change nothing anyone needs to hear of.
    await client().getConnection();
    emulator.advanceDays(1);
    await client().verify();
    expect(await takeEvents(store)).toEqual([]);

    emulator.advanceDays(61);
    await expect(client().verify()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
    await client().getConnection();
    expect((await takeEvents(store)).map((event) => [event.type, event.reason])).toEqual([['needs_reauth', 'refresh_token_expired']]);

    await connectThroughXero({ mode: 'reauth' });
    expect((await takeEvents(store)).map((event) => event.type)).toEqual(['recovered']);

    await client().disconnect();
    await client().disconnect();
    const events = await takeEvents(store);
    expect(events.map((event) => event.type)).toEqual(['disconnected']);
    // Never a token, whatever the event.
    expect(JSON.stringify(events)).not.toMatch(/token"\s*:\s*"|accessToken|refreshToken/);
  });

  it('the card’s Reconnect after needs_reauth (Disconnect, then a new consent) → disconnected, then recovered', async () => {
    const { connectThroughXero, client, emulator, store } = await harness();
    await connectThroughXero();
    emulator.advanceDays(61);
    await client().getConnection();
    expect((await takeEvents(store)).map((event) => event.type)).toEqual(['connected', 'needs_reauth']);
    // What the hook's reconnect() does: DELETE, then the round trip.
    await client().disconnect();
    await connectThroughXero({ mode: 'reauth' });
    expect((await takeEvents(store)).map((event) => event.type)).toEqual(['disconnected', 'recovered']);
    // A later disconnect and connect, with nothing wrong before, is a plain connect.
    await client().disconnect();
    await connectThroughXero();
    expect((await takeEvents(store)).map((event) => event.type)).toEqual(['disconnected', 'connected']);
  });

  it('keep-alive failing → keep_alive_failing once (however many failed runs), then recovered once', async () => {
    const { connectThroughXero, emulator, handler, store } = await harness();
    await connectThroughXero();
    await takeEvents(store);
    emulator.advanceDays(8);
    emulator.failNext(TOKEN_PATH, { status: 503 }, 2);
    await handler.refreshDueConnections();
    await handler.refreshDueConnections();
    expect((await takeEvents(store)).map((event) => [event.type, event.reason])).toEqual([['keep_alive_failing', 'XERO_UNAVAILABLE']]);
    await expect(handler.refreshDueConnections()).resolves.toMatchObject({ refreshed: 1 });
    await handler.refreshDueConnections();
    expect((await takeEvents(store)).map((event) => event.type)).toEqual(['recovered']);
  });

  it('a consent over several organisations → choosing_organisation, then the choice → connected', async () => {
    const { connectThroughXero, client, emulator, store } = await harness();
    const [first, second] = emulator.organisations.map((org) => org.tenantId);
    await connectThroughXero({ tenantIds: [first ?? '', second ?? ''] });
    expect((await takeEvents(store)).map((event) => [event.type, event.reason])).toEqual([['choosing_organisation', 'multiple_organisations']]);
    await client().chooseOrganisation({ tenantId: second ?? '' });
    expect((await takeEvents(store)).map((event) => event.type)).toEqual(['connected']);
  });
});

describe('connectionEventsFor', () => {
  const key = { integrationKey: INTEGRATION, accountId: 'a' };
  const now = new Date('2026-12-07T00:00:00.000Z');
  const base = {
    tenant: { tenantId: 't', tenantName: 'Sunrise Care', tenantType: 'ORGANISATION' },
    scopes: [],
    tokens: null,
    connectedAt: null,
    connectedBy: { userId: 'u', displayName: 'U' },
    lastUsedAt: null,
    lastRefreshedAt: null,
    checkedAt: now.toISOString(),
    lastError: null,
  } as const;
  const connected = { ...base, status: 'connected', needsReauthReason: null } as unknown as StoredConnection;
  const failing = { ...connected, keepAlive: { lastRefreshedAt: null, failing: true } } as StoredConnection;
  const dead = { ...base, status: 'needs_reauth', needsReauthReason: 'tenant_removed_in_xero' } as unknown as StoredConnection;
  const gone = { ...base, status: 'disconnected', needsReauthReason: null } as unknown as StoredConnection;
  const types = (before: StoredConnection | null, after: StoredConnection | null) => connectionEventsFor(key, before, after, now).map((event) => event.type);

  it('says which event a write emits, at most one, and none for a write that changes no status', () => {
    expect(types(null, connected)).toEqual(['connected']);
    expect(types(gone, connected)).toEqual(['connected']);
    expect(types(connected, connected)).toEqual([]);
    expect(types(connected, dead)).toEqual(['needs_reauth']);
    expect(types(dead, dead)).toEqual([]);
    expect(types(dead, connected)).toEqual(['recovered']);
    expect(types(connected, failing)).toEqual(['keep_alive_failing']);
    expect(types(failing, failing)).toEqual([]);
    expect(types(failing, connected)).toEqual(['recovered']);
    expect(types(connected, gone)).toEqual(['disconnected']);
    expect(types(null, gone)).toEqual([]);
    expect(types(connected, null)).toEqual([]);
    const noticed = { ...connected, expiryNotice: { refreshTokenIssuedAt: 'x', withinDays: 7 } } as StoredConnection;
    const lastDay = { ...connected, expiryNotice: { refreshTokenIssuedAt: 'x', withinDays: 1 } } as StoredConnection;
    expect(types(connected, noticed)).toEqual(['expiring']);
    expect(types(noticed, noticed)).toEqual([]);
    expect(connectionEventsFor(key, noticed, lastDay, now).map((event) => event.reason)).toEqual(['within_1_day']);
    const [event] = connectionEventsFor(key, connected, dead, now);
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'needs_reauth',
      integrationKey: INTEGRATION,
      accountId: 'a',
      organisationName: 'Sunrise Care',
      reason: 'tenant_removed_in_xero',
      occurredAt: now.toISOString(),
      connectedBy: { userId: 'u', displayName: 'U' },
    });
  });
});
