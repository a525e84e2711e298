import { describe, expect, it } from 'vitest';

import { createMemoryConnectionStore } from '../../src/server';
import { readProblem, RETURN_TO, setup } from './support';

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
    const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
    const post = (body: Record<string, string>) =>
      fetch(emulator.endpoints.tokenEndpoint, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams(body) });
    const answer = await post({ grant_type: 'refresh_token', refresh_token: 'never-issued' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'invalid_grant' });
  });
});
