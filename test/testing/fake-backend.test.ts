import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { createXeroConnectionClient, isXeroConnectionApiError } from '../../src/client';
import { FIXTURE_NOW, buildConnection, createFakeXeroBackend, demoTenant } from '../../src/testing';

// The knobs the scenarios are made of: standing failures, latency, the consent choice, and the
// redirect return. (test/react/fake-backend.test.ts covers the rest of the fake.)

const BASE_URL = 'https://portal.example/api/integrations/xero-payroll';
const backend = createFakeXeroBackend({ baseUrl: BASE_URL, initial: buildConnection('connected'), now: () => FIXTURE_NOW });
const server = setupServer(...backend.handlers);
const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => backend.reset());
afterAll(() => server.close());

describe('createFakeXeroBackend: scenario knobs', () => {
  test('failEvery fails every call until stopped; queued failNext failures come first', async () => {
    const stop = backend.failEvery('getConnection', 'INTERNAL');
    backend.failNext('getConnection', 'FORBIDDEN');
    const codes = [];
    for (let call = 0; call < 3; call += 1) {
      const error = await client.getConnection().catch((caught: unknown) => caught);
      codes.push(isXeroConnectionApiError(error) ? error.code : 'ok');
    }
    expect(codes).toEqual(['FORBIDDEN', 'INTERNAL', 'INTERNAL']);
    stop();
    expect((await client.getConnection()).status).toBe('connected');
  });

  test('every answer, a failure too, carries a Date header from the fake’s now option', async () => {
    const date = FIXTURE_NOW.toUTCString();
    expect((await fetch(`${BASE_URL}/connection`)).headers.get('date')).toBe(date);
    backend.failNext('getConnection', 'XERO_UNAVAILABLE');
    expect((await fetch(`${BASE_URL}/connection`)).headers.get('date')).toBe(date);
  });

  test('setLatency delays every answer; reset() restores the option', async () => {
    backend.setLatency(120);
    const started = Date.now();
    await client.getConnection();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(() => backend.setLatency(-1)).toThrow(RangeError);
  });

  test('returnFromXero with consent allowed connects and returns ?xero=connected', async () => {
    backend.setConnection(buildConnection('disconnected'));
    const { state } = await client.connect({ returnTo: 'https://portal.example/settings?code=host-own', mode: 'connect' });
    const returned = new URL(backend.returnFromXero(state));
    expect(returned.search).toBe('?code=host-own&xero=connected');
    expect(await client.getConnection()).toMatchObject({ status: 'connected', tenant: demoTenant, connectedAt: FIXTURE_NOW.toISOString() });
  });

  test('returnFromXero without a round trip says what to do first', () => {
    expect(() => backend.returnFromXero()).toThrow(/Start one with POST \/connect/);
  });

  test('now() is the fake clock', () => {
    expect(backend.now()).toEqual(FIXTURE_NOW);
  });
});
