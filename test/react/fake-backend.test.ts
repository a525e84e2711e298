import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { createXeroConnectionClient, isXeroConnectionApiError, isXeroConnectionNetworkError } from '../../src/client';
import { FAKE_AUTHORIZE_ORIGIN, createFakeXeroBackend } from '../../src/testing/fake-backend';
import { FIXTURE_NOW, buildConnection, demoTenant, secondTenant } from '../../src/testing/fixtures';

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
      { state: started.state, mode: 'reauth', returnTo: 'https://portal.example/settings', expectedTenantId: demoTenant.tenantId, contractMinor: 1 },
    ]);
    const connected = await client.completeCallback({ code: 'code-1', state: started.state });
    expect(connected).toMatchObject({ status: 'connected', tenant: demoTenant });
    expect(backend.connectSessions).toEqual([]);
  });

  describe('organisation choice (contract 1.1)', () => {
    const start = (request: { mode: 'connect' | 'reauth'; expectedTenantId?: string }) =>
      client.connect({ returnTo: 'https://portal.example/settings', ...request });

    test('a consent covering two organisations waits for a choice; choosing links only that one', async () => {
      backend.setGrantedOrganisations([demoTenant, secondTenant]);
      const { state } = await start({ mode: 'connect' });
      const waiting = await client.completeCallback({ code: 'code-1', state });
      // `tenant` names the organisation linked before (the needs_reauth one), as the reference backend reports it.
      expect(waiting).toMatchObject({ status: 'choosing_organisation', reason: 'multiple_organisations', tenant: demoTenant, organisations: [demoTenant, secondTenant] });

      const chosen = await client.chooseOrganisation({ tenantId: secondTenant.tenantId });
      expect(chosen).toMatchObject({ status: 'connected', tenant: secondTenant });
      expect(await client.getConnection()).toMatchObject({ status: 'connected', tenant: secondTenant });
    });

    // Xero comes back with the second organisation where the first was expected.
    const reconnectToSecond = async () => {
      backend.setGrantedOrganisations([secondTenant]);
      const { state } = await start({ mode: 'reauth', expectedTenantId: demoTenant.tenantId });
      return client.completeCallback({ code: 'code-1', state });
    };
    const mismatch = { status: 'choosing_organisation', reason: 'organisation_mismatch', tenant: demoTenant, organisations: [secondTenant] };

    test('a reconnect that comes back with another organisation is organisation_mismatch, naming the expected one', async () => {
      expect(await reconnectToSecond()).toMatchObject(mismatch);
    });

    test('after the hook\'s reconnect (a disconnect, then the round trip) the mismatch still names the expected one', async () => {
      await client.disconnect();
      expect(await client.getConnection()).toMatchObject({ status: 'disconnected', tenant: null });
      expect(await reconnectToSecond()).toMatchObject(mismatch);
    });

    test('a 1.0 client (no contract in Accept) gets the first organisation, or XERO_TENANT_MISMATCH, as before', async () => {
      const old = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false, fetch: (input, init) => {
        const request = new Request(input, init);
        request.headers.set('Accept', 'application/json, application/problem+json');
        return fetch(request);
      } });
      backend.setGrantedOrganisations([demoTenant, secondTenant]);
      const first = await old.connect({ returnTo: 'https://portal.example/settings', mode: 'connect' });
      expect(await old.completeCallback({ code: 'code-1', state: first.state })).toMatchObject({ status: 'connected', tenant: demoTenant });

      backend.setGrantedOrganisations([secondTenant]);
      const again = await old.connect({ returnTo: 'https://portal.example/settings', mode: 'reauth', expectedTenantId: demoTenant.tenantId });
      const error = await old.completeCallback({ code: 'code-2', state: again.state }).catch((caught: unknown) => caught);
      expect(isXeroConnectionApiError(error) && error.code).toBe('XERO_TENANT_MISMATCH');
    });

    test('choosing an organisation the consent did not cover is XERO_TENANT_NOT_FOUND, and nothing changes', async () => {
      backend.setConnection(buildConnection('choosingOrganisation'));
      const error = await client.chooseOrganisation({ tenantId: 'not-offered' }).catch((caught: unknown) => caught);
      expect(isXeroConnectionApiError(error) && error.code).toBe('XERO_TENANT_NOT_FOUND');
      expect((await client.getConnection()).status).toBe('choosing_organisation');
    });

    test('setGrantedOrganisations refuses an empty consent', () => {
      expect(() => backend.setGrantedOrganisations([])).toThrow('at least one organisation');
    });
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

  test('a verify that refreshes clears a failing keep-alive, and leaves its schedule alone', async () => {
    const failing = buildConnection('keepAliveFailing');
    backend.setConnection(failing);
    const verified = await client.verify();
    expect(verified.keepAlive).toEqual({ ...failing.keepAlive, failing: false });
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
