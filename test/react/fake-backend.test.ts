import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { createXeroConnectionClient, isXeroConnectionApiError, isXeroConnectionNetworkError } from '../../src/client';
import { FAKE_AUTHORIZE_ORIGIN, createFakeXeroBackend } from '../../src/testing/fake-backend';
import { FIXTURE_NOW, buildConnection, demoTenant } from '../../src/testing/fixtures';

// The fake backend is msw only: the same fake runs here under msw/node, through the real client.

const BASE_URL = 'https://portal.example/api/integrations/xero-billing';
const backend = createFakeXeroBackend({ baseUrl: BASE_URL, initial: buildConnection('needsReauthExpired'), now: () => FIXTURE_NOW });
const server = setupServer(...backend.handlers);
const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => backend.reset());
afterAll(() => server.close());

describe('createFakeXeroBackend', () => {
  test('GET /connection answers the current state', async () => {
    expect(await client.getConnection()).toEqual(buildConnection('needsReauthExpired'));
  });

  test('DELETE after invalid_grant: disconnected, and Xero could not be told', async () => {
    expect(await client.disconnect({ idempotencyKey: 'key-1' })).toEqual({ status: 'disconnected', remoteRemoved: false });
    expect(await client.getConnection()).toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
    expect(backend.requestsTo('disconnect')[0]).toMatchObject({ method: 'DELETE', path: '/connection', idempotencyKey: 'key-1' });
  });

  test('DELETE of a live connection removes it in Xero', async () => {
    backend.setConnection(buildConnection('connected'));
    expect(await client.disconnect()).toEqual({ status: 'disconnected', remoteRemoved: true });
  });

  test('a repeated Idempotency-Key gets the first answer and changes nothing', async () => {
    backend.setConnection(buildConnection('connected'));
    await client.disconnect({ idempotencyKey: 'same' });
    backend.setConnection(buildConnection('connected'));
    expect(await client.disconnect({ idempotencyKey: 'same' })).toEqual({ status: 'disconnected', remoteRemoved: true });
    expect((await client.getConnection()).status).toBe('connected');
  });

  test('connect, then callback with its state, connects the demo tenant', async () => {
    const started = await client.connect({ returnTo: 'https://portal.example/settings', mode: 'reauth', expectedTenantId: demoTenant.tenantId });
    expect(new URL(started.authorizeUrl).origin).toBe(FAKE_AUTHORIZE_ORIGIN);
    expect(new URL(started.authorizeUrl).searchParams.get('state')).toBe(started.state);
    expect(backend.connectSessions).toEqual([
      { state: started.state, mode: 'reauth', returnTo: 'https://portal.example/settings', expectedTenantId: demoTenant.tenantId },
    ]);
    const connected = await client.completeCallback({ code: 'code-1', state: started.state });
    expect(connected).toMatchObject({ status: 'connected', tenant: demoTenant });
    expect(backend.connectSessions).toEqual([]);
  });

  test('a callback with an unknown state is STATE_MISMATCH', async () => {
    const error = await client.completeCallback({ code: 'code-1', state: 'forged' }).catch((caught: unknown) => caught);
    expect(isXeroConnectionApiError(error) && error.code).toBe('STATE_MISMATCH');
  });

  test('verify refreshes a connected token, restarting its lifetime', async () => {
    backend.setConnection(buildConnection('expiring'));
    const verified = await client.verify();
    expect(verified.refreshTokenExpiresAt).toBe(new Date(FIXTURE_NOW.getTime() + 60 * 86_400_000).toISOString());
  });

  test('failNext and network errors are used in order, then the happy path returns', async () => {
    backend.failNext('getConnection', 'XERO_RATE_LIMITED');
    backend.failNext('getConnection', 'network_error');
    const first = await client.getConnection().catch((caught: unknown) => caught);
    const second = await client.getConnection().catch((caught: unknown) => caught);
    expect(isXeroConnectionApiError(first) && first.code).toBe('XERO_RATE_LIMITED');
    expect(isXeroConnectionNetworkError(second)).toBe(true);
    expect((await client.getConnection()).status).toBe('needs_reauth');
  });

  test('a body that breaks the contract is VALIDATION_FAILED', async () => {
    const response = await fetch(`${BASE_URL}/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ returnTo: 'javascript:alert(1)', mode: 'connect' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  test('hold() keeps the answer until released', async () => {
    const release = backend.hold('verify');
    let settled = false;
    const pending = client.verify().then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    release();
    await pending;
    expect(settled).toBe(true);
  });
});
