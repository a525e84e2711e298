import { afterEach, describe, expect, it } from 'vitest';

import { REFRESH_TOKEN_REUSE_WINDOW_MS, startXeroEmulator, type XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { MINUTE_MS, REDIRECT_URI } from './support';

// The identity side where Xero differs from a plain OAuth server: a spent refresh token works
// again for 30 minutes after its first use (a lost answer may be retried), and the consent page
// lists any tenant type, named or not.

const open: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

async function start(organisations?: Parameters<typeof startXeroEmulator>[0]['organisations']): Promise<XeroEmulator> {
  const emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI], now: new Date('2026-11-26T09:30:00Z'), frozenClock: true, ...(organisations ? { organisations } : {}) });
  open.push(emulator);
  return emulator;
}

function refresh(emulator: XeroEmulator, refreshToken: string): Promise<Response> {
  const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  return fetch(emulator.endpoints.tokenEndpoint, { method: 'POST', headers: { authorization: basic }, body });
}

const tokensOf = async (answer: Response) => (await answer.json()) as { refresh_token: string; access_token: string };

describe('the refresh token reuse window', () => {
  it('is 30 minutes', () => {
    expect(REFRESH_TOKEN_REUSE_WINDOW_MS).toBe(30 * MINUTE_MS);
  });

  it('a refresh whose answer was lost (502 after rotating) can be retried with the old token, as many times as needed for 30 minutes; then invalid_grant, for good', async () => {
    const emulator = await start();
    const first = await emulator.authorizeDirectly();
    emulator.failNext('/connect/token', { status: 502, afterApplying: true });
    expect((await refresh(emulator, first.refresh_token)).status).toBe(502);
    expect(emulator.tokenCalls('refresh_token')).toBe(1);

    const retried = await refresh(emulator, first.refresh_token);
    expect(retried.status).toBe(200);
    const second = await tokensOf(retried);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    emulator.advance(29 * MINUTE_MS);
    const third = await tokensOf(await refresh(emulator, first.refresh_token));
    expect(third.refresh_token).not.toBe(second.refresh_token);

    emulator.advance(MINUTE_MS);
    const late = await refresh(emulator, first.refresh_token);
    expect(late.status).toBe(400);
    expect(await late.json()).toEqual({ error: 'invalid_grant' });
    emulator.advanceDays(1);
    expect((await refresh(emulator, first.refresh_token)).status).toBe(400);

    // The grant was not revoked: every token set issued in the window still refreshes, and its access token works.
    for (const tokens of [second, third]) {
      const next = await refresh(emulator, tokens.refresh_token);
      expect(next.status).toBe(200);
      const listed = await fetch(emulator.endpoints.connectionsUrl, { headers: { authorization: `Bearer ${(await tokensOf(next)).access_token}` } });
      expect(listed.status).toBe(200);
    }
  });

  it('counts from the first use, not the last: reuses inside the window do not extend it', async () => {
    const emulator = await start();
    const first = await emulator.authorizeDirectly();
    expect((await refresh(emulator, first.refresh_token)).status).toBe(200);
    emulator.advance(20 * MINUTE_MS);
    expect((await refresh(emulator, first.refresh_token)).status).toBe(200);
    emulator.advance(10 * MINUTE_MS);
    expect((await refresh(emulator, first.refresh_token)).status).toBe(400);
  });

  it('a revoked grant ends the window at once', async () => {
    const emulator = await start();
    const first = await emulator.authorizeDirectly();
    expect((await refresh(emulator, first.refresh_token)).status).toBe(200);
    emulator.revokeAll();
    expect((await refresh(emulator, first.refresh_token)).status).toBe(400);
  });
});

describe('the consent page', () => {
  it('lists every tenant type, escapes names and gives a nameless PRACTICEMANAGER a label', async () => {
    const emulator = await start([
      { tenantId: 'c1f7a3a2-6d7e-4f55-9f0e-6f0a8f1b2c3d', tenantName: 'Ledger & <Co> "Advisers"', tenantType: 'PRACTICE' },
      { tenantId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', tenantName: null, tenantType: 'PRACTICEMANAGER' },
      { tenantId: '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f', tenantName: null, tenantType: 'WORKFLOWMAX' },
    ]);
    const authorize = new URL(emulator.endpoints.authorizationEndpoint);
    const params = { response_type: 'code', client_id: emulator.clientId, redirect_uri: REDIRECT_URI, scope: 'offline_access', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' };
    for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
    const html = await (await fetch(authorize)).text();
    expect(html).toContain('> Ledger &amp; &lt;Co&gt; &quot;Advisers&quot;</label>');
    expect(html).toContain('> Xero Practice Manager (no name)</label>');
    expect(html).toContain('> WORKFLOWMAX (no name)</label>');
    const tokens = await emulator.authorizeDirectly({ tenantIds: ['a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'] });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(emulator.connections()).toEqual([expect.objectContaining({ tenantType: 'PRACTICEMANAGER', tenantName: null })]);
  });
});

describe('several Xero users', () => {
  const revoke = (emulator: XeroEmulator, refreshToken: string) => {
    const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
    return fetch(emulator.endpoints.revocationEndpoint, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ token: refreshToken }) });
  };
  const listed = async (emulator: XeroEmulator, accessToken: string) => {
    const answer = await fetch(emulator.endpoints.connectionsUrl, { headers: { authorization: `Bearer ${accessToken}` } });
    return answer.status === 200 ? ((await answer.json()) as { tenantId: string }[]).map((entry) => entry.tenantId) : answer.status;
  };

  it('each has their own connection to the same organisation, named in their tokens, and one revocation leaves the other user alone', async () => {
    const emulator = await start();
    const tenantId = emulator.organisations[0]?.tenantId ?? '';
    const alice = await emulator.authorizeDirectly({ xeroUserId: 'xero-alice' });
    const bob = await emulator.authorizeDirectly({ xeroUserId: 'xero-bob' });
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { xero_userid?: string };
    expect(claims(alice.access_token).xero_userid).toBe('xero-alice');
    expect(claims(bob.access_token).xero_userid).toBe('xero-bob');
    expect(emulator.connections('xero-alice').map((entry) => entry.tenantId)).toEqual([tenantId]);
    expect(emulator.connections('xero-bob').map((entry) => entry.tenantId)).toEqual([tenantId]);
    expect(emulator.connections('xero-alice')[0]?.id).not.toBe(emulator.connections('xero-bob')[0]?.id);

    expect((await revoke(emulator, alice.refresh_token)).status).toBe(200);

    // Alice's grant and connections are gone…
    expect((await refresh(emulator, alice.refresh_token)).status).toBe(400);
    expect(await listed(emulator, alice.access_token)).toBe(401);
    expect(emulator.connections('xero-alice')).toEqual([]);
    // …Bob's are not.
    expect(await listed(emulator, bob.access_token)).toEqual([tenantId]);
    const renewed = await refresh(emulator, bob.refresh_token);
    expect(renewed.status).toBe(200);
    expect(await listed(emulator, (await tokensOf(renewed)).access_token)).toEqual([tenantId]);
  });

  it("one user's DELETE /connections/{id} cannot remove another user's connection", async () => {
    const emulator = await start();
    const alice = await emulator.authorizeDirectly({ xeroUserId: 'xero-alice' });
    await emulator.authorizeDirectly({ xeroUserId: 'xero-bob' });
    const bobs = emulator.connections('xero-bob')[0]?.id ?? '';
    const answer = await fetch(`${emulator.endpoints.connectionsUrl}/${bobs}`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.access_token}` } });
    expect(answer.status).toBe(404);
    expect(emulator.connections('xero-bob')).toHaveLength(1);
  });
});
