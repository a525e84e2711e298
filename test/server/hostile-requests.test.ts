import { afterEach, describe, expect, it, vi } from 'vitest';

import { createXeroConnectionHandler } from '../../src/server';
import { BASE_URL, PORTAL, readProblem, setup } from './support';

afterEach(() => {
  vi.restoreAllMocks();
});

// An `authenticate` that answers loosely must fail closed, and a write from another site must be
// refused by the handler itself, not only by the browser's CORS.

describe('authenticate answers loosely', () => {
  const loose: [string, unknown][] = [
    ['false', false],
    ['an empty string', ''],
    ['undefined', undefined],
    ['a number', 1],
    ['an array', []],
    ['canManage as the string "false"', { userId: 'mallory', canManage: 'false' }],
    ['canManage missing', { userId: 'mallory' }],
    ['an empty userId', { userId: '', canManage: true }],
    ['a userId of spaces', { userId: '  ', canManage: true }],
    ['a numeric userId', { userId: 7, canManage: false }],
    ['an empty accountId', { userId: 'mallory', canManage: false, accountId: '' }],
  ];

  it.each(loose)('%s is 401 for reads and writes, never an answer', async (_label, answer) => {
    const errors: unknown[] = [];
    const harness = await setup({ authenticate: () => answer as never, onError: (error) => errors.push(error) });
    const read = await harness.request('/connection');
    expect(read.status).toBe(401);
    await expect(readProblem(read)).resolves.toMatchObject({ code: 'UNAUTHENTICATED' });
    const write = await harness.request('/connection', { method: 'DELETE' });
    expect(write.status).toBe(401);
    // The host is told once, by a typed configuration error, not on every request.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'XeroConnectionConfigurationError' });
  });

  it('null is a plain 401 and tells the host nothing (signed out is not a misconfiguration)', async () => {
    const errors: unknown[] = [];
    const harness = await setup({ authenticate: () => null, onError: (error) => errors.push(error) });
    expect((await harness.request('/connection')).status).toBe(401);
    expect(errors).toHaveLength(0);
  });
});

describe('writes from another site', () => {
  const writes = [
    ['/connection', 'DELETE', undefined],
    ['/connection/verify', 'POST', undefined],
    ['/connect', 'POST', JSON.stringify({ returnTo: `${PORTAL}/settings`, mode: 'connect' })],
    ['/connection/organisation', 'POST', JSON.stringify({ tenantId: 'x' })],
    ['/callback', 'POST', JSON.stringify({ code: 'c', state: 's' })],
  ] as const;

  it.each(writes)('%s %s with Sec-Fetch-Site: cross-site is 403, before anything is done', async (path, method, body) => {
    const harness = await setup();
    await harness.connectThroughXero();
    const before = harness.emulator.requests.length;
    const response = await harness.request(path, { method, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(403);
    await expect(readProblem(response)).resolves.toMatchObject({ code: 'FORBIDDEN' });
    expect(harness.emulator.requests.length).toBe(before);
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
  });

  it('refuses verify as a text/plain form post from another origin (it called Xero on each)', async () => {
    const harness = await setup();
    await harness.connectThroughXero();
    const before = harness.emulator.requests.length;
    const response = await harness.request('/connection/verify', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: 'x' });
    expect(response.status).toBe(403);
    expect(harness.emulator.requests.length).toBe(before);
  });

  it('refuses Origin: null (a sandboxed frame, a file) on a write', async () => {
    const harness = await setup();
    const response = await harness.request('/connection', { method: 'DELETE', headers: { origin: 'null' } });
    expect(response.status).toBe(403);
  });

  it('accepts a write from the request’s own origin, an allowlisted one, and a caller without either header', async () => {
    const harness = await setup({ allowedReturnOrigins: ['https://admin.portal.example'] });
    await harness.connectThroughXero();
    const sameOrigin = await harness.request('/connection/verify', { method: 'POST', headers: { origin: PORTAL, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBe(200);
    const allowlisted = await harness.request('/connection/verify', { method: 'POST', headers: { origin: 'https://admin.portal.example', 'sec-fetch-site': 'same-site' } });
    expect(allowlisted.status).toBe(200);
    const server = await harness.request('/connection/verify', { method: 'POST' });
    expect(server.status).toBe(200);
  });

  it('answers reads from anywhere as before (CORS decides who may read them)', async () => {
    const harness = await setup();
    const response = await harness.request('/connection', { headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
  });
});

describe('the default onError', () => {
  it('logs one line with the error’s name and code, never its text (a database URL with a password)', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    const handler = createXeroConnectionHandler({
      basePath: '/api/integrations/xero-billing',
      clientId: 'id',
      clientSecret: 'secret',
      redirectUri: `${BASE_URL}/callback`,
      scopes: [],
      authenticate: () => ({ userId: 'alice', canManage: true }),
      store: {
        getConnection: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED postgres://app:hunter2@db.internal:5432/portal'), { code: 'ECONNREFUSED' })),
        putConnection: () => Promise.resolve(),
        putConnectSession: () => Promise.resolve(),
        takeConnectSession: () => Promise.resolve(null),
      },
    });
    const response = await handler(new Request(`${BASE_URL}/connection`));
    expect(response.status).toBe(500);
    expect(lines).toEqual(['[@carevision/xero-connection] Error (ECONNREFUSED): pass onError to createXeroConnectionHandler to log the details']);
    expect(lines.join('\n')).not.toContain('hunter2');
  });
});

describe('connect round trips are bounded', () => {
  const connectBody = (returnTo = `${PORTAL}/settings`) => JSON.stringify({ returnTo, mode: 'connect' });

  it('one admin starting round trips over and over is refused (429) and never ends another account’s pending one', async () => {
    const harness = await setup();
    // Another account's administrator starts a round trip and is on Xero's consent page.
    const { authorizeUrl } = await harness.client('otherAdmin', 'harbour-view').connect({ returnTo: `${PORTAL}/settings`, mode: 'connect' });
    const answers = [];
    for (let index = 0; index < 30; index += 1) answers.push(await harness.request('/connect', { method: 'POST', body: connectBody() }));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(10);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(20);
    await expect(readProblem(refused[0] ?? new Response())).resolves.toMatchObject({ code: 'XERO_RATE_LIMITED', retryAfterSeconds: 600 });
    expect(refused[0]?.headers.get('retry-after')).toBe('600');
    // The other account's round trip still finishes.
    const back = await harness.request(await harness.emulator.approve(authorizeUrl), { caller: 'otherAdmin', account: 'harbour-view' });
    expect(back.headers.get('location')).toContain('xero=connected');
  });

  it('lets the user start again once their pending round trips expire', async () => {
    const harness = await setup();
    for (let index = 0; index < 10; index += 1) await harness.request('/connect', { method: 'POST', body: connectBody() });
    expect((await harness.request('/connect', { method: 'POST', body: connectBody() })).status).toBe(429);
    harness.emulator.advance(10 * 60_000);
    expect((await harness.request('/connect', { method: 'POST', body: connectBody() })).status).toBe(200);
  });

  it('refuses a returnTo or expectedTenantId over 2 KB with VALIDATION_FAILED, keeping nothing', async () => {
    const harness = await setup();
    const long = await harness.request('/connect', { method: 'POST', body: connectBody(`${PORTAL}/settings?${'x'.repeat(2100)}`) });
    expect(long.status).toBe(400);
    await expect(readProblem(long)).resolves.toMatchObject({ code: 'VALIDATION_FAILED' });
    const tenant = await harness.request('/connect', {
      method: 'POST',
      body: JSON.stringify({ returnTo: `${PORTAL}/settings`, mode: 'reauth', expectedTenantId: 't'.repeat(2100) }),
    });
    expect(tenant.status).toBe(400);
  });
});
