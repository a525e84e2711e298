import { inspect } from 'node:util';

import { describe, expect, it, vi } from 'vitest';

import { PROBLEM_CONTENT_TYPE, problemSchema } from '../../src/contract';
import { createMemoryConnectionStore, XeroConnectionHandlerError, type ConnectionStore } from '../../src/server';
import { apiCalls, connect, exportHarness, INVOICES_PATH, putInvoices } from './xero-fetch-support';
import { BASE_PATH, MINUTE_MS } from './support';

const DAY_MS = 86_400_000;
const key = (accountId = 'default') => ({ integrationKey: BASE_PATH, accountId });

/** The rejection of `promise`, checked to be a XeroConnectionHandlerError. */
async function rejection(promise: Promise<unknown>): Promise<XeroConnectionHandlerError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof XeroConnectionHandlerError)) throw new Error(`expected a XeroConnectionHandlerError, got ${inspect(error)}`);
  return error;
}

describe('xeroFetch: the export path', () => {
  it('exports invoices with the bearer token and the linked organisation, and answers Xero’s own response', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { Invoices: { InvoiceID: string; Reference: string }[] };
    expect(body.Invoices.map((invoice) => invoice.Reference)).toEqual(['export-1', 'export-2', 'export-3']);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    const [call] = apiCalls(harness.emulator);
    expect(call).toMatchObject({ method: 'PUT', status: 200, tenantId: harness.tenantId });
    // A write always carries an Idempotency-Key, made for the call when the caller gave none.
    expect(call?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads with GET, sends no Idempotency-Key, and ignores a caller’s Authorization and Xero-tenant-id', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const other = harness.emulator.organisations[1]?.tenantId ?? '';
    const response = await harness.handler.xeroFetch(`${harness.emulator.url}/api.xro/2.0/Organisation`, {
      headers: { authorization: 'Bearer forged', 'xero-tenant-id': other },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { Organisations: { OrganisationID: string }[] };
    expect(body.Organisations[0]?.OrganisationID).toBe(harness.tenantId);
    expect(apiCalls(harness.emulator)[0]).toMatchObject({ method: 'GET', tenantId: harness.tenantId });
    expect(apiCalls(harness.emulator)[0]?.idempotencyKey).toBeUndefined();
  });

  it('answers a Xero validation error (400) as Xero sent it, without rejecting', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const response = await harness.handler.xeroFetch(INVOICES_PATH, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Invoices: [{ Type: 'ACCREC' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ Type: 'ValidationException' });
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(0);
  });

  it('records a successful call as the connection’s lastUsedAt; a status read that refreshes does not', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.advanceDays(2);
    const read = await harness.client().getConnection(); // refreshes the stale access token
    expect(read.lastUsedAt).not.toBe(harness.emulator.now().toISOString());
    harness.emulator.advance(5 * MINUTE_MS);
    await harness.handler.xeroFetch(INVOICES_PATH, putInvoices());
    await expect(harness.client().getConnection()).resolves.toMatchObject({ lastUsedAt: harness.emulator.now().toISOString() });
  });

  it('serves several accounts, each through its own connection and organisation', async () => {
    const harness = await exportHarness();
    await connect(harness, 'sunrise');
    const second = harness.emulator.organisations[1]?.tenantId ?? '';
    const back = await harness.connectThroughXero({ account: 'harbour', tenantIds: [second] });
    expect(back.headers.get('location')).toContain('xero=connected');
    await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ accountId: 'sunrise', count: 1 }));
    await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ accountId: 'harbour', count: 2 }));
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(1);
    expect(harness.emulator.invoices(second)).toHaveLength(2);
  });
});

describe('xeroFetch: a connection that cannot call', () => {
  it('rejects without calling Xero when the account never connected', async () => {
    const harness = await exportHarness();
    const error = await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()));
    expect(error).toMatchObject({ code: 'XERO_TENANT_NOT_FOUND', status: 404 });
    expect(harness.emulator.requests).toHaveLength(0);
  });

  it('rejects without calling Xero after a disconnect, and while an organisation is still to be chosen', async () => {
    const harness = await exportHarness();
    await connect(harness);
    await harness.client().disconnect();
    const before = harness.emulator.requests.length;
    await expect(rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()))).resolves.toMatchObject({ code: 'XERO_TENANT_NOT_FOUND' });

    const ids = harness.emulator.organisations.map((org) => org.tenantId);
    await harness.connectThroughXero({ account: 'both', tenantIds: ids });
    await expect(harness.client('admin', 'both').getConnection()).resolves.toMatchObject({ status: 'choosing_organisation' });
    const during = harness.emulator.requests.length;
    await expect(rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ accountId: 'both' })))).resolves.toMatchObject({
      code: 'XERO_TENANT_NOT_FOUND',
    });
    expect(apiCalls(harness.emulator)).toHaveLength(0);
    expect(harness.emulator.requests.length).toBe(during);
    expect(during).toBeGreaterThan(before);
  });

  it('stores needs_reauth and rejects with XERO_INVALID_GRANT when the refresh token expired unused', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.advanceDays(61);
    const error = await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()));
    expect(error).toMatchObject({ code: 'XERO_INVALID_GRANT', status: 400, retryAfterSeconds: undefined });
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
    expect(apiCalls(harness.emulator)).toHaveLength(0);
    // Every later call rejects at once, without another refresh.
    const refreshes = harness.emulator.tokenCalls('refresh_token');
    await expect(rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()))).resolves.toMatchObject({ code: 'XERO_INVALID_GRANT' });
    expect(harness.emulator.tokenCalls('refresh_token')).toBe(refreshes);
  });

  it('stores needs_reauth (revoked) when the grant was revoked and the token is refreshed', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.revokeAll();
    harness.emulator.advance(31 * MINUTE_MS);
    await expect(rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()))).resolves.toMatchObject({ code: 'XERO_INVALID_GRANT' });
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_revoked' });
  });

  it('confirms a 403 AuthenticationUnsuccessful with GET /connections and stores tenant_removed_in_xero', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.removeApp(harness.tenantId);
    const listings = () => harness.emulator.requests.filter((entry) => /^\/connections$/i.test(entry.path)).length;
    const before = listings();
    const error = await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()));
    expect(error).toMatchObject({ code: 'XERO_TENANT_NOT_FOUND', status: 404 });
    expect(apiCalls(harness.emulator).map((call) => call.status)).toEqual([403]);
    expect(listings() - before).toBe(1);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'tenant_removed_in_xero' });
  });

  it('answers a 403 that is not AuthenticationUnsuccessful as Xero sent it, organisation still connected', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.failNext('/api.xro/', { status: 403, body: { Type: null, Title: 'Forbidden', Status: 403, Detail: 'insufficient_scope' } });
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices());
    expect(response.status).toBe(403);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  });
});

describe('xeroFetch: tokens under the single-flight lock', () => {
  it('50 concurrent calls when the access token has expired make exactly one refresh, and all 50 succeed', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.advance(31 * MINUTE_MS);
    const before = harness.emulator.tokenCalls('refresh_token');
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1, idempotencyKey: `call-${index}` }))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 50 }, () => 200));
    expect(harness.emulator.tokenCalls('refresh_token') - before).toBe(1);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(50);
    // Paced to Xero's 5 at a time per organisation: no call was refused for concurrency.
    expect(apiCalls(harness.emulator).filter((call) => call.status === 429)).toHaveLength(0);
  });

  it('has at most 5 calls in flight for one organisation: the rest wait in the handler, not at Xero', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const release = harness.emulator.holdApi();
    const calls = Array.from({ length: 8 }, () => harness.handler.xeroFetch('/api.xro/2.0/Organisation'));
    await vi.waitFor(() => expect(harness.emulator.apiInFlight(harness.tenantId)).toBe(5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.emulator.apiInFlight(harness.tenantId)).toBe(5);
    expect(apiCalls(harness.emulator)).toHaveLength(5);
    release();
    const responses = await Promise.all(calls);
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 8 }, () => 200));
    expect(apiCalls(harness.emulator).filter((call) => call.status === 429)).toHaveLength(0);
  });

  it('refreshes once and retries once when Xero refuses the access token before its time (401)', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.failNext('/api.xro/', { status: 401, body: { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token expired' } });
    const before = harness.emulator.tokenCalls('refresh_token');
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices());
    expect(response.status).toBe(200);
    expect(harness.emulator.tokenCalls('refresh_token') - before).toBe(1);
    expect(apiCalls(harness.emulator).map((call) => call.status)).toEqual([401, 200]);
  });

  it('rejects with XERO_FORBIDDEN when Xero refuses even the refreshed token, after one refresh', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const unauthorized = { status: 401, body: { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token expired' } };
    harness.emulator.failNext('/api.xro/', unauthorized, 2);
    const before = harness.emulator.tokenCalls('refresh_token');
    await expect(rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()))).resolves.toMatchObject({ code: 'XERO_FORBIDDEN' });
    expect(harness.emulator.tokenCalls('refresh_token') - before).toBe(1);
  });
});

describe('xeroFetch: rate limits', () => {
  it('waits out the minute limit and retries: 10 calls under a limit of 4 a minute all succeed, none surfaces a 429', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.setApiLimits({ minute: 4 });
    const started = harness.emulator.now().getTime();
    for (let index = 0; index < 10; index += 1) {
      const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }));
      expect(response.status).toBe(200);
    }
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(10);
    const refused = apiCalls(harness.emulator).filter((call) => call.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((call) => call.rateLimitProblem === 'minute')).toBe(true);
    // 10 calls at 4 a minute take at least two more windows.
    expect(harness.emulator.now().getTime() - started).toBeGreaterThanOrEqual(2 * MINUTE_MS);
  });

  it('rejects at once with XERO_RATE_LIMITED and retryAfterSeconds when the day limit is reached', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.setApiLimits({ day: 1 });
    await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }));
    const waitsBefore = harness.waits.length;
    const error = await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 })));
    expect(error.code).toBe('XERO_RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBeGreaterThan(60);
    expect(error.message).toContain('day');
    expect(harness.waits.length).toBe(waitsBefore);
    const response = error.toResponse({ instance: '/portal/exports/42' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(String(error.retryAfterSeconds));
    expect(problemSchema.parse(await response.json())).toMatchObject({ code: 'XERO_RATE_LIMITED', retryable: true, instance: '/portal/exports/42' });
  });

  it('paces one organisation to 60 calls a minute by default, so Xero’s minute limit is never met', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const minuteStart = harness.emulator.now().getTime();
    for (let index = 0; index < 65; index += 1) {
      await harness.handler.xeroFetch(`/api.xro/2.0/Organisation`);
    }
    const calls = apiCalls(harness.emulator);
    expect(calls.filter((call) => call.status === 429)).toHaveLength(0);
    const inFirstMinute = calls.filter((call) => Date.parse(call.at) < minuteStart + MINUTE_MS);
    expect(inFirstMinute.length).toBeLessThanOrEqual(60);
    expect(calls).toHaveLength(65);
  });

  it('counts keep-alive’s refreshes in the same per-organisation pacing as the exports', async () => {
    const harness = await exportHarness({ keepAlive: true, xeroFetch: { tenantCallsPerMinute: 2 } });
    await connect(harness);
    harness.emulator.advanceDays(8);
    const summary = await harness.handler.refreshDueConnections();
    expect(summary.refreshed).toBe(1);
    const afterKeepAlive = harness.emulator.now().getTime();
    await harness.handler.xeroFetch('/api.xro/2.0/Organisation');
    expect(harness.emulator.now().getTime()).toBe(afterKeepAlive);
    // Keep-alive's call and this one fill the minute: the third waits for the window to move.
    await harness.handler.xeroFetch('/api.xro/2.0/Organisation');
    expect(harness.emulator.now().getTime() - afterKeepAlive).toBeGreaterThanOrEqual(MINUTE_MS - 1_000);
  });
});

describe('xeroFetch: writes whose answer is lost', () => {
  it('sends a write again with the same Idempotency-Key after a 502, and Xero applies it once', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.failNext(INVOICES_PATH, { status: 502, afterApplying: true });
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ idempotencyKey: 'export-2026-12-07' }));
    expect(response.status).toBe(200);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    const puts = apiCalls(harness.emulator).filter((call) => call.method === 'PUT');
    expect(puts.map((call) => call.status)).toEqual([502, 200]);
    expect(new Set(puts.map((call) => call.idempotencyKey))).toEqual(new Set(['export-2026-12-07']));
  });

  it('sends a write again after a network error, with the key it made for the call, and no invoice is created twice', async () => {
    let lose = 1;
    const harness = await exportHarness({
      fetch: async (input, init) => {
        const response = await globalThis.fetch(input, init);
        if (String(input instanceof Request ? input.url : input).includes('/Invoices') && lose > 0) {
          lose -= 1;
          throw new TypeError('fetch failed: socket hang up');
        }
        return response;
      },
    });
    await connect(harness);
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices());
    expect(response.status).toBe(200);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    const puts = apiCalls(harness.emulator).filter((call) => call.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[0]?.idempotencyKey).toBe(puts[1]?.idempotencyKey);
  });

  it('gives up after maxAttempts with XERO_UNAVAILABLE', async () => {
    const harness = await exportHarness({ xeroFetch: { maxAttempts: 2 } });
    await connect(harness);
    harness.emulator.failNext(INVOICES_PATH, { status: 503 }, 5);
    await expect(rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices()))).resolves.toMatchObject({ code: 'XERO_UNAVAILABLE', status: 503 });
    expect(apiCalls(harness.emulator)).toHaveLength(2);
  });
});

describe('xeroFetch: bad input', () => {
  it('refuses a URL off Xero’s API origin without calling anything: the token is never sent there', async () => {
    const seen: string[] = [];
    const harness = await exportHarness({
      fetch: (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return globalThis.fetch(input, init);
      },
    });
    await connect(harness);
    seen.length = 0;
    for (const input of ['https://evil.example/api.xro/2.0/Invoices', new URL('http://127.0.0.1:1/x'), '//evil.example/steal', new Request('https://evil.example/')]) {
      await expect(harness.handler.xeroFetch(input)).rejects.toThrow(TypeError);
    }
    await expect(harness.handler.xeroFetch(INVOICES_PATH, { accountId: '' })).rejects.toThrow(/accountId/);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, { ...putInvoices(), idempotencyKey: 'x'.repeat(129) })).rejects.toThrow(/idempotencyKey/);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, { ...putInvoices(), idempotencyKey: 'two words' })).rejects.toThrow(/idempotencyKey/);
    expect(seen).toEqual([]);
  });

  it('refuses options that could not pace or retry when the handler is made', async () => {
    await expect(exportHarness({ xeroFetch: { tenantConcurrency: 0 } })).rejects.toThrow(/tenantConcurrency/);
    await expect(exportHarness({ xeroFetch: { maxAttempts: 1.5 } })).rejects.toThrow(/maxAttempts/);
  });

  it('rejects with the signal’s reason when the caller aborts, and retries nothing', async () => {
    const harness = await exportHarness();
    await connect(harness);
    const controller = new AbortController();
    controller.abort(new Error('export cancelled'));
    await expect(harness.handler.xeroFetch(INVOICES_PATH, { ...putInvoices(), signal: controller.signal })).rejects.toThrow('export cancelled');
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(0);
  });
});

describe('xeroFetch: what the rejection carries', () => {
  it('never puts a token or secret in a message, a problem, or an onError line', async () => {
    const logged: unknown[] = [];
    let failWrites = false;
    const memory = createMemoryConnectionStore();
    const store: ConnectionStore = {
      ...memory,
      getConnection: (k) => memory.getConnection(k),
      putConnection: async (k, connection) => {
        if (failWrites) throw new Error('disk full');
        return memory.putConnection(k, connection);
      },
      listDueConnections: (query) => memory.listDueConnections?.(query) ?? Promise.resolve([]),
    };
    const harness = await exportHarness({ store, onError: (error) => logged.push(error) });
    await connect(harness);
    const stored = await store.getConnection(key());
    const secrets = [stored?.tokens?.accessToken ?? 'missing', stored?.tokens?.refreshToken ?? 'missing', harness.emulator.clientSecret];

    const errors: XeroConnectionHandlerError[] = [];
    // A store write that fails after a refresh (INTERNAL), an outage, a rate limit, a dead grant.
    harness.emulator.advance(31 * MINUTE_MS);
    failWrites = true;
    errors.push(await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())));
    failWrites = false;
    harness.emulator.failNext('/connect/token', { status: 503 });
    errors.push(await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())));
    harness.emulator.failNext('/connect/token', { status: 429, retryAfterSeconds: 30 });
    errors.push(await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())));
    harness.emulator.advanceDays(61);
    errors.push(await rejection(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())));
    expect(errors.map((error) => error.code)).toEqual(['INTERNAL', 'XERO_UNAVAILABLE', 'XERO_RATE_LIMITED', 'XERO_INVALID_GRANT']);

    const texts = [
      ...errors.flatMap((error) => [error.message, JSON.stringify(error.toProblem()), inspect(error, { depth: 10 })]),
      ...(await Promise.all(errors.map((error) => error.toResponse().text()))),
      ...logged.map((entry) => inspect(entry, { depth: 10 })),
    ];
    expect(logged.length).toBeGreaterThan(0);
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    for (const error of errors) expect(error.toResponse().headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  });
});

describe('xeroFetch and keep-alive', () => {
  it('keep-alive skips a connection an export used recently, and refreshes one left unused', async () => {
    const harness = await exportHarness({ keepAlive: true });
    await connect(harness, 'exporting');
    await connect(harness, 'idle');
    harness.emulator.advanceDays(6);
    await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ accountId: 'exporting' }));
    harness.emulator.advanceDays(2);
    const summary = await harness.handler.refreshDueConnections();
    expect(summary.connections.map((line) => [line.key.accountId, line.outcome])).toEqual([['idle', 'refreshed']]);
  });

  it('keeps a connection used every few days connected past the 60-day expiry without keep-alive', async () => {
    const harness = await exportHarness();
    await connect(harness);
    for (let day = 0; day < 90; day += 10) {
      harness.emulator.advanceDays(10);
      const response = await harness.handler.xeroFetch('/api.xro/2.0/Organisation');
      expect(response.status).toBe(200);
    }
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
    expect(harness.emulator.now().getTime()).toBeGreaterThan(Date.parse('2026-11-26T09:30:00Z') + 60 * DAY_MS);
  });
});
