import { describe, expect, it } from 'vitest';

import { scenarios } from '../../src/testing';
import { runInConsumer, runNodeInConsumer } from './consumer';

// `./testing` as a host's test suite meets it: the packed tarball in a throwaway project with msw
// (the entry's optional peer) and WITHOUT React, imported from plain Node through both module
// systems, running a scenario against the real client through msw/node's setupServer.

describe('the packed ./testing entry', () => {
  it('installs with msw and without React', () => {
    expect(() => runInConsumer('node', ['-e', "require.resolve('react')"])).toThrow();
    expect(runInConsumer('node', ['-p', "require('msw/package.json').version"]).trim()).toMatch(/^2\.15\./);
  });

  it('runs a scenario against the client through setupServer (ESM)', async () => {
    const out = await runNodeInConsumer([
      '--input-type=module',
      '-e',
      `
      import { setupServer } from 'msw/node';
      import { createXeroConnectionClient } from '@carevision/xero-connection/client';
      import { createScenarioBackend, scenarios, buildConnection, FIXTURE_NOW } from '@carevision/xero-connection/testing';

      const baseUrl = 'http://portal.test/api/integrations/xero-billing';
      const backend = createScenarioBackend('needs_reauth_invalid_grant', { baseUrl });
      const server = setupServer(...backend.handlers);
      server.listen({ onUnhandledRequest: 'error' });
      const client = createXeroConnectionClient({ baseUrl, retry: false });
      const before = await client.getConnection();
      const disconnected = await client.disconnect();
      const after = await client.getConnection();
      server.close();
      console.log(JSON.stringify({
        before: [before.status, before.reason],
        disconnected,
        after: after.status,
        requests: backend.requests.map((request) => request.method + ' ' + request.path),
        scenarios: Object.keys(scenarios).length,
        fixture: buildConnection('connected').checkedAt === FIXTURE_NOW.toISOString(),
      }));
    `,
    ]);
    expect(JSON.parse(out)).toEqual({
      before: ['needs_reauth', 'refresh_token_expired'],
      disconnected: { status: 'disconnected', remoteRemoved: false },
      after: 'disconnected',
      requests: ['GET /connection', 'DELETE /connection', 'GET /connection'],
      // Every scenario of the sources, packed.
      scenarios: Object.keys(scenarios).length,
      fixture: true,
    });
  });

  it('serves the happy-path handlers through CJS require', async () => {
    const out = await runNodeInConsumer([
      '-e',
      `
      const { setupServer } = require('msw/node');
      const { createXeroConnectionClient } = require('@carevision/xero-connection/client');
      const { createXeroConnectionHandlers } = require('@carevision/xero-connection/testing');
      const baseUrl = 'http://portal.test/api/integrations/xero-payroll';
      const server = setupServer(...createXeroConnectionHandlers({ baseUrl, scenario: 'disconnect_fails_once' }));
      server.listen({ onUnhandledRequest: 'error' });
      const client = createXeroConnectionClient({ baseUrl, retry: false });
      client.disconnect()
        .catch((error) => error.code)
        .then(async (first) => {
          const second = await client.disconnect();
          server.close();
          console.log(JSON.stringify({ first, second }));
        });
    `,
    ]);
    expect(JSON.parse(out)).toEqual({ first: 'XERO_UNAVAILABLE', second: { status: 'disconnected', remoteRemoved: false } });
  });
});
