import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { createMemoryConnectionStore } from '../../src/server';
import { startXeroEmulator, type XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { BASE_URL, callers, MINUTE_MS, readProblem, REDIRECT_URI, RETURN_TO, setup } from './support';

const KEY = { integrationKey: '/api/integrations/xero-billing', accountId: 'default' };

/** A raw token-endpoint call as the registered client. */
function tokenRequest(emulator: XeroEmulator, body: Record<string, string>): Promise<Response> {
  const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
  return fetch(emulator.endpoints.tokenEndpoint, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams(body) });
}

/** An authorize URL of the registered client with its own PKCE pair, for raw protocol checks. */
function authorizeRequest(emulator: XeroEmulator, overrides: Record<string, string> = {}): { url: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(emulator.endpoints.authorizationEndpoint);
  const params = {
    response_type: 'code',
    client_id: emulator.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'offline_access accounting.invoices',
    state: 'raw-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { url: url.href, verifier };
}

async function exchange(emulator: XeroEmulator, back: string, verifier: string): Promise<Response> {
  const code = new URL(back).searchParams.get('code') ?? '';
  return tokenRequest(emulator, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
}

const ownEmulators: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(ownEmulators.splice(0).map((emulator) => emulator.close()));
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('responses go through the contract', () => {
  it('answers INTERNAL rather than a body that breaks the contract', async () => {
    const store = createMemoryConnectionStore();
    const errors: unknown[] = [];
    const { request } = await setup({ store, onError: (error) => errors.push(error) });
    await store.putConnection(
      { integrationKey: '/api/integrations/xero-billing', accountId: 'default' },
      {
        status: 'connected',
        needsReauthReason: null,
        tenant: { tenantId: 't', tenantName: '', tenantType: 'ORGANISATION', connectionId: 'c' },
        scopes: [],
        tokens: null,
        connectedAt: null,
        connectedBy: null,
        lastUsedAt: null,
        lastRefreshedAt: null,
        checkedAt: '2026-11-26T09:30:00.000Z',
        lastError: null,
      },
    );
    const response = await request('/connection');
    expect(response.status).toBe(500);
    expect(await readProblem(response)).toMatchObject({ code: 'INTERNAL' });
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('broke the contract') })]);
  });

  it('takes JSON bodies only (a cross-site form cannot post them without a preflight)', async () => {
    const { request, client } = await setup();
    const response = await request('/connect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ returnTo: RETURN_TO, mode: 'connect' }),
    });
    expect(response.status).toBe(415);
    expect(await readProblem(response)).toMatchObject({ code: 'VALIDATION_FAILED', status: 415 });
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'never_connected' });
  });

  it('refuses a body over 64 KiB with 413 before reading it all, on any runtime (not only node:http)', async () => {
    const { handler, client } = await setup();
    let pulled = 0;
    // A body that never ends: the handler must stop reading once it is past the limit.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 16_384;
        controller.enqueue(new TextEncoder().encode(' '.repeat(16_384)));
      },
    });
    const response = await handler(
      new Request(`${BASE_URL}/connect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...callers.admin },
        body: endless,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await readProblem(response)).toMatchObject({ code: 'VALIDATION_FAILED', status: 413, detail: expect.stringContaining('64 KiB') });
    expect(pulled).toBeLessThan(200_000);
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'never_connected' });
  });
});

describe('the emulator behaves like Xero', () => {
  it('never sends a wrong redirect URI back to the app', async () => {
    const { client, emulator } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const tampered = new URL(authorizeUrl);
    tampered.searchParams.set('redirect_uri', 'https://evil.example/callback');
    await expect(emulator.approve(tampered.href)).rejects.toThrow(/400/);
  });

  it('refuses a wrong client secret: the callback redirects with XERO_INVALID_CLIENT', async () => {
    const { client, emulator, request } = await setup({ clientSecret: 'wrong' });
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const response = await request(await emulator.approve(authorizeUrl));
    expect(response.headers.get('location')).toContain('code=XERO_INVALID_CLIENT');
  });

  it('answers an unknown refresh token with 400 {"error":"invalid_grant"} and no description', async () => {
    const { emulator } = await setup();
    const answer = await tokenRequest(emulator, { grant_type: 'refresh_token', refresh_token: 'never-issued' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'invalid_grant' });
  });

  it('issues single-use codes that live 5 minutes on the emulated clock, and only for the PKCE verifier', async () => {
    const { emulator } = await setup();
    const first = authorizeRequest(emulator);
    const code = await emulator.approve(first.url);
    expect((await exchange(emulator, code, 'not-the-verifier')).status).toBe(400);
    const late = authorizeRequest(emulator);
    const lateCode = await emulator.approve(late.url);
    emulator.advance(5 * MINUTE_MS);
    const expired = await exchange(emulator, lateCode, late.verifier);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({ error: 'invalid_grant' });

    const fresh = authorizeRequest(emulator);
    const freshCode = await emulator.approve(fresh.url);
    const tokens = (await (await exchange(emulator, freshCode, fresh.verifier)).json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 1800, scope: expect.stringContaining('offline_access') });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect((await exchange(emulator, freshCode, fresh.verifier)).status).toBe(400);
  });

  it('refuses an authorization request without PKCE S256 by redirecting with invalid_request', async () => {
    const { emulator } = await setup();
    const plain = authorizeRequest(emulator, { code_challenge_method: 'plain' });
    expect(new URL(await emulator.approve(plain.url)).searchParams.get('error')).toBe('invalid_request');
  });

  it('accepts an access token at /connections until it is 30 minutes old on the emulated clock', async () => {
    const { emulator } = await setup();
    const request = authorizeRequest(emulator);
    const tokens = (await (await exchange(emulator, await emulator.approve(request.url), request.verifier)).json()) as { access_token: string };
    const list = () => fetch(emulator.endpoints.connectionsUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    emulator.advance(29 * MINUTE_MS);
    expect((await list()).status).toBe(200);
    emulator.advance(MINUTE_MS);
    const expired = await list();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ Detail: expect.stringMatching(/^TokenExpired: /) });
    const forged = await fetch(emulator.endpoints.connectionsUrl, { headers: { authorization: `Bearer ${tokens.access_token.slice(0, -4)}AAAA` } });
    expect(forged.status).toBe(401);
  });

  it('rotates refresh tokens: a spent one answers invalid_grant once its 30-minute reuse window is over, the rotated one still works', async () => {
    const store = createMemoryConnectionStore();
    const { connectThroughXero, client, emulator } = await setup({ store });
    await connectThroughXero();
    const spent = (await store.getConnection(KEY))?.tokens?.refreshToken ?? '';
    emulator.advance(31 * MINUTE_MS);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
    // Inside the window Xero would still take it (a lost answer may be retried).
    emulator.advance(30 * MINUTE_MS);
    const replay = await tokenRequest(emulator, { grant_type: 'refresh_token', refresh_token: spent });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'invalid_grant' });
    // Unlike oidc-provider's default reuse detection, Xero does not kill the grant for it.
    emulator.advance(31 * MINUTE_MS);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
  });

  it('shows an accessible consent page: one labelled checkbox per organisation, Allow access and Cancel', async () => {
    const { client, emulator } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const page = await fetch(authorizeUrl);
    expect(page.status).toBe(200);
    expect(new URL(page.url).origin).toBe(emulator.url);
    const html = await page.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html).toMatch(/<main><h1>Allow access to your Xero organisation\?<\/h1>/);
    for (const org of emulator.organisations) {
      expect(html).toContain(`<label><input type="checkbox" name="tenantId" value="${org.tenantId}"`);
      expect(html).toMatch(new RegExp(`value="${org.tenantId}"(?: checked)?> ${org.tenantName}</label>`));
    }
    expect(html).toContain('<button type="submit" name="decision" value="allow">Allow access</button>');
    expect(html).toContain('<button type="submit" name="decision" value="cancel">Cancel</button>');
  });

  it('binds the decision to the browser that started it: a form posted without its interaction cookie is refused', async () => {
    const { client, emulator } = await setup();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const consent = await fetch(authorizeUrl);
    const action = /<form method="post" action="([^"]+)"/.exec(await consent.text())?.[1] ?? '';
    const forged = await fetch(new URL(action, emulator.url), {
      method: 'POST',
      body: new URLSearchParams({ decision: 'allow', tenantId: emulator.organisations[0]?.tenantId ?? '' }),
      redirect: 'manual',
    });
    expect(forged.status).toBe(400);
    expect(emulator.connections()).toEqual([]);
  });

  it('revokeAll: the grant was revoked elsewhere, so the next refresh is invalid_grant while the connections stay listed', async () => {
    const store = createMemoryConnectionStore();
    const { connectThroughXero, client, emulator } = await setup({ store });
    await connectThroughXero();
    const tokens = (await store.getConnection(KEY))?.tokens;
    emulator.revokeAll();

    const refresh = await tokenRequest(emulator, { grant_type: 'refresh_token', refresh_token: tokens?.refreshToken ?? '' });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toEqual({ error: 'invalid_grant' });
    const listed = await fetch(emulator.endpoints.connectionsUrl, { headers: { authorization: `Bearer ${tokens?.accessToken ?? ''}` } });
    expect(listed.status).toBe(401);
    expect(emulator.connections().map((connection) => connection.tenantName)).toEqual(['Sunrise Care Group']);

    await expect(client().verify()).resolves.toMatchObject({ status: 'needs_reauth', lastError: { code: 'XERO_INVALID_GRANT' } });
    // A new consent makes a new grant that works.
    await connectThroughXero();
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
  });

  it('listens on the port it is given, on 127.0.0.1 only, and names it in the issuer', async () => {
    const port = await freePort();
    const emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI], port });
    ownEmulators.push(emulator);
    expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
    const discovery = await fetch(`${emulator.url}/.well-known/openid-configuration`);
    expect(await discovery.json()).toMatchObject({ issuer: emulator.url, token_endpoint: emulator.endpoints.tokenEndpoint });
    // The port is really taken: a second emulator on it fails to start.
    await expect(startXeroEmulator({ redirectUris: [REDIRECT_URI], port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('takes a free port by default', async () => {
    const emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI] });
    ownEmulators.push(emulator);
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).not.toBe('http://127.0.0.1:0');
  });
});
