import { describe, expect, it } from 'vitest';

import { createMemoryConnectionStore, type ConnectionStore } from '../../src/server';
import { MINUTE_MS, type Harness } from './support';
import { apiCalls, connect, exportHarness, INVOICES_PATH, putInvoices } from './xero-fetch-support';

// The fault matrix of docs/server.md ("Faults, and what the card shows"): each fault met by the
// reference backend over the Xero emulator, the connection the card reads right after it, and
// proof that no grant was lost (the connection still refreshes at Xero and exports once the fault
// has passed). Rows proven elsewhere are named in the table with their own file; a test
// (docs-fault-matrix.test.ts) checks every named test exists.

const isRefresh = (init: RequestInit | undefined) =>
  (init?.body instanceof URLSearchParams ? init.body.toString() : String(init?.body ?? '')).includes('grant_type=refresh_token');

type Fault = 'reset-before' | 'reset-after' | null;

/** A fetch that, once armed, breaks the next refresh: the connection resets before the request reaches Xero, or after Xero answered. */
function breakingNextRefresh(): typeof globalThis.fetch & { arm(fault: Fault): void } {
  let armed: Fault = null;
  return Object.assign(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const fault = isRefresh(init) ? armed : null;
      if (fault !== null) armed = null;
      if (fault === 'reset-before') throw new TypeError('fetch failed: connect ECONNRESET');
      const response = await globalThis.fetch(input, init);
      if (fault === 'reset-after') {
        await response.body?.cancel();
        throw new TypeError('fetch failed: other side closed');
      }
      return response;
    },
    {
      arm(fault: Fault) {
        armed = fault;
      },
    },
  );
}

/** The connection as the card reads it (contract 1.1). */
const cardReads = (harness: Harness) => harness.client('viewer').getConnection();

/**
 * No grant lost: past any access token's life and past Xero's 30-minute reuse window, the card
 * reads `connected`, verify confirms the organisation with Xero, and an export goes through.
 */
async function expectGrantKept(harness: Harness & { tenantId: string }): Promise<void> {
  harness.emulator.advance(31 * MINUTE_MS);
  await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected', lastError: null });
  await expect(harness.client().verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: harness.tenantId } });
  const before = harness.emulator.invoices(harness.tenantId).length;
  const exported = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }));
  expect(exported.status).toBe(200);
  expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(before + 1);
}

/** A connected harness whose access token is stale, so the card's next read refreshes. */
async function staleConnection(options: Parameters<typeof exportHarness>[0] = {}) {
  const harness = await exportHarness(options);
  await connect(harness);
  harness.emulator.advance(31 * MINUTE_MS);
  return harness;
}

describe('fault matrix: a refresh the card’s read makes', () => {
  it('Xero answers 500: the card shows xero_unavailable, and the grant is kept', async () => {
    const harness = await staleConnection();
    harness.emulator.failNext('/connect/token', { status: 500 });
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'error', reason: 'xero_unavailable', tenant: { tenantId: harness.tenantId } });
    await expectGrantKept(harness);
  });

  it('Xero answers 503 after rotating the token (the answer lost): the card shows xero_unavailable, and the grant is kept', async () => {
    const harness = await staleConnection();
    harness.emulator.failNext('/connect/token', { status: 503, afterApplying: true });
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'error', reason: 'xero_unavailable' });
    // Inside Xero's 30 minutes the token the store still holds is taken again.
    harness.emulator.advance(5 * MINUTE_MS);
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected' });
    await expectGrantKept(harness);
  });

  it('Xero answers 429: the card shows rate_limited, and the grant is kept', async () => {
    const harness = await staleConnection();
    harness.emulator.failNext('/connect/token', { status: 429, retryAfterSeconds: 30 });
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'error', reason: 'rate_limited' });
    await expectGrantKept(harness);
  });

  it('the connection resets before the request reached Xero: the card shows xero_unavailable, and the grant is kept', async () => {
    const fetch = breakingNextRefresh();
    const harness = await staleConnection({ fetch });
    fetch.arm('reset-before');
    const refreshesBefore = harness.emulator.tokenCalls('refresh_token');
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'error', reason: 'xero_unavailable' });
    expect(harness.emulator.tokenCalls('refresh_token')).toBe(refreshesBefore);
    await expectGrantKept(harness);
  });

  it('the connection resets after Xero rotated the token: the card shows xero_unavailable, and the grant is kept', async () => {
    const fetch = breakingNextRefresh();
    const harness = await staleConnection({ fetch });
    fetch.arm('reset-after');
    const refreshesBefore = harness.emulator.tokenCalls('refresh_token');
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'error', reason: 'xero_unavailable' });
    expect(harness.emulator.tokenCalls('refresh_token')).toBe(refreshesBefore + 1);
    harness.emulator.advance(5 * MINUTE_MS);
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected' });
    await expectGrantKept(harness);
  });

  it('the store fails to write the rotated token: the read fails INTERNAL (the card offers Try again), and the grant is kept', async () => {
    const memory = createMemoryConnectionStore();
    let failNextWrite = false;
    const store: ConnectionStore = {
      ...memory,
      getConnection: (key) => memory.getConnection(key),
      async putConnection(key, connection) {
        if (failNextWrite) {
          failNextWrite = false;
          throw new Error('could not write to the database');
        }
        return memory.putConnection(key, connection);
      },
    };
    const harness = await staleConnection({ store, onError: () => {} });
    failNextWrite = true;
    await expect(cardReads(harness)).rejects.toMatchObject({ code: 'INTERNAL', status: 500 });
    harness.emulator.advance(5 * MINUTE_MS);
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected' });
    await expectGrantKept(harness);
  });
});

describe('fault matrix: Xero’s API limits on an export (X-Rate-Limit-Problem)', () => {
  it('concurrent: the export waits and is sent again; the connection stays connected', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.failNext(INVOICES_PATH, { status: 429, headers: { 'X-Rate-Limit-Problem': 'concurrent' } });
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }));
    expect(response.status).toBe(200);
    expect(apiCalls(harness.emulator).map((call) => call.status)).toEqual([429, 200]);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(1);
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected' });
  });

  it('appminute: the whole app waits out Retry-After before any organisation’s next call; the connection stays connected', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.failNext(INVOICES_PATH, { status: 429, retryAfterSeconds: 20, headers: { 'X-Rate-Limit-Problem': 'appminute' } });
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }));
    expect(response.status).toBe(200);
    const [refused, sent] = apiCalls(harness.emulator);
    expect(Date.parse(sent?.at ?? '') - Date.parse(refused?.at ?? '')).toBeGreaterThanOrEqual(20_000);
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected' });
  });

  it('day: the export is refused at once with XERO_RATE_LIMITED and a retry time; the connection stays connected', async () => {
    const harness = await exportHarness();
    await connect(harness);
    harness.emulator.failNext(INVOICES_PATH, { status: 429, retryAfterSeconds: 3600, headers: { 'X-Rate-Limit-Problem': 'day' } });
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices({ count: 1 }))).rejects.toMatchObject({ code: 'XERO_RATE_LIMITED', retryAfterSeconds: 3600 });
    await expect(cardReads(harness)).resolves.toMatchObject({ status: 'connected', lastError: null });
  });
});
