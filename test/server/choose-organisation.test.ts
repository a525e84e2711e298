import { describe, expect, it } from 'vitest';

import { readConnectReturn } from '../../src/client';
import { ACCEPT_1_1, MINUTE_MS, readProblem, RETURN_TO, setup } from './support';

const json = (body: unknown, accept?: string): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(accept === undefined ? {} : { accept }) },
});

/** A harness with both emulated organisations at hand. */
async function twoOrganisations() {
  const harness = await setup();
  const [first, second] = harness.emulator.organisations;
  if (first === undefined || second === undefined) throw new Error('the emulator offers two organisations');
  return { ...harness, first, second, both: [first.tenantId, second.tenantId] };
}

const deletes = (requests: { method: string; path: string }[]) => requests.filter((entry) => entry.method === 'DELETE').map((entry) => entry.path);

describe('a consent covering several organisations', () => {
  it('asks a 1.1 client to choose: choosing_organisation / multiple_organisations, nothing linked, both listed in Xero’s order', async () => {
    const { connectThroughXero, client, emulator, both, first, second } = await twoOrganisations();
    const response = await connectThroughXero({ tenantIds: both });
    // The round trip itself worked: the status says what comes next.
    expect(readConnectReturn(response.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'connected' });
    const connection = await client().getConnection();
    expect(connection).toMatchObject({
      status: 'choosing_organisation',
      reason: 'multiple_organisations',
      tenant: null,
      organisations: [
        { tenantId: first.tenantId, tenantName: first.tenantName },
        { tenantId: second.tenantId, tenantName: second.tenantName },
      ],
      lastError: null,
    });
    expect(connection.refreshTokenExpiresAt).not.toBeNull();
    expect(emulator.connections().map((entry) => entry.tenantId)).toEqual(both);
  });

  it('links the first organisation for a 1.0 client, exactly as before', async () => {
    const { connectThroughXero, request, emulator, both, first } = await twoOrganisations();
    const response = await connectThroughXero({ tenantIds: both, contract: '1.0' });
    expect(readConnectReturn(response.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'connected' });
    const connection = (await (await request('/connection')).json()) as Record<string, unknown>;
    expect(connection).toMatchObject({ status: 'connected', tenant: { tenantId: first.tenantId } });
    expect(connection).not.toHaveProperty('organisations');
    expect(emulator.connections()).toHaveLength(2);
  });

  it('never shows choosing_organisation to a 1.0 client: it reads as disconnected, reason unknown', async () => {
    const { connectThroughXero, request, both } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    for (const init of [{}, { method: 'POST' }] as const) {
      const response = await request(init.method === 'POST' ? '/connection/verify' : '/connection', init);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'disconnected', reason: null, tenant: null, refreshTokenExpiresAt: null });
      expect(body).not.toHaveProperty('organisations');
    }
  });

  it('decides by the Accept of POST /connect, not of Xero’s redirect (the browser’s)', async () => {
    const { client, request, emulator, both, first } = await twoOrganisations();
    const browserAccept = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    // Started by a 1.1 client, the redirect arrives with the browser's Accept: still a choice.
    const started = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    await request(await emulator.approve(started.authorizeUrl, { tenantIds: both }), { headers: browserAccept });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'choosing_organisation' });
    // Started by a 1.0 client, a redirect claiming 1.1 changes nothing: the first organisation.
    const old = await request('/connect', json({ returnTo: RETURN_TO, mode: 'connect' }));
    const { authorizeUrl } = (await old.json()) as { authorizeUrl: string };
    await request(await emulator.approve(authorizeUrl, { tenantIds: both }), { headers: { accept: ACCEPT_1_1 } });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: first.tenantId } });
  });

  it('answers the choice to POST /callback of a 1.1 client', async () => {
    const { client, emulator, both } = await twoOrganisations();
    const { authorizeUrl } = await client().connect({ returnTo: RETURN_TO, mode: 'connect' });
    const back = new URL(await emulator.approve(authorizeUrl, { tenantIds: both }));
    const connection = await client().completeCallback({ code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' });
    expect(connection).toMatchObject({ status: 'choosing_organisation', reason: 'multiple_organisations' });
  });

  it('links a single organisation at once for a 1.1 client: there is nothing to choose', async () => {
    const { connectThroughXero, client, second } = await twoOrganisations();
    await connectThroughXero({ tenantIds: [second.tenantId] });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: second.tenantId } });
  });
});

describe('POST /connection/organisation', () => {
  it('links the chosen organisation and removes the other one in Xero', async () => {
    const { connectThroughXero, client, emulator, both, second } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    const firstConnectionId = emulator.connections()[0]?.id;
    const before = emulator.requests.length;
    const connection = await client().chooseOrganisation({ tenantId: second.tenantId });
    expect(connection).toMatchObject({ status: 'connected', reason: null, tenant: { tenantId: second.tenantId, tenantName: second.tenantName } });
    expect(connection).not.toHaveProperty('organisations');
    expect(deletes(emulator.requests.slice(before))).toEqual([`/connections/${firstConnectionId}`]);
    expect(emulator.connections().map((entry) => entry.tenantId)).toEqual([second.tenantId]);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: second.tenantId } });
    // The grant still works for the chosen organisation.
    emulator.advance(31 * MINUTE_MS);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: second.tenantId } });
  });

  it('refreshes a stale access token first (the user took their time)', async () => {
    const { connectThroughXero, client, emulator, both, first } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    emulator.advance(45 * MINUTE_MS);
    await expect(client().chooseOrganisation({ tenantId: first.tenantId })).resolves.toMatchObject({ status: 'connected' });
    expect(emulator.tokenCalls('refresh_token')).toBe(1);
    expect(emulator.connections().map((entry) => entry.tenantId)).toEqual([first.tenantId]);
  });

  it('answers XERO_INVALID_GRANT when the grant died while the user chose, and stores needs_reauth', async () => {
    const { connectThroughXero, client, emulator, both, first } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    emulator.advanceDays(61);
    await expect(client().chooseOrganisation({ tenantId: first.tenantId })).rejects.toMatchObject({ code: 'XERO_INVALID_GRANT' });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired', tenant: null });
  });

  it('keeps the choice when Xero is rate limiting: nothing linked, try again', async () => {
    const { connectThroughXero, client, emulator, both, second } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    emulator.failNext('/connections/', { status: 429, retryAfterSeconds: 9 });
    await expect(client().chooseOrganisation({ tenantId: second.tenantId })).rejects.toMatchObject({ code: 'XERO_RATE_LIMITED', retryAfterSeconds: 9 });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'choosing_organisation' });
    await expect(client().chooseOrganisation({ tenantId: second.tenantId })).resolves.toMatchObject({ status: 'connected' });
  });

  it('answers VALIDATION_FAILED when there is nothing to choose, and calls no one', async () => {
    const { connectThroughXero, request, emulator, first } = await twoOrganisations();
    const never = await request('/connection/organisation', json({ tenantId: first.tenantId }, ACCEPT_1_1));
    expect(never.status).toBe(400);
    expect(await readProblem(never)).toMatchObject({ code: 'VALIDATION_FAILED' });
    await connectThroughXero();
    const before = emulator.requests.length;
    const connected = await request('/connection/organisation', json({ tenantId: first.tenantId }, ACCEPT_1_1));
    const problem = (await connected.clone().json()) as { detail?: string };
    expect(await readProblem(connected)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(problem.detail).toMatch(/no organisation to choose: the connection is connected/);
    expect(emulator.requests.length).toBe(before);
  });

  it('answers XERO_TENANT_NOT_FOUND for an organisation that is not offered, and changes nothing', async () => {
    const { connectThroughXero, client, emulator, both } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    const before = emulator.requests.length;
    await expect(client().chooseOrganisation({ tenantId: 'not-offered' })).rejects.toMatchObject({ code: 'XERO_TENANT_NOT_FOUND', status: 404 });
    expect(emulator.requests.length).toBe(before);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'choosing_organisation' });
  });

  it.each([
    ['an unknown field', { tenantId: 'a', connectionId: 'b' }],
    ['an empty tenantId', { tenantId: '' }],
    ['no tenantId', {}],
  ])('rejects %s with VALIDATION_FAILED', async (_what, body) => {
    const { request } = await setup();
    expect(await readProblem(await request('/connection/organisation', json(body, ACCEPT_1_1)))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('is refused to a user who may not manage the connection (FORBIDDEN), like disconnect', async () => {
    const { connectThroughXero, client, emulator, both, second } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    const before = emulator.requests.length;
    await expect(client('viewer').chooseOrganisation({ tenantId: second.tenantId })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(emulator.requests.length).toBe(before);
    await expect(client('viewer').getConnection()).resolves.toMatchObject({ status: 'choosing_organisation' });
  });

  it('is refused without a session (UNAUTHENTICATED)', async () => {
    const { request } = await setup();
    const response = await request('/connection/organisation', { ...json({ tenantId: 'a' }), caller: null });
    expect(await readProblem(response)).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });
});

describe('a reconnect that comes back without the expected organisation', () => {
  it('asks a 1.1 client to choose: organisation_mismatch, tenant = the expected one, organisations = what Xero returned', async () => {
    const { connectThroughXero, client, emulator, first, second } = await twoOrganisations();
    await connectThroughXero();
    const response = await connectThroughXero({ mode: 'reauth', expectedTenantId: first.tenantId, tenantIds: [second.tenantId] });
    expect(readConnectReturn(response.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'connected' });
    await expect(client().getConnection()).resolves.toMatchObject({
      status: 'choosing_organisation',
      reason: 'organisation_mismatch',
      tenant: { tenantId: first.tenantId, tenantName: first.tenantName },
      organisations: [{ tenantId: second.tenantId }],
      lastError: { code: 'XERO_TENANT_MISMATCH' },
    });
    // Accepting the other organisation links it; there is nothing else to remove.
    const before = emulator.requests.length;
    await expect(client().chooseOrganisation({ tenantId: second.tenantId })).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: second.tenantId } });
    expect(deletes(emulator.requests.slice(before))).toEqual([]);
  });

  it('names the expected organisation after the hook\'s reconnect, which disconnects before it goes to Xero', async () => {
    const { connectThroughXero, client, first, second } = await twoOrganisations();
    await connectThroughXero();
    await client().disconnect();
    // Disconnected is disconnected: the organisation is not reported, only remembered for a reconnect.
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'disconnected', tenant: null });
    await connectThroughXero({ mode: 'reauth', expectedTenantId: first.tenantId, tenantIds: [second.tenantId] });
    await expect(client().getConnection()).resolves.toMatchObject({
      status: 'choosing_organisation',
      reason: 'organisation_mismatch',
      tenant: { tenantId: first.tenantId, tenantName: first.tenantName },
    });
  });

  it('expects the stored organisation when the reconnect names none, and can be tried again', async () => {
    const { connectThroughXero, client, first, second } = await twoOrganisations();
    await connectThroughXero();
    await connectThroughXero({ mode: 'reauth', tenantIds: [second.tenantId] });
    await expect(client().getConnection()).resolves.toMatchObject({ reason: 'organisation_mismatch', tenant: { tenantId: first.tenantId } });
    // "Try again" in Xero with the right organisation: a reauth expecting the one shown as `tenant`.
    await connectThroughXero({ mode: 'reauth', tenantIds: [first.tenantId] });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: first.tenantId } });
  });

  it('links the expected organisation when it is among several, for a 1.1 client too', async () => {
    const { connectThroughXero, client, both, second } = await twoOrganisations();
    await connectThroughXero({ tenantIds: [second.tenantId] });
    await connectThroughXero({ mode: 'reauth', tenantIds: both });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: second.tenantId } });
  });
});

describe('DELETE /connection while choosing', () => {
  it('removes every organisation of the grant in Xero and revokes it', async () => {
    const { connectThroughXero, client, emulator, both } = await twoOrganisations();
    await connectThroughXero({ tenantIds: both });
    const ids = emulator.connections().map((entry) => `/connections/${entry.id}`);
    const before = emulator.requests.length;
    await expect(client().disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
    expect(deletes(emulator.requests.slice(before))).toEqual(ids);
    expect(emulator.requests.slice(before).some((entry) => entry.path === '/connect/revocation')).toBe(true);
    expect(emulator.connections()).toEqual([]);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
  });
});
