import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionNetworkError,
  routes,
  type RouteName,
} from '../../src/client';
import {
  FIXTURE_NOW,
  SCENARIO_NAMES,
  SLOW_SCENARIO_LATENCY_MS,
  applyScenario,
  createFakeXeroBackend,
  createScenarioBackend,
  scenarios,
  type XeroConnectionScenarioName,
} from '../../src/testing';

// Each named scenario does what its description promises, seen through the real client the way
// a host's test would see it (msw/node). The React state each one produces is checked in
// scenarios.browser.test.tsx.

const BASE_URL = 'https://portal.example/api/integrations/xero-billing';
const RETURN_TO = 'https://portal.example/settings/integrations';
const server = setupServer();
const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function start(name: XeroConnectionScenarioName) {
  const backend = createScenarioBackend(name, { baseUrl: BASE_URL, now: () => FIXTURE_NOW });
  server.use(...backend.handlers);
  return backend;
}

describe('scenarios', () => {
  test('every scenario has a description and a name from the documented list', () => {
    expect(SCENARIO_NAMES).toEqual([
      'connected',
      'expiring',
      'needs_reauth_invalid_grant',
      'needs_reauth_revoked',
      'tenant_removed_in_xero',
      'disconnected',
      'rate_limited',
      'backend_down',
      'slow',
      'disconnect_fails_once',
      'consent_cancelled',
      'contract_violation',
      'kept_alive',
      'keep_alive_failing',
      'choosing_organisation',
      'organisation_mismatch',
      'consent_covers_two_organisations',
    ]);
    for (const name of SCENARIO_NAMES) expect(scenarios[name].description.length, name).toBeGreaterThan(20);
  });

  test.each([
    ['connected', { status: 'connected', reason: null }],
    ['expiring', { status: 'connected', reason: null, refreshTokenExpiresAt: '2026-12-01T09:30:00.000Z' }],
    ['needs_reauth_invalid_grant', { status: 'needs_reauth', reason: 'refresh_token_expired' }],
    ['needs_reauth_revoked', { status: 'needs_reauth', reason: 'refresh_token_revoked' }],
    ['tenant_removed_in_xero', { status: 'needs_reauth', reason: 'tenant_removed_in_xero' }],
    ['disconnected', { status: 'disconnected', reason: 'user_disconnected', tenant: null }],
    ['rate_limited', { status: 'error', reason: 'rate_limited' }],
    ['consent_cancelled', { status: 'disconnected', reason: 'user_disconnected' }],
    ['disconnect_fails_once', { status: 'needs_reauth', reason: 'refresh_token_expired' }],
  ] as const)('%s: GET /connection answers %o', async (name, expected) => {
    start(name);
    expect(await client.getConnection()).toMatchObject(expected);
  });

  test('needs_reauth_invalid_grant: the recovery works, and Xero could not be told', async () => {
    start('needs_reauth_invalid_grant');
    expect(await client.disconnect()).toEqual({ status: 'disconnected', remoteRemoved: false });
    expect(await client.getConnection()).toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
    const { state } = await client.connect({ returnTo: RETURN_TO, mode: 'connect' });
    expect(await client.completeCallback({ code: 'code', state })).toMatchObject({ status: 'connected' });
    expect(await client.getConnection()).toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });
  });

  test('rate_limited: verify answers 429 XERO_RATE_LIMITED with retryAfterSeconds, every time', async () => {
    start('rate_limited');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await client.verify().catch((caught: unknown) => caught);
      expect(isXeroConnectionApiError(error) && [error.code, error.status, error.retryAfterSeconds]).toEqual(['XERO_RATE_LIMITED', 429, 60]);
    }
  });

  test('backend_down: every endpoint fails with a network error', async () => {
    start('backend_down');
    const calls: Record<RouteName, () => Promise<unknown>> = {
      getConnection: () => client.getConnection(),
      connect: () => client.connect({ returnTo: RETURN_TO, mode: 'connect' }),
      completeCallback: () => client.completeCallback({ code: 'code', state: 'state' }),
      disconnect: () => client.disconnect(),
      verify: () => client.verify(),
      chooseOrganisation: () => client.chooseOrganisation({ tenantId: 'tenant' }),
    };
    for (const name of Object.keys(routes) as RouteName[]) {
      const error = await calls[name]().catch((caught: unknown) => caught);
      expect(isXeroConnectionNetworkError(error), name).toBe(true);
    }
  });

  test('slow: answers arrive, late', async () => {
    start('slow');
    const started = Date.now();
    expect(await client.getConnection()).toMatchObject({ status: 'connected' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_SCENARIO_LATENCY_MS - 50);
  });

  test('disconnect_fails_once: the first DELETE is 503 XERO_UNAVAILABLE and changes nothing; the second works', async () => {
    start('disconnect_fails_once');
    const error = await client.disconnect().catch((caught: unknown) => caught);
    expect(isXeroConnectionApiError(error) && error.code).toBe('XERO_UNAVAILABLE');
    expect((await client.getConnection()).status).toBe('needs_reauth');
    expect(await client.disconnect()).toEqual({ status: 'disconnected', remoteRemoved: false });
    expect((await client.getConnection()).status).toBe('disconnected');
  });

  test('consent_cancelled: POST /callback answers XERO_ACCESS_DENIED and nothing connects', async () => {
    start('consent_cancelled');
    const { state } = await client.connect({ returnTo: RETURN_TO, mode: 'connect' });
    const error = await client.completeCallback({ code: 'code', state }).catch((caught: unknown) => caught);
    expect(isXeroConnectionApiError(error) && [error.code, error.status]).toEqual(['XERO_ACCESS_DENIED', 400]);
    expect((await client.getConnection()).status).toBe('disconnected');
  });

  test('consent_cancelled: the redirect return is ?xero=error&code=XERO_ACCESS_DENIED', async () => {
    const backend = start('consent_cancelled');
    await client.connect({ returnTo: `${RETURN_TO}?tab=xero`, mode: 'connect' });
    const returned = new URL(backend.returnFromXero());
    expect([returned.origin + returned.pathname, returned.searchParams.get('tab'), returned.searchParams.get('xero'), returned.searchParams.get('code')]).toEqual([
      RETURN_TO,
      'xero',
      'error',
      'XERO_ACCESS_DENIED',
    ]);
    expect(backend.connectSessions).toEqual([]);
  });

  test('contract_violation: GET /connection is a 200 the client rejects as a contract error', async () => {
    start('contract_violation');
    const error = await client.getConnection().catch((caught: unknown) => caught);
    expect(isXeroConnectionContractError(error) && error.endpoint).toBe('GET /connection');
  });

  test('applyScenario names the known scenarios when given an unknown one', () => {
    const backend = createFakeXeroBackend({ baseUrl: BASE_URL });
    expect(() => applyScenario(backend, 'broken' as XeroConnectionScenarioName)).toThrow(/Known scenarios: connected, expiring/);
  });

  test('reset() leaves the scenario: back to the initial connection with no standing failures', async () => {
    const backend = start('backend_down');
    backend.reset();
    expect(await client.getConnection()).toMatchObject({ status: 'disconnected', reason: 'never_connected' });
  });
});
