import { describe, expect, it } from 'vitest';

import { readProblem, setup } from './support';

const xeroCalls = (requests: { method: string; path: string }[]) =>
  requests.filter((entry) => entry.path !== '/identity/connect/authorize/decision').map((entry) => `${entry.method} ${entry.path.replace(/[0-9a-f-]{36}$/, '{id}')}`);

describe('DELETE /connection', () => {
  it('removes the connection in Xero, revokes the grant when no other tenant uses it, and clears the store', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    const before = emulator.requests.length;
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
    expect(xeroCalls(emulator.requests.slice(before))).toEqual(['DELETE /connections/{id}', 'GET /connections', 'POST /connect/revocation']);
    expect(emulator.connections()).toEqual([]);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'disconnected', reason: 'user_disconnected', tenant: null });
  });

  it('keeps the grant when it still reaches another tenant', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    const [first, second] = emulator.organisations.map((org) => org.tenantId);
    await connectThroughXero({ tenantIds: [first ?? '', second ?? ''], contract: '1.0' });
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
    expect(emulator.requests.some((entry) => entry.path === '/connect/revocation')).toBe(false);
    expect(emulator.connections().map((connection) => connection.tenantId)).toEqual([second]);
  });

  it('is idempotent', async () => {
    const { connectThroughXero, client } = await setup();
    await connectThroughXero();
    await client().disconnect();
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
  });

  it('succeeds when never connected', async () => {
    const { client, emulator } = await setup();
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
    expect(emulator.requests).toEqual([]);
  });

  it('clears the local state when the grant is dead (invalid_grant): remoteRemoved false', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.advanceDays(61);
    await expect(client().verify()).resolves.toMatchObject({ reason: 'refresh_token_expired' });
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
  });

  it('clears the local state when invalid_grant is met on the way (no verify first)', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.advanceDays(61);
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
    expect(emulator.requests.some((entry) => entry.method === 'DELETE')).toBe(false);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'disconnected' });
  });

  it('keeps everything when Xero is rate limiting, so the user can try again', async () => {
    const { connectThroughXero, client, request, emulator } = await setup();
    await connectThroughXero();
    emulator.failNext('/connections', { status: 429, retryAfterSeconds: 5 });
    const response = await request('/connection', { method: 'DELETE' });
    expect(await readProblem(response)).toMatchObject({ code: 'XERO_RATE_LIMITED', retryAfterSeconds: 5 });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected' });
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
  });
});
