import { describe, expect, it } from 'vitest';

import type { XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { setup } from './support';

// Reconnecting over a live connection, without Disconnect first (a host's own Connect button, or
// a 1.1 client re-consenting): the grant it replaces must not stay live at Xero with nobody
// holding it. Xero keeps connections per Xero user, and its revocation removes ALL of that user's
// connections to the app; so the replaced grant is given up only when another Xero user consented.

function refreshAtXero(emulator: XeroEmulator, refreshToken: string): Promise<Response> {
  const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
  return fetch(emulator.endpoints.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basic },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
}

async function connectedAs(harness: Awaited<ReturnType<typeof setup>>, xeroUserId: string, options: { account?: string; tenantIds?: string[] } = {}) {
  const back = await harness.connectThroughXero({ xeroUserId, ...options });
  expect(back.headers.get('location')).toContain('xero=connected');
}

describe('reconnecting over a live connection', () => {
  it("by another Xero user: the replaced user's grant is removed and revoked at Xero, and the new one works", async () => {
    const errors: unknown[] = [];
    const harness = await setup({ onError: (error) => errors.push(error) });
    const { emulator, client } = harness;
    const tenantId = emulator.organisations[0]?.tenantId ?? '';
    await connectedAs(harness, 'xero-alice');
    expect(emulator.connections('xero-alice').map((entry) => entry.tenantId)).toEqual([tenantId]);

    await connectedAs(harness, 'xero-bob');

    expect(emulator.connections('xero-alice')).toEqual([]);
    expect(emulator.connections('xero-bob').map((entry) => entry.tenantId)).toEqual([tenantId]);
    expect(emulator.requests.filter((entry) => entry.path === '/connect/revocation' && entry.status === 200)).toHaveLength(1);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId } });
    expect(errors).toEqual([]);
  });

  it("by another Xero user whose replaced grant still reaches another account's organisation: only that connection is removed, nothing revoked", async () => {
    const harness = await setup();
    const { emulator, client } = harness;
    const [first, second] = emulator.organisations.map((org) => org.tenantId);
    // Alice (a bookkeeper) connected two care providers' accounts, one organisation each.
    await connectedAs(harness, 'xero-alice', { account: 'provider-a', tenantIds: [first ?? ''] });
    await connectedAs(harness, 'xero-alice', { account: 'provider-b', tenantIds: [second ?? ''] });

    await connectedAs(harness, 'xero-bob', { account: 'provider-a', tenantIds: [first ?? ''] });

    expect(emulator.connections('xero-alice').map((entry) => entry.tenantId)).toEqual([second]);
    expect(emulator.requests.filter((entry) => entry.path === '/connect/revocation')).toHaveLength(0);
    await expect(client('admin', 'provider-b').verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: second } });
    await expect(client('admin', 'provider-a').verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: first } });
  });

  it('by the same Xero user: nothing is removed or revoked (it would remove the new connection too)', async () => {
    const harness = await setup();
    const { emulator, client } = harness;
    await connectedAs(harness, 'xero-alice');
    await connectedAs(harness, 'xero-alice');
    expect(emulator.requests.filter((entry) => entry.path === '/connect/revocation' || entry.method === 'DELETE')).toHaveLength(0);
    expect(emulator.connections('xero-alice')).toHaveLength(1);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
  });

  it('when Xero cannot be reached to give the old grant up, the new connection still stands and the host is told', async () => {
    const errors: unknown[] = [];
    const harness = await setup({ onError: (error) => errors.push(error) });
    const { emulator, client } = harness;
    await connectedAs(harness, 'xero-alice');
    const connectionId = emulator.connections('xero-alice')[0]?.id ?? '';
    emulator.failNext(`/connections/${connectionId}`, { status: 503 });

    await connectedAs(harness, 'xero-bob');

    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'XERO_UNAVAILABLE' });
    // Alice's grant is still live (nobody holds it now): what the host was told about.
    expect(emulator.connections('xero-alice')).toHaveLength(1);
  });

  it("a refresh token of the replaced user's grant no longer works at Xero", async () => {
    const harness = await setup();
    const { emulator } = harness;
    const direct = await emulator.authorizeDirectly({ xeroUserId: 'xero-alice' });
    // The handler's connection is Alice's too (her second grant); Bob then reconnects over it.
    await connectedAs(harness, 'xero-alice');
    await connectedAs(harness, 'xero-bob');
    // Revocation removed every grant of Alice's, this direct one included (Xero: all of the user's connections).
    expect((await refreshAtXero(emulator, direct.refresh_token)).status).toBe(400);
  });
});
