import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { createXeroConnectionClient, isXeroConnectionApiError, routes, type RouteName } from '../../src/client';
import { createXeroConnectionHandlers, demoTenant } from '../../src/testing';

// The happy-path handlers come from the contract's route table, so a new endpoint cannot be
// forgotten: each route has exactly one handler, and each answers like a working backend.

const BASE_URL = 'https://portal.example/api/integrations/xero-billing';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('createXeroConnectionHandlers', () => {
  test('has one handler per route of the contract, with its method and path', () => {
    const handlers = createXeroConnectionHandlers({ baseUrl: BASE_URL });
    const described = handlers.map((handler) => `${String(handler.info.method)} ${String(handler.info.path)}`);
    const expected = (Object.keys(routes) as RouteName[]).map((name) => `${routes[name].method} ${BASE_URL}${routes[name].path}`);
    expect(described.sort()).toEqual(expected.sort());
  });

  test('answers every route on the happy path, statefully', async () => {
    server.use(...createXeroConnectionHandlers({ baseUrl: BASE_URL }));
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    const calls: Record<RouteName, () => Promise<unknown>> = {
      getConnection: async () => expect(await client.getConnection()).toMatchObject({ status: 'connected' }),
      verify: async () => expect(await client.verify()).toMatchObject({ status: 'connected' }),
      disconnect: async () => {
        expect(await client.disconnect()).toEqual({ status: 'disconnected', remoteRemoved: true });
        expect((await client.getConnection()).status).toBe('disconnected');
      },
      connect: async () => expect(await client.connect({ returnTo: 'https://portal.example/', mode: 'connect' })).toHaveProperty('state'),
      completeCallback: async () => {
        const { state } = await client.connect({ returnTo: 'https://portal.example/', mode: 'connect' });
        expect(await client.completeCallback({ code: 'code', state })).toMatchObject({ status: 'connected' });
      },
      chooseOrganisation: async () => {
        // Connected now: there is nothing to choose, and the fake says so as the contract asks.
        const error = await client.chooseOrganisation({ tenantId: demoTenant.tenantId }).catch((caught: unknown) => caught);
        expect(isXeroConnectionApiError(error) && [error.code, error.message]).toEqual([
          'VALIDATION_FAILED',
          expect.stringContaining('no organisation to choose: the connection is connected'),
        ]);
      },
    };
    // The Record type makes a new route a compile error here; the order walks one session.
    const order: RouteName[] = ['getConnection', 'verify', 'disconnect', 'connect', 'completeCallback', 'chooseOrganisation'];
    expect([...order].sort()).toEqual(Object.keys(routes).sort());
    for (const name of order) await calls[name]();
  });

  test('starts in the scenario asked for', async () => {
    server.use(...createXeroConnectionHandlers({ baseUrl: BASE_URL, scenario: 'needs_reauth_invalid_grant' }));
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    expect(await client.getConnection()).toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
  });
});
