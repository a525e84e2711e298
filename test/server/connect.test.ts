import { describe, expect, it } from 'vitest';

import { readConnectReturn } from '../../src/client';
import { BASE_URL, MINUTE_MS, PORTAL, readProblem, REDIRECT_URI, RETURN_TO, setup } from './support';

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('POST /connect', () => {
  it('answers Xero’s authorize URL with PKCE S256, a state, the exact redirect URI and offline_access', async () => {
    const { client, emulator } = await setup();
    const started = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const url = new URL(started.authorizeUrl);
    expect(url.origin + url.pathname).toBe(emulator.endpoints.authorizationEndpoint);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toBe(started.state);
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(['offline_access', 'accounting.invoices', 'accounting.contacts']);
    expect(Date.parse(started.expiresAt) - emulator.now().getTime()).toBe(10 * MINUTE_MS);
  });

  it.each([
    ['malformed JSON', '{"returnTo":'],
    ['an unknown field', JSON.stringify({ returnTo: RETURN_TO, mode: 'connect', extra: 1 })],
    ['a wrong mode', JSON.stringify({ returnTo: RETURN_TO, mode: 'sideways' })],
    ['another origin', JSON.stringify({ returnTo: 'https://evil.example/steal', mode: 'connect' })],
    ['a prefix of our origin', JSON.stringify({ returnTo: 'https://portal.example.evil.test/x', mode: 'connect' })],
    ['userinfo before another host', JSON.stringify({ returnTo: 'https://portal.example@evil.test/x', mode: 'connect' })],
    ['javascript:', JSON.stringify({ returnTo: 'javascript:alert(1)', mode: 'connect' })],
    ['http on our host', JSON.stringify({ returnTo: 'http://portal.example/x', mode: 'connect' })],
  ])('rejects %s with VALIDATION_FAILED and starts nothing', async (_name, body) => {
    const { request, client } = await setup();
    const response = await request('/connect', { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(await readProblem(response)).toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'never_connected' });
  });

  it('accepts a returnTo on an allowlisted origin', async () => {
    const { request } = await setup({ allowedReturnOrigins: ['https://admin.portal.example'] });
    const response = await request('/connect', json({ returnTo: 'https://admin.portal.example/xero', mode: 'connect' }));
    expect(response.status).toBe(200);
  });
});

describe('GET /callback', () => {
  it('exchanges the code, learns the tenant, stores the connection and redirects to returnTo?xero=connected', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    const response = await connectThroughXero();
    expect(response.status).toBe(302);
    const location = response.headers.get('location') ?? '';
    expect(location.startsWith(`${PORTAL}/settings/integrations?tab=xero&`)).toBe(true);
    expect(readConnectReturn(location)?.outcome).toEqual({ kind: 'connected' });
    const connection = await client().getConnection();
    expect(connection).toMatchObject({
      status: 'connected',
      reason: null,
      tenant: { tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION', connectionId: emulator.connections()[0]?.id },
      connectedBy: { userId: 'alice', displayName: 'User alice' },
      refreshTokenLifetimeDays: 60,
      refreshTokenExpiresAt: '2027-01-25T09:30:00.000Z',
    });
    expect(connection.scopes).toContain('offline_access');
    expect(emulator.tokenCalls('authorization_code')).toBe(1);
  });

  it('connects the organisation the user picked', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    const second = emulator.organisations[1]?.tenantId ?? '';
    await connectThroughXero({ tenantIds: [second] });
    await expect(client().getConnection()).resolves.toMatchObject({ tenant: { tenantId: second, tenantName: 'Harbour View Homes' } });
  });

  it('redirects Cancel on the consent page as XERO_ACCESS_DENIED and stores nothing', async () => {
    const { client, emulator, request } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const response = await request(await emulator.deny(authorizeUrl));
    expect(response.status).toBe(302);
    expect(readConnectReturn(response.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'cancelled', reason: 'consent_denied' });
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'never_connected' });
    expect(emulator.tokenCalls('authorization_code')).toBe(0);
  });

  it('answers an unknown state with a 400 STATE_MISMATCH problem, never a redirect', async () => {
    const { request, emulator } = await setup();
    const response = await request('/callback?code=abc&state=forged');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await readProblem(response)).toMatchObject({ code: 'STATE_MISMATCH' });
    expect(emulator.requests).toEqual([]);
  });

  it('spends the state once: a replayed callback is STATE_MISMATCH and exchanges nothing more', async () => {
    const { client, emulator, request } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const back = await emulator.approve(authorizeUrl);
    expect((await request(back)).status).toBe(302);
    const replay = await request(back);
    expect(replay.status).toBe(400);
    expect(await readProblem(replay)).toMatchObject({ code: 'STATE_MISMATCH' });
    expect(emulator.tokenCalls('authorization_code')).toBe(1);
  });

  it('refuses a state started by another user, and stores nothing', async () => {
    const { client, emulator, request } = await setup();
    const { authorizeUrl } = await client('admin').connect({ returnTo: RETURN_TO, mode: 'connect' });
    const back = await emulator.approve(authorizeUrl);
    const response = await request(back, { caller: 'otherAdmin' });
    expect(response.status).toBe(400);
    expect(await readProblem(response)).toMatchObject({ code: 'STATE_MISMATCH' });
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'never_connected' });
    expect(emulator.tokenCalls('authorization_code')).toBe(0);
    // The leaked state is spent for its owner too.
    expect((await request(back)).status).toBe(400);
  });

  it('redirects with CONNECT_SESSION_EXPIRED when the user comes back after ten minutes', async () => {
    const { client, emulator, request } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const back = await emulator.approve(authorizeUrl);
    emulator.advance(11 * MINUTE_MS);
    const response = await request(back);
    expect(readConnectReturn(response.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' });
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'never_connected' });
  });

  it('redirects a 1.0 client’s reconnect that came back with another organisation as XERO_TENANT_MISMATCH and keeps the old state', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    const first = emulator.organisations[0]?.tenantId ?? '';
    const second = emulator.organisations[1]?.tenantId ?? '';
    // Contract 1.1 clients choose instead: see choose-organisation.test.ts.
    const response = await connectThroughXero({ contract: '1.0', mode: 'reauth', expectedTenantId: first, tenantIds: [second] });
    expect(readConnectReturn(response.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'failed', code: 'XERO_TENANT_MISMATCH' });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: first } });
  });
});

describe('POST /callback', () => {
  it('finishes the round trip and answers the Connection', async () => {
    const { client, emulator } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const back = new URL(await emulator.approve(authorizeUrl));
    const connection = await client().completeCallback({ code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' });
    expect(connection).toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });
  });

  it('answers a replayed code with a fresh state as XERO_INVALID_GRANT and stores nothing new', async () => {
    const { client, emulator } = await setup();
    const first = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const code = new URL(await emulator.approve(first.authorizeUrl)).searchParams.get('code') ?? '';
    await client().completeCallback({ code, state: first.state });
    const second = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    await expect(client().completeCallback({ code, state: second.state })).rejects.toMatchObject({ code: 'XERO_INVALID_GRANT' });
    expect(emulator.tokenCalls('authorization_code')).toBe(2);
  });

  it.each([
    ['malformed JSON', '{'],
    ['an unknown field', JSON.stringify({ code: 'a', state: 'b', extra: true })],
    ['a missing state', JSON.stringify({ code: 'a' })],
  ])('rejects %s with VALIDATION_FAILED', async (_name, body) => {
    const { request, emulator } = await setup();
    const response = await request(`${BASE_URL}/callback`, { method: 'POST', body });
    expect(await readProblem(response)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(emulator.requests).toEqual([]);
  });
});
