import { setTimeout as realDelay } from 'node:timers/promises';

import { describe, expect, it, vi } from 'vitest';

import {
  createMemoryConnectionStore,
  createXeroConnectionHandler,
  XeroKeepAliveConfigurationError,
  type ConnectionStore,
  type DueConnection,
  type DueConnectionQuery,
  type KeepAliveRunSummary,
  type XeroConnectionHandlerOptions,
  type XeroConnectionHandlerWithKeepAlive,
} from '../../src/server';
import type { XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { BASE_PATH, emulatedSleep, MINUTE_MS, setup, type Harness } from './support';

const DAY_MS = 86_400_000;
const TOKEN_PATH = '/connect/token';

/** A harness whose keep-alive waits move the emulator's clock instead of real time. */
async function keepAliveHarness(options: Partial<XeroConnectionHandlerOptions> = {}): Promise<Harness & { waits: number[]; store: ConnectionStore }> {
  let waits: number[] = [];
  const store = options.store ?? createMemoryConnectionStore();
  const harness = await setup((emulator) => {
    const sleep = emulatedSleep(emulator);
    waits = sleep.waits;
    return { keepAlive: true, sleep: sleep.sleep, store, ...options };
  });
  return { ...harness, waits, store };
}

/** Connects `count` portal accounts, each through its own consent (its own grant). */
async function connectAccounts(harness: Harness, count: number, prefix = 'account'): Promise<string[]> {
  const accounts = Array.from({ length: count }, (_, index) => `${prefix}-${String(index).padStart(3, '0')}`);
  // Concurrently, as many users would: each consent has its own cookies, state and grant.
  const responses = await Promise.all(accounts.map((account) => harness.connectThroughXero({ account })));
  for (const [index, response] of responses.entries()) {
    const location = response.headers.get('location') ?? '';
    if (response.status !== 302 || !location.includes('xero=connected')) throw new Error(`connecting ${accounts[index]} answered ${response.status} ${location}`);
  }
  return accounts;
}

/** Refresh calls Xero answered with new tokens. */
function refreshes(emulator: XeroEmulator): number {
  return emulator.requests.filter((entry) => entry.path === TOKEN_PATH && entry.grantType === 'refresh_token' && entry.status === 200).length;
}

function tokenRequests(emulator: XeroEmulator) {
  return emulator.requests.filter((entry) => entry.path === TOKEN_PATH && entry.grantType === 'refresh_token');
}

const keyOf = (account: string) => ({ integrationKey: BASE_PATH, accountId: account });

/** Spends a connection's refresh token outside the handler (a second copy of the token set refreshed elsewhere), and lets its reuse window pass. */
async function spendElsewhere(emulator: XeroEmulator, store: ConnectionStore, account: string): Promise<void> {
  const stored = await store.getConnection(keyOf(account));
  const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
  const response = await fetch(emulator.endpoints.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basic },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored?.tokens?.refreshToken ?? '' }),
  });
  if (response.status !== 200) throw new Error(`spending the token answered ${response.status}`);
  // Xero takes a spent refresh token again for 30 minutes after its first use: only then is it dead.
  emulator.advance(30 * MINUTE_MS);
}

function outcomes(summary: KeepAliveRunSummary): Record<string, string> {
  return Object.fromEntries(summary.connections.map((line) => [line.key.accountId, line.outcome]));
}

describe('refreshDueConnections', () => {
  it('refreshes only the due connections, once each, and records it on each', async () => {
    const harness = await keepAliveHarness();
    const { emulator, client, handler } = harness;
    const old = await connectAccounts(harness, 12, 'old');
    emulator.advanceDays(3);
    const recent = await connectAccounts(harness, 4, 'recent');
    emulator.advanceDays(5); // old: 8 days unused, recent: 5
    const before = refreshes(emulator);

    const summary = await handler.refreshDueConnections();

    expect(refreshes(emulator) - before).toBe(12);
    expect(summary).toMatchObject({ due: 12, refreshed: 12, skipped: 0, needsReauth: 0, failed: 0, deferred: 0, xeroCalls: 12, rateLimited: 0, stopped: null, olderThanDays: 7 });
    expect(Object.keys(outcomes(summary)).sort()).toEqual(old);
    const now = emulator.now().toISOString();
    for (const account of old) {
      const connection = await client('viewer', account).getConnection();
      expect(connection).toMatchObject({ status: 'connected', lastError: null, keepAlive: { enabled: true, failing: false } });
      // Refreshed during the run (whose paced waits move the emulated clock on).
      expect(connection.lastRefreshedAt).toBe(connection.keepAlive?.lastRefreshedAt);
      expect(Date.parse(connection.lastRefreshedAt ?? '')).toBeGreaterThan(Date.parse(now) - MINUTE_MS);
      expect(connection.keepAlive?.nextRefreshAt).toBe(new Date(Date.parse(connection.lastRefreshedAt ?? '') + 7 * DAY_MS).toISOString());
    }
    for (const account of recent) {
      await expect(client('viewer', account).getConnection()).resolves.toMatchObject({ keepAlive: { enabled: true, lastRefreshedAt: null } });
    }
    // Nothing is due any more: a second run calls no one.
    const calls = emulator.requests.length;
    await expect(handler.refreshDueConnections()).resolves.toMatchObject({ due: 0, xeroCalls: 0 });
    expect(emulator.requests.length).toBe(calls);
    // And the rotated tokens work.
    emulator.advance(31 * MINUTE_MS);
    await expect(client('viewer', old[0]).verify()).resolves.toMatchObject({ status: 'connected' });
  });

  it('keeps a connection alive for a year of weekly runs, where one left alone expires', async () => {
    const harness = await keepAliveHarness();
    const { emulator, client, handler } = harness;
    await connectAccounts(harness, 1, 'kept');
    const otherHandler = await setup({}, emulator); // no keep-alive
    await otherHandler.connectThroughXero({ account: 'left' });
    for (let week = 0; week < 52; week += 1) {
      emulator.advanceDays(7);
      await handler.refreshDueConnections();
    }
    await expect(client('viewer', 'kept-000').verify()).resolves.toMatchObject({ status: 'connected' });
    await expect(otherHandler.client('viewer', 'left').verify()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
  });

  it('marks only the connection that meets invalid_grant needs_reauth; the rest are refreshed', async () => {
    const harness = await keepAliveHarness();
    const { emulator, client, handler, store } = harness;
    const accounts = await connectAccounts(harness, 5);
    const victim = accounts[2] ?? '';
    emulator.advanceDays(8);
    await spendElsewhere(emulator, store, victim);

    const summary = await handler.refreshDueConnections();

    expect(summary).toMatchObject({ due: 5, refreshed: 4, needsReauth: 1, failed: 0, xeroCalls: 5 });
    expect(summary.connections.find((line) => line.key.accountId === victim)).toMatchObject({ outcome: 'needs_reauth', errorCode: 'XERO_INVALID_GRANT' });
    // The same reason logic as any refresh: issued 8 days ago, so revoked (or spent), not expired.
    await expect(client('viewer', victim).getConnection()).resolves.toMatchObject({
      status: 'needs_reauth',
      reason: 'refresh_token_revoked',
      lastError: { code: 'XERO_INVALID_GRANT' },
      keepAlive: { failing: true, nextRefreshAt: null },
    });
    for (const account of accounts.filter((candidate) => candidate !== victim)) {
      await expect(client('viewer', account).getConnection()).resolves.toMatchObject({ status: 'connected', keepAlive: { failing: false } });
    }
  });

  it('records a transient failure on that connection (keepAlive.failing, lastError), carries on, and clears it on the next success', async () => {
    const harness = await keepAliveHarness();
    const { emulator, client, handler } = harness;
    const accounts = await connectAccounts(harness, 4);
    emulator.advanceDays(8);
    emulator.failNext(TOKEN_PATH, { status: 503 });

    const summary = await handler.refreshDueConnections();

    expect(summary).toMatchObject({ refreshed: 3, failed: 1, needsReauth: 0 });
    const failed = summary.connections.find((line) => line.outcome === 'failed');
    expect(failed).toMatchObject({ errorCode: 'XERO_UNAVAILABLE', key: { accountId: accounts[0] } });
    const key = keyOf(accounts[0] ?? '');
    await expect(harness.store.getConnection(key)).resolves.toMatchObject({
      status: 'connected',
      lastError: { code: 'XERO_UNAVAILABLE' },
      keepAlive: { failing: true, lastRefreshedAt: null },
    });
    // Reported while Xero is still down (a read that cannot refresh either).
    emulator.failNext(TOKEN_PATH, { status: 503 });
    await expect(client('viewer', accounts[0]).getConnection()).resolves.toMatchObject({
      status: 'error',
      reason: 'xero_unavailable',
      keepAlive: { enabled: true, failing: true },
    });
    // Still due: the next run refreshes it, and the failure is cleared.
    await expect(handler.refreshDueConnections()).resolves.toMatchObject({ due: 1, refreshed: 1 });
    await expect(harness.store.getConnection(key)).resolves.toMatchObject({ lastError: null, keepAlive: { failing: false } });
  });

  it('skips a connection refreshed meanwhile (read again under the lock)', async () => {
    const memory = createMemoryConnectionStore();
    let beforeRun = async (): Promise<void> => {};
    // The listing is taken; then, before keep-alive reaches it, a status read refreshes one.
    const store: ConnectionStore = {
      ...memory,
      getConnection: (key) => memory.getConnection(key),
      putConnection: (key, connection) => memory.putConnection(key, connection),
      putConnectSession: (session) => memory.putConnectSession(session),
      takeConnectSession: (state) => memory.takeConnectSession(state),
      async listDueConnections(query) {
        const due = (await memory.listDueConnections?.(query)) ?? [];
        await beforeRun();
        return due;
      },
    };
    const harness = await keepAliveHarness({ store });
    const { emulator, client, handler } = harness;
    const accounts = await connectAccounts(harness, 3);
    emulator.advanceDays(8);
    beforeRun = async () => {
      await client('viewer', accounts[1]).getConnection(); // the access token is stale: this refreshes
    };
    const before = refreshes(emulator);

    const summary = await handler.refreshDueConnections();

    expect(outcomes(summary)).toEqual({ [accounts[0] ?? '']: 'refreshed', [accounts[1] ?? '']: 'skipped', [accounts[2] ?? '']: 'refreshed' });
    expect(summary.connections[1]?.detail).toBe('refreshed meanwhile');
    expect(refreshes(emulator) - before).toBe(3); // two by keep-alive, one by the read: never the same twice
    expect(summary.xeroCalls).toBe(2);
  });

  it('reports no token in its summary', async () => {
    const harness = await keepAliveHarness();
    const accounts = await connectAccounts(harness, 2);
    harness.emulator.advanceDays(8);
    const summary = await harness.handler.refreshDueConnections();
    const text = JSON.stringify(summary);
    for (const account of accounts) {
      const stored = await harness.store.getConnection(keyOf(account));
      expect(text).not.toContain(stored?.tokens?.refreshToken ?? 'missing');
      expect(text).not.toContain(stored?.tokens?.accessToken ?? 'missing');
    }
    expect(text).not.toMatch(/token"\s*:/i);
  });

  it('stops between connections when its signal aborts; the rest are deferred, untouched', async () => {
    const harness = await keepAliveHarness();
    const accounts = await connectAccounts(harness, 4);
    harness.emulator.advanceDays(8);
    const controller = new AbortController();
    const handler = createXeroConnectionHandler({
      basePath: BASE_PATH,
      clientId: harness.emulator.clientId,
      clientSecret: harness.emulator.clientSecret,
      redirectUri: 'https://portal.example/api/integrations/xero-billing/callback',
      scopes: ['accounting.invoices'],
      endpoints: harness.emulator.endpoints,
      clock: harness.emulator.now,
      store: harness.store,
      authenticate: () => null,
      keepAlive: true,
      // The second wait (before the second call) is where the portal shuts down.
      sleep: async (ms, signal) => {
        controller.abort();
        signal?.throwIfAborted();
        harness.emulator.advance(ms);
      },
    });
    const summary = await handler.refreshDueConnections({ signal: controller.signal });
    expect(summary).toMatchObject({ refreshed: 1, deferred: 3, stopped: { reason: 'aborted' } });
    expect(summary.connections.map((line) => line.key.accountId)).toEqual(accounts);
  });
});

describe('refreshDueConnections over many connections', () => {
  // 1,201 listed connections that are gone by the time keep-alive reads each under its lock
  // (status "skipped: no longer connected"): the listing and the run's bookkeeping at scale,
  // without a call to Xero. bench/server-load.ts refreshes 10,000 real ones.
  const COUNT = 1_201;
  const listed: DueConnection[] = Array.from({ length: COUNT }, (_, index) => ({
    key: keyOf(`gone-${String(index).padStart(4, '0')}`),
    // Runs of ten on the same instant: the cursor must tell ties apart by account.
    refreshTokenIssuedAt: new Date(Date.parse('2026-10-01T00:00:00Z') + Math.floor(index / 10) * MINUTE_MS).toISOString(),
    tenantId: null,
  }));

  /** A store listing `listed`, honouring paging as `paging` says, and recording every listing. */
  function listingStore(paging: 'pages' | 'everything' | 'same-first-page', onRead: () => void = () => {}) {
    const memory = createMemoryConnectionStore();
    const queries: DueConnectionQuery[] = [];
    const store: ConnectionStore = {
      getConnection: async (key) => {
        onRead();
        return memory.getConnection(key);
      },
      putConnection: (key, connection) => memory.putConnection(key, connection),
      putConnectSession: (session) => memory.putConnectSession(session),
      takeConnectSession: (state) => memory.takeConnectSession(state),
      listDueConnections: async (query) => {
        queries.push(query);
        if (paging === 'everything') return structuredClone(listed);
        const { after, limit = COUNT } = query;
        const start = paging === 'pages' && after !== undefined ? listed.findIndex((line) => line.key.accountId === after.accountId) + 1 : 0;
        return structuredClone(listed.slice(start, start + limit));
      },
    };
    return { store, queries };
  }

  it('reads them 500 at a time and takes each exactly once, in order', async () => {
    const { store, queries } = listingStore('pages');
    const { handler } = await keepAliveHarness({ store });
    const summary = await handler.refreshDueConnections();
    expect(queries.map((query) => [query.limit, query.after?.accountId ?? null])).toEqual([
      [500, null],
      [500, 'gone-0499'],
      [500, 'gone-0999'],
    ]);
    expect(summary).toMatchObject({ due: COUNT, skipped: COUNT, xeroCalls: 0, deferred: 0, stopped: null });
    expect(summary.connections.map((line) => line.key.accountId)).toEqual(listed.map((line) => line.key.accountId));
  });

  it('takes a store that ignores paging (everything at once, or the same first page again) as its one answer, never twice', async () => {
    for (const paging of ['everything', 'same-first-page'] as const) {
      const { store, queries } = listingStore(paging);
      const { handler } = await keepAliveHarness({ store });
      const summary = await handler.refreshDueConnections();
      const expected = paging === 'everything' ? COUNT : 500;
      expect(summary.due, paging).toBe(expected);
      expect(new Set(summary.connections.map((line) => line.key.accountId)).size, paging).toBe(expected);
      expect(queries.length, paging).toBe(paging === 'everything' ? 1 : 2);
    }
  });

  it('counts every due connection of every page when it stops early: the rest are deferred', async () => {
    const controller = new AbortController();
    let reads = 0;
    const { store } = listingStore('pages', () => {
      reads += 1;
      if (reads === 700) controller.abort();
    });
    const { handler } = await keepAliveHarness({ store });
    const summary = await handler.refreshDueConnections({ signal: controller.signal });
    expect(summary).toMatchObject({ due: COUNT, skipped: 700, deferred: COUNT - 700, stopped: { reason: 'aborted' } });
    expect(summary.connections.map((line) => line.key.accountId)).toEqual(listed.map((line) => line.key.accountId));
  });
});

describe('refreshDueConnections and Xero’s limits', () => {
  it('paces its calls: under a 5-a-minute limit at callsPerMinute 5 it meets no 429', async () => {
    const harness = await keepAliveHarness({ keepAlive: { callsPerMinute: 5 } });
    const { emulator, handler } = harness;
    await connectAccounts(harness, 12);
    emulator.advanceDays(8);
    emulator.limitRate(TOKEN_PATH, { calls: 5, windowMs: MINUTE_MS });
    const started = emulator.now().getTime();

    const summary = await handler.refreshDueConnections();

    expect(summary).toMatchObject({ refreshed: 12, rateLimited: 0, xeroCalls: 12 });
    expect(tokenRequests(emulator).every((entry) => entry.status === 200)).toBe(true);
    const times = tokenRequests(emulator).map((entry) => Date.parse(entry.at));
    for (const [index, time] of times.entries()) if (index > 0) expect(time - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(12_000);
    expect(emulator.now().getTime() - started).toBeGreaterThanOrEqual(11 * 12_000);
  });

  it('paces calls per organisation (tenantCallsPerMinute) even when the app-wide pace allows more', async () => {
    const harness = await keepAliveHarness({ keepAlive: { callsPerMinute: 10_000, tenantCallsPerMinute: 3 } });
    const { emulator, handler } = harness;
    await connectAccounts(harness, 8); // all on the emulator's first organisation
    emulator.advanceDays(8);
    await expect(handler.refreshDueConnections()).resolves.toMatchObject({ refreshed: 8, rateLimited: 0 });
    const times = tokenRequests(emulator).map((entry) => Date.parse(entry.at));
    for (const time of times) expect(times.filter((other) => other >= time && other < time + MINUTE_MS).length).toBeLessThanOrEqual(3);
  });

  it('on a 429 waits out Retry-After (no call before it), then resumes with the same connection', async () => {
    const harness = await keepAliveHarness();
    const { emulator, handler, waits } = harness;
    await connectAccounts(harness, 5);
    emulator.advanceDays(8);
    emulator.failNext(TOKEN_PATH, { status: 429, retryAfterSeconds: 30 });

    const summary = await handler.refreshDueConnections();

    expect(summary).toMatchObject({ refreshed: 5, rateLimited: 1, xeroCalls: 6, failed: 0, stopped: null });
    const calls = tokenRequests(emulator);
    expect(calls.map((entry) => entry.status)).toEqual([429, 200, 200, 200, 200, 200]);
    expect(Date.parse(calls[1]?.at ?? '') - Date.parse(calls[0]?.at ?? '')).toBeGreaterThanOrEqual(30_000);
    expect(waits.some((ms) => ms >= 29_000)).toBe(true);
    // A rate limit is not the connection's failure.
    await expect(harness.client('viewer', 'account-000').getConnection()).resolves.toMatchObject({ keepAlive: { failing: false }, lastError: null });
  });

  it('under Xero’s own sliding limit, never calls again within a Retry-After and refreshes everything', async () => {
    const harness = await keepAliveHarness();
    const { emulator, handler } = harness;
    await connectAccounts(harness, 12);
    emulator.advanceDays(8);
    emulator.limitRate(TOKEN_PATH, { calls: 5, windowMs: MINUTE_MS });

    const summary = await handler.refreshDueConnections();

    const calls = tokenRequests(emulator);
    const limited = calls.filter((entry) => entry.status === 429);
    expect(summary).toMatchObject({ refreshed: 12, failed: 0, rateLimited: limited.length, xeroCalls: calls.length });
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBeLessThanOrEqual(3);
    for (const [index, entry] of calls.entries()) {
      if (entry.status !== 429) continue;
      const next = calls[index + 1];
      expect(Date.parse(next?.at ?? '') - Date.parse(entry.at)).toBeGreaterThanOrEqual((entry.retryAfterSeconds ?? 0) * 1000);
    }
  });

  it('stops the run when Retry-After is longer than maxRetryAfterSeconds, and the next run resumes', async () => {
    const harness = await keepAliveHarness();
    const { emulator, handler } = harness;
    await connectAccounts(harness, 4);
    emulator.advanceDays(8);
    emulator.failNext(TOKEN_PATH, { status: 429, retryAfterSeconds: 3600 });

    const stopped = await handler.refreshDueConnections();
    expect(stopped).toMatchObject({ refreshed: 0, deferred: 4, xeroCalls: 1, stopped: { reason: 'rate_limited', retryAfterSeconds: 3600 } });
    expect(tokenRequests(emulator)).toHaveLength(1);

    emulator.advance(3600_000);
    await expect(handler.refreshDueConnections()).resolves.toMatchObject({ refreshed: 4, stopped: null });
  });

  it('stops after maxRateLimitRetries 429s in a row instead of hammering', async () => {
    const harness = await keepAliveHarness({ keepAlive: { maxRateLimitRetries: 2 } });
    const { emulator, handler } = harness;
    await connectAccounts(harness, 3);
    emulator.advanceDays(8);
    emulator.failNext(TOKEN_PATH, { status: 429, retryAfterSeconds: 5 }, 10);
    const summary = await handler.refreshDueConnections();
    expect(summary).toMatchObject({ refreshed: 0, deferred: 3, rateLimited: 3, xeroCalls: 3, stopped: { reason: 'rate_limited' } });
    expect(tokenRequests(emulator)).toHaveLength(3);
  });

  it('stops at once when Xero refuses the app itself (invalid_client): every call would fail', async () => {
    const harness = await keepAliveHarness();
    const { emulator, handler } = harness;
    await connectAccounts(harness, 3);
    emulator.advanceDays(8);
    emulator.failNext(TOKEN_PATH, { status: 401, body: { error: 'invalid_client' } });
    await expect(handler.refreshDueConnections()).resolves.toMatchObject({ failed: 1, deferred: 2, xeroCalls: 1, stopped: { reason: 'invalid_client' } });
  });
});

describe('keep-alive options', () => {
  const base = {
    basePath: BASE_PATH,
    clientId: 'client',
    clientSecret: 'secret',
    redirectUri: 'https://portal.example/api/integrations/xero-billing/callback',
    scopes: [],
    authenticate: () => null,
  } satisfies XeroConnectionHandlerOptions;

  it('refuses a threshold that reaches into the safety margin before expiry, with a typed error', async () => {
    expect(() => createXeroConnectionHandler({ ...base, keepAlive: { olderThanDays: 52 } })).not.toThrow();
    for (const olderThanDays of [53, 60, 90]) {
      const error = (() => {
        try {
          createXeroConnectionHandler({ ...base, keepAlive: { olderThanDays } });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(XeroKeepAliveConfigurationError);
      expect(error).toMatchObject({ problem: 'threshold_too_long', message: expect.stringContaining('below 53 days') });
    }
    // Measured against the handler's own lifetime setting.
    expect(() => createXeroConnectionHandler({ ...base, refreshTokenLifetimeDays: 30, keepAlive: { olderThanDays: 23 } })).toThrow(XeroKeepAliveConfigurationError);
    for (const olderThanDays of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createXeroConnectionHandler({ ...base, keepAlive: { olderThanDays } })).toThrow(expect.objectContaining({ problem: 'invalid_threshold' }));
    }
    expect(() => createXeroConnectionHandler({ ...base, keepAlive: { callsPerMinute: 0 } })).toThrow(expect.objectContaining({ problem: 'invalid_pacing' }));
    const handler = createXeroConnectionHandler({ ...base, keepAlive: true });
    await expect(handler.refreshDueConnections({ olderThanDays: 59 })).rejects.toMatchObject({ problem: 'threshold_too_long' });
  });

  it('refuses a timer whose interval, added to the threshold, reaches into the safety margin', () => {
    const handler = createXeroConnectionHandler({ ...base, keepAlive: { olderThanDays: 40 } });
    expect(() => handler.startKeepAlive({ intervalMs: 13 * DAY_MS })).toThrow(expect.objectContaining({ problem: 'threshold_too_long' }));
    expect(() => handler.startKeepAlive({ intervalMs: 0 })).toThrow(expect.objectContaining({ problem: 'invalid_interval' }));
    expect(() => handler.startKeepAlive({ intervalMs: 2 ** 31 })).toThrow(expect.objectContaining({ problem: 'invalid_interval' }));
  });

  it('needs a store that lists due connections: refused when configured, and a handler without it is fine', async () => {
    const memory = createMemoryConnectionStore();
    const hostStore: ConnectionStore = {
      getConnection: (key) => memory.getConnection(key),
      putConnection: (key, connection) => memory.putConnection(key, connection),
      putConnectSession: (session) => memory.putConnectSession(session),
      takeConnectSession: (state) => memory.takeConnectSession(state),
    };
    expect(() => createXeroConnectionHandler({ ...base, store: hostStore, keepAlive: true })).toThrow(
      expect.objectContaining({ name: 'XeroKeepAliveConfigurationError', problem: 'store_cannot_list' }),
    );
    const handler = createXeroConnectionHandler({ ...base, store: hostStore });
    expect(typeof handler).toBe('function');
  });

  it('refuses to run on a handler made without keepAlive, saying how to turn it on', async () => {
    // Otherwise keep-alive would refresh while every connection still reports an expiry countdown.
    // Its type has neither method (test/types/server-handler.test-d.ts): a caller without types can still call them.
    const handler = createXeroConnectionHandler(base) as XeroConnectionHandlerWithKeepAlive;
    await expect(handler.refreshDueConnections()).rejects.toMatchObject({
      name: 'XeroKeepAliveConfigurationError',
      problem: 'not_enabled',
      message: expect.stringContaining('keepAlive: true'),
    });
    expect(() => handler.startKeepAlive({ intervalMs: 60_000 })).toThrow(expect.objectContaining({ problem: 'not_enabled' }));
  });

  it('reports keepAlive on every connection only when configured', async () => {
    const without = await setup();
    const plain = (await (await without.request('/connection')).json()) as Record<string, unknown>;
    expect(plain).not.toHaveProperty('keepAlive');
    await without.connectThroughXero();
    expect(await without.client().getConnection()).not.toHaveProperty('keepAlive');

    const harness = await keepAliveHarness({ keepAlive: { olderThanDays: 10 } });
    await expect(harness.client().getConnection()).resolves.toMatchObject({
      reason: 'never_connected',
      keepAlive: { enabled: true, lastRefreshedAt: null, nextRefreshAt: null, failing: false },
    });
    await harness.connectThroughXero();
    const connection = await harness.client().getConnection();
    expect(connection.keepAlive).toEqual({
      enabled: true,
      lastRefreshedAt: null,
      nextRefreshAt: new Date(harness.emulator.now().getTime() + 10 * DAY_MS).toISOString(),
      failing: false,
    });
    // A 1.0 client is sent it too: an optional field its schema drops.
    await expect((await harness.request('/connection')).json()).resolves.toHaveProperty('keepAlive.enabled', true);
  });
});

describe('startKeepAlive', () => {
  it('runs on a timer that never overlaps its runs, and stops', async () => {
    const memory = createMemoryConnectionStore();
    let listings = 0;
    let active = 0;
    let mostActive = 0;
    const store: ConnectionStore = {
      getConnection: (key) => memory.getConnection(key),
      putConnection: (key, connection) => memory.putConnection(key, connection),
      putConnectSession: (session) => memory.putConnectSession(session),
      takeConnectSession: (state) => memory.takeConnectSession(state),
      listDueConnections: async (query) => {
        listings += 1;
        return (await memory.listDueConnections?.(query)) ?? [];
      },
    };
    // The first run's refresh is held until the test lets it go.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = true;
    let reachedXero = () => {};
    const reached = new Promise<void>((resolve) => {
      reachedXero = resolve;
    });
    const harness = await keepAliveHarness({
      store,
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (holding && url.endsWith(TOKEN_PATH) && String(init?.body ?? '').includes('refresh_token')) {
          reachedXero();
          await held;
        }
        return globalThis.fetch(input, init);
      },
    });
    await connectAccounts(harness, 2);
    harness.emulator.advanceDays(8);
    const summaries: KeepAliveRunSummary[] = [];

    const timer = harness.handler.startKeepAlive({
      intervalMs: 1,
      onRun: (summary) => {
        active -= 1;
        summaries.push(summary);
      },
    });
    // Count runs from their listing to their summary.
    const list = store.listDueConnections?.bind(store);
    store.listDueConnections = async (query) => {
      active += 1;
      mostActive = Math.max(mostActive, active);
      return (await list?.(query)) ?? [];
    };
    await reached;
    // Hundreds of 1 ms intervals pass while the first run is held: no second run starts.
    await realDelay(100);
    expect(listings).toBe(1);
    holding = false;
    release();
    await vi.waitFor(() => expect(summaries.length).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 5 });
    await timer.stop();
    const after = listings;
    await realDelay(30);
    expect(listings).toBe(after);
    expect(mostActive).toBe(1);
    expect(summaries[0]).toMatchObject({ refreshed: 2 });
    expect(summaries.slice(1).every((summary) => summary.due === 0)).toBe(true);
  });

  it('stop() ends a run in progress at its next connection and waits for it', async () => {
    const harness = await keepAliveHarness();
    await connectAccounts(harness, 3);
    harness.emulator.advanceDays(8);
    let stopTimer: () => Promise<void> = async () => {};
    let stopping: Promise<void> | undefined;
    const summaries: KeepAliveRunSummary[] = [];
    // A harness whose first pacing wait stops the timer.
    const handler = createXeroConnectionHandler({
      basePath: BASE_PATH,
      clientId: harness.emulator.clientId,
      clientSecret: harness.emulator.clientSecret,
      redirectUri: 'https://portal.example/api/integrations/xero-billing/callback',
      scopes: [],
      endpoints: harness.emulator.endpoints,
      clock: harness.emulator.now,
      store: harness.store,
      authenticate: () => null,
      keepAlive: true,
      sleep: async (ms, signal) => {
        stopping ??= stopTimer();
        signal?.throwIfAborted();
        harness.emulator.advance(ms);
      },
    });
    const timer = handler.startKeepAlive({ intervalMs: 60_000, onRun: (summary) => summaries.push(summary) });
    stopTimer = () => timer.stop();
    await vi.waitFor(() => expect(stopping).toBeDefined(), { timeout: 20_000, interval: 5 });
    await stopping;
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ refreshed: 1, deferred: 2, stopped: { reason: 'aborted' } });
  });
});
