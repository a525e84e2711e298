import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CONTRACT_VERSION } from '../../src/contract';
import { buildConnection } from '../../src/testing/fixtures';
import { runInConsumer, runNodeInConsumer } from './consumer';

// The published artefact, not the source: `./client` from the packed tarball (installed by
// global-setup.ts into a throwaway project WITHOUT React), from plain Node through both module
// systems, against a real HTTP server.

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const connection = buildConnection('needsReauthExpired');
  server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/api/xero-billing/connection') {
      response.writeHead(200, { 'content-type': 'application/json', 'x-xero-connection-contract': '1.0' });
      response.end(JSON.stringify(connection));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404, code: 'INTERNAL', retryable: false }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/xero-billing`;
});

afterAll(() => {
  server?.close();
});

const script = (body: string) => ['--input-type=module', '-e', body];

describe('the packed package', () => {
  it('installs without React', () => {
    expect(() => runInConsumer('node', ['-e', "require.resolve('react')"])).toThrow();
  });

  it('reads a connection through ./client with ESM import in plain Node', async () => {
    const out = await runNodeInConsumer(
      script(`
        import { createXeroConnectionClient, isXeroConnectionApiError } from '@carevision/xero-connection/client';
        const client = createXeroConnectionClient({ baseUrl: ${JSON.stringify(baseUrl)} });
        const connection = await client.getConnection();
        const failure = await client.verify().catch((error) => error);
        console.log(JSON.stringify({ status: connection.status, reason: connection.reason, api: isXeroConnectionApiError(failure), endpoint: failure.endpoint }));
      `)
    );
    expect(JSON.parse(out)).toEqual({
      status: 'needs_reauth',
      reason: 'refresh_token_expired',
      api: true,
      endpoint: 'POST /connection/verify',
    });
  });

  it('reads a connection through ./client with CJS require in plain Node', async () => {
    const out = await runNodeInConsumer(
      [
        '-e',
        `
        const { createXeroConnectionClient, CONTRACT_VERSION } = require('@carevision/xero-connection/client');
        createXeroConnectionClient({ baseUrl: ${JSON.stringify(baseUrl)} })
          .getConnection()
          .then((connection) => console.log(JSON.stringify({ status: connection.status, version: CONTRACT_VERSION })));
      `,
      ]
    );
    // The packed CJS build exports the version the sources declare.
    expect(JSON.parse(out)).toEqual({ status: 'needs_reauth', version: CONTRACT_VERSION });
  });

  it('ships the OpenAPI document', () => {
    const out = runInConsumer(
      'node',
      ['-e', "const doc = require('@carevision/xero-connection/openapi.json'); console.log(doc.openapi)"]
    );
    expect(out.trim()).toMatch(/^3\.1\./);
  });
});
