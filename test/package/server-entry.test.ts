import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CONTRACT_VERSION } from '../../src/contract';
import { consumerDir, runInConsumer, runNodeInConsumer } from './consumer';

// `./server` as a host's backend meets it: the packed tarball in a throwaway project WITHOUT
// React, imported from plain Node through both module systems, answering a request.

const SCRIPT = (load: string) => `
  ${load}
  const handler = createXeroConnectionHandler({
    basePath: '/api/xero',
    clientId: 'id',
    clientSecret: 'secret',
    redirectUri: 'https://portal.example/api/xero/callback',
    scopes: ['accounting.invoices'],
    authenticate: (request) => (request.headers.get('x-user') ? { userId: 'alice', canManage: true } : null),
  });
  const read = await handler(new Request('https://portal.example/api/xero/connection', { headers: { 'x-user': 'alice' } }));
  const anonymous = await handler(new Request('https://portal.example/api/xero/connection'));
  const started = await handler(new Request('https://portal.example/api/xero/connect', {
    method: 'POST', headers: { 'x-user': 'alice', 'content-type': 'application/json' }, body: JSON.stringify({ returnTo: 'https://portal.example/settings', mode: 'connect' }),
  }));
  console.log(JSON.stringify({
    read: [read.status, read.headers.get('x-xero-connection-contract'), (await read.json()).reason],
    anonymous: [anonymous.status, anonymous.headers.get('content-type')],
    authorize: new URL((await started.json()).authorizeUrl).origin,
    listener: typeof toNodeListener,
  }));
`;

const EXPECTED = {
  read: [200, CONTRACT_VERSION, 'never_connected'],
  anonymous: [401, 'application/problem+json'],
  authorize: 'https://login.xero.com',
  listener: 'function',
};

describe('the packed ./server entry', () => {
  it('installs without React and ships no emulator', () => {
    expect(() => runInConsumer('node', ['-e', "require.resolve('react')"])).toThrow();
    const files = readdirSync(join(consumerDir(), 'node_modules/@carevision/xero-connection/dist'));
    expect(files.some((name) => name.includes('emulator'))).toBe(false);
  });

  it('answers requests (ESM)', async () => {
    const out = await runNodeInConsumer([
      '--input-type=module',
      '-e',
      SCRIPT("import { createXeroConnectionHandler, toNodeListener } from '@carevision/xero-connection/server';"),
    ]);
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });

  it('answers requests (CJS)', async () => {
    const out = await runNodeInConsumer([
      '-e',
      `(async () => { ${SCRIPT("const { createXeroConnectionHandler, toNodeListener } = require('@carevision/xero-connection/server');")} })();`,
    ]);
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });
});
