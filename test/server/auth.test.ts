import { describe, expect, it } from 'vitest';

import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from '../../src/contract';
import { createXeroConnectionHandler } from '../../src/server';
import { readProblem, setup } from './support';

const ENDPOINTS = [
  ['GET', '/connection'],
  ['DELETE', '/connection'],
  ['POST', '/connection/verify'],
  ['POST', '/connect'],
  ['POST', '/callback'],
  ['GET', '/callback?code=x&state=y'],
  ['GET', '/nowhere'],
] as const;

describe('authentication comes first', () => {
  it.each(ENDPOINTS)('%s %s without a session answers 401 UNAUTHENTICATED as problem+json', async (method, path) => {
    const { request, emulator } = await setup();
    const response = await request(path, { method, caller: null, body: method === 'POST' ? '{}' : undefined });
    expect(response.status).toBe(401);
    expect(await readProblem(response)).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(emulator.requests).toEqual([]);
  });

  it.each([
    ['DELETE', '/connection'],
    ['POST', '/connect'],
    ['POST', '/callback'],
    ['GET', '/callback?code=x&state=y'],
  ] as const)('%s %s by a user who may not manage answers 403 FORBIDDEN', async (method, path) => {
    const { request } = await setup();
    const body = method === 'POST' ? JSON.stringify({ returnTo: 'https://portal.example/x', mode: 'connect' }) : undefined;
    const response = await request(path, { method, caller: 'viewer', body });
    expect(response.status).toBe(403);
    expect(await readProblem(response)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets a user who may not manage read and verify', async () => {
    const { client } = await setup();
    await expect(client('viewer').getConnection()).resolves.toMatchObject({ status: 'disconnected', reason: 'never_connected' });
    await expect(client('viewer').verify()).resolves.toMatchObject({ status: 'disconnected' });
  });

  it('refuses to be created without authenticate', () => {
    expect(() =>
      createXeroConnectionHandler({
        basePath: '/x',
        clientId: 'a',
        clientSecret: 'b',
        redirectUri: 'https://portal.example/x/callback',
        scopes: [],
      } as unknown as Parameters<typeof createXeroConnectionHandler>[0]),
    ).toThrow(/authenticate/);
  });

  it('refuses plain http Xero endpoints off loopback', () => {
    expect(() =>
      createXeroConnectionHandler({
        basePath: '/x',
        clientId: 'a',
        clientSecret: 'b',
        redirectUri: 'https://portal.example/x/callback',
        scopes: [],
        authenticate: () => null,
        endpoints: { tokenEndpoint: 'http://identity.example/connect/token' },
      }),
    ).toThrow(/https/);
  });

  it('answers unknown paths 404 and wrong methods 405, with the contract header', async () => {
    const { request } = await setup();
    const missing = await request('/nowhere');
    expect(missing.status).toBe(404);
    expect(await readProblem(missing)).toMatchObject({ code: 'VALIDATION_FAILED' });
    const wrong = await request('/connect', { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const ok = await request('/connection');
    expect(ok.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
  });
});
