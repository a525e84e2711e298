import { describe, expect, it } from 'vitest';

import { createMemoryConnectionStore, XeroConnectionHandlerError, type ConnectionStore } from '../../src/server';
import { MINUTE_MS } from './support';
import { connect, exportHarness, INVOICES_PATH, putInvoices } from './xero-fetch-support';

// Xero rotates the refresh token on every refresh, and lets the previous one be used again for 30
// minutes when the answer was lost (XERO.md). So a refresh whose answer never arrives, or whose
// rotated token the store failed to keep, must not cost the user their connection: the next call
// refreshes with the token still stored, inside that window.

/** A fetch that lets the first refresh reach Xero and then loses its answer, as a dropped connection would. */
function losingFirstRefreshAnswer(): typeof globalThis.fetch & { lost: number } {
  const wrapped = Object.assign(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await globalThis.fetch(input, init);
      const body = init?.body instanceof URLSearchParams ? init.body.toString() : String(init?.body ?? '');
      if (wrapped.lost === 0 && body.includes('grant_type=refresh_token')) {
        wrapped.lost += 1;
        await response.body?.cancel();
        throw new TypeError('fetch failed: other side closed');
      }
      return response;
    },
    { lost: 0 },
  );
  return wrapped;
}

/** A memory store whose next `putConnection` fails after `arm()`. */
function storeFailingOnce(): ConnectionStore & { arm(): void } {
  const memory = createMemoryConnectionStore();
  let armed = false;
  return {
    ...memory,
    getConnection: (key) => memory.getConnection(key),
    listDueConnections: (query) => memory.listDueConnections?.(query) ?? Promise.resolve([]),
    async putConnection(key, connection) {
      if (armed) {
        armed = false;
        throw new Error('could not write to the database');
      }
      return memory.putConnection(key, connection);
    },
    arm() {
      armed = true;
    },
  };
}

describe('a refresh whose answer was lost', () => {
  it('is survived: the next call refreshes with the stored token inside Xero’s 30 minutes and exports', async () => {
    const fetch = losingFirstRefreshAnswer();
    const harness = await exportHarness({ fetch });
    await connect(harness);
    harness.emulator.advance(31 * MINUTE_MS);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).rejects.toMatchObject({ code: 'XERO_UNAVAILABLE' });
    expect(fetch.lost).toBe(1);
    // Xero rotated the token; the handler never saw the new one. Five minutes later:
    harness.emulator.advance(5 * MINUTE_MS);
    const response = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices());
    expect(response.status).toBe(200);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
    // And the token it stored then is a live one: the connection goes on refreshing normally.
    harness.emulator.advance(31 * MINUTE_MS);
    await expect(harness.handler.xeroFetch('/api.xro/2.0/Organisation')).resolves.toMatchObject({ status: 200 });
  });

  it('is not survived past Xero’s 30 minutes: the connection then needs reconnecting, as at Xero', async () => {
    const fetch = losingFirstRefreshAnswer();
    const harness = await exportHarness({ fetch });
    await connect(harness);
    harness.emulator.advance(31 * MINUTE_MS);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).rejects.toMatchObject({ code: 'XERO_UNAVAILABLE' });
    harness.emulator.advance(31 * MINUTE_MS);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).rejects.toMatchObject({ code: 'XERO_INVALID_GRANT' });
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth' });
  });
});

describe('a store write that fails after Xero rotated the token', () => {
  it('is survived: the call rejects INTERNAL, and the next one refreshes with the token still stored', async () => {
    const store = storeFailingOnce();
    const errors: unknown[] = [];
    const harness = await exportHarness({ store, onError: (error) => errors.push(error) });
    await connect(harness);
    harness.emulator.advance(31 * MINUTE_MS);
    store.arm();
    const error: unknown = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(XeroConnectionHandlerError);
    expect(error).toMatchObject({ code: 'INTERNAL' });
    expect(errors).toHaveLength(1);
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(0);

    harness.emulator.advance(2 * MINUTE_MS);
    await expect(harness.handler.xeroFetch(INVOICES_PATH, putInvoices())).resolves.toMatchObject({ status: 200 });
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  });
});
