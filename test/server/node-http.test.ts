import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { createXeroConnectionClient, readConnectReturn } from '../../src/client';
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from '../../src/contract';
import { createXeroConnectionHandler, toNodeListener } from '../../src/server';
import { startXeroEmulator } from '../../src/server/emulator/xero-emulator';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('mounted on node:http', () => {
  it('runs the whole round trip over real HTTP on loopback', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const basePath = '/api/integrations/xero-billing';

    const emulator = await startXeroEmulator({ redirectUris: [`${origin}${basePath}/callback`] });
    closers.push(() => emulator.close());
    const handler = createXeroConnectionHandler({
      basePath,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      redirectUri: `${origin}${basePath}/callback`,
      scopes: ['accounting.invoices'],
      endpoints: emulator.endpoints,
      authenticate: (request) => (request.headers.get('cookie') === 'session=alice' ? { userId: 'alice', canManage: true } : null),
    });
    server.on('request', toNodeListener(handler));

    const headers = { cookie: 'session=alice' };
    const client = createXeroConnectionClient({ baseUrl: `${origin}${basePath}`, headers, retry: false });
    const { authorizeUrl } = await client.connect({ returnTo: `${origin}/settings`, mode: 'connect' });
    const consent = await fetch(authorizeUrl);
    expect(await consent.text()).toContain('Allow access');

    const back = await fetch(await emulator.approve(authorizeUrl), { headers, redirect: 'manual' });
    expect(back.status).toBe(302);
    expect(back.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
    expect(readConnectReturn(back.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'connected' });
    await expect(client.getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });
    await expect(client.disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });

    const anonymous = await fetch(`${origin}${basePath}/connection`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
  });
});
