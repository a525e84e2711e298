import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { createKeyedLock } from '../../src/server/refresher';
import { MINUTE_MS, readProblem } from './support';
import { connect, exportHarness, INVOICES_PATH, putInvoices } from './xero-fetch-support';

// A Xero (or a proxy before it) that accepts the connection and never answers must not hold a
// request, or the connection's lock, until the HTTP client's own limit minutes later: every call to
// Xero has a deadline (xeroTimeoutMs), and a request waits for a connection's lock a bounded time.

/** A TCP server on loopback that accepts every connection and never sends a byte. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const holes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(holes.splice(0).map((hole) => hole.close()));
});

/** A harness whose token endpoint, once `hang()` is called, accepts and never answers. */
async function hangingTokenEndpoint() {
  const hole = await blackHole();
  holes.push(hole);
  let hanging = false;
  const harness = await exportHarness({
    xeroTimeoutMs: 300,
    fetch: (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      return globalThis.fetch(hanging && url.includes('/connect/token') ? `${hole.url}/connect/token` : input, init);
    },
  });
  await connect(harness);
  return { ...harness, hang: () => (hanging = true) };
}

/** Seconds `promise` took to settle. */
async function secondsFor(promise: Promise<unknown>): Promise<number> {
  const started = performance.now();
  await promise.catch(() => undefined);
  return (performance.now() - started) / 1000;
}

describe('a Xero that accepts and never answers', () => {
  it('GET /connection answers xero_unavailable at the deadline instead of hanging', async () => {
    const harness = await hangingTokenEndpoint();
    harness.emulator.advance(31 * MINUTE_MS);
    harness.hang();
    const reading = harness.client().getConnection();
    // A generous bound: without the deadline this waited for undici's own limit, minutes away.
    expect(await secondsFor(reading)).toBeLessThan(10);
    await expect(reading).resolves.toMatchObject({ status: 'error', reason: 'xero_unavailable', lastError: { code: 'XERO_UNAVAILABLE' } });
    expect((await reading).lastError?.message).toContain('did not answer in time');
  });

  it('verify and DELETE answer a retryable 503, and the connection is kept for a later try', async () => {
    const harness = await hangingTokenEndpoint();
    harness.emulator.advance(31 * MINUTE_MS);
    harness.hang();
    for (const [path, method] of [['/connection/verify', 'POST'], ['/connection', 'DELETE']] as const) {
      const response = await harness.request(path, { method });
      expect(response.status).toBe(503);
      await expect(readProblem(response)).resolves.toMatchObject({ code: 'XERO_UNAVAILABLE' });
    }
    // Nothing was cleared: once Xero answers again, the same connection works.
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'error', reason: 'xero_unavailable' });
  });

  it('xeroFetch abandons an API call at the deadline, sends it again with its key, then rejects XERO_UNAVAILABLE', async () => {
    const harness = await exportHarness({ xeroTimeoutMs: 300, xeroFetch: { maxAttempts: 2 } });
    await connect(harness);
    const release = harness.emulator.holdApi();
    try {
      const error: unknown = await harness.handler.xeroFetch(INVOICES_PATH, putInvoices()).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'XERO_UNAVAILABLE' });
      expect(String((error as Error).message)).toContain('did not answer in time');
    } finally {
      release();
    }
    // Both attempts carried the same key: Xero applies the export once, whichever arrived.
    const puts = harness.emulator.requests.filter((entry) => entry.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[0]?.idempotencyKey).toBeDefined();
    expect(puts[1]?.idempotencyKey).toBe(puts[0]?.idempotencyKey);
  });

  it('refuses a deadline that is not a whole number of milliseconds', async () => {
    await expect(exportHarness({ xeroTimeoutMs: 0 })).rejects.toThrow(/xeroTimeoutMs/);
    await expect(exportHarness({ xeroTimeoutMs: Number.NaN })).rejects.toThrow(/xeroTimeoutMs/);
  });
});

describe('waiting for a connection’s lock', () => {
  const key = { integrationKey: 'billing', accountId: 'acme' };

  it('gives up after the bound with a retryable XERO_UNAVAILABLE, without running its task', async () => {
    const lock = createKeyedLock(100);
    let releaseHolder = () => {};
    const holder = lock(key, () => new Promise<void>((resolve) => (releaseHolder = resolve)));
    let ran = false;
    await expect(
      lock(key, async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'XERO_UNAVAILABLE' });
    expect(ran).toBe(false);
    releaseHolder();
    await holder;
  });

  it('still keeps the callers after one that gave up waiting for the holder: one task at a time', async () => {
    const lock = createKeyedLock(100);
    let running = 0;
    let most = 0;
    const task = (ms: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
    };
    const holder = lock(key, task(150));
    const gaveUp = lock(key, task(10)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 120)); // the second has given up; the holder runs on
    const third = lock(key, task(10));
    await Promise.all([holder, third]);
    expect(await gaveUp).toMatchObject({ code: 'XERO_UNAVAILABLE' });
    expect(most).toBe(1);
  });
});
