import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { readConnectReturn } from '../../src/client';
import { CONTRACT_ACCEPT, CONTRACT_VERSION, CONTRACT_VERSION_HEADER, ERROR_CODE_INFO, PROBLEM_CONTENT_TYPE, type ErrorCode } from '../../src/contract';
import type { BackendTarget, Caller, ConsentAnswer } from './backend-target';
import { fakeTarget, referenceTarget, urlTarget, urlTargetSettings } from './targets';

// One behaviour suite for every backend of the contract: the same scenarios, by HTTP, with the same
// expectations, against the reference handler over the Xero emulator and against the ./testing
// fake (and, with XERO_CONNECTION_CONFORMANCE_URL, a backend in any language: docs/contract.md,
// "Run the conformance suite against your backend"). Where a target cannot produce an answer
// (the fake has no sessions, no grant, no clock), the scenario is not registered for it (never
// faked, and never a skipped test that looks like a pass).

const ACCEPT_1_0 = 'application/json, application/problem+json';
const MINUTE_MS = 60_000;

interface Send {
  caller?: Caller;
  body?: unknown;
  /** `1.0`: no contract in `Accept`, as a client from before organisation choice. */
  contract?: '1.0' | '1.1';
}

function scenarios(target: BackendTarget): void {
  const send = (method: string, path: string, { caller = 'admin', body, contract = '1.1' }: Send = {}) => {
    const headers = new Headers({ ...target.sessionHeaders(caller), accept: contract === '1.1' ? CONTRACT_ACCEPT : ACCEPT_1_0 });
    if (body !== undefined) headers.set('content-type', 'application/json');
    return target.fetch(new Request(`${target.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  };

  const answer = async (response: Response): Promise<Record<string, unknown>> => {
    expect(response.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
    expect(response.status, `${response.status}: ${await response.clone().text()}`).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  const expectProblem = async (response: Response, code: ErrorCode) => {
    expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(response.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
    expect(await response.json()).toMatchObject({ code, status: ERROR_CODE_INFO[code].status });
    expect(response.status).toBe(ERROR_CODE_INFO[code].status);
  };

  const connection = async (caller: Caller = 'admin') => answer(await send('GET', '/connection', { caller }));

  /** POST /connect, then the user answers Xero's consent screen: Xero's redirect to the backend's callback. */
  const consentFor = async (consent: ConsentAnswer, request: { mode?: 'connect' | 'reauth'; expectedTenantId?: string; contract?: '1.0' | '1.1' } = {}) => {
    const { mode = 'connect', expectedTenantId, contract = '1.1' } = request;
    const returnTo = `${target.returnTo}?tab=xero`;
    const started = await answer(
      await send('POST', '/connect', { contract, body: { returnTo, mode, ...(expectedTenantId === undefined ? {} : { expectedTenantId }) } }),
    );
    expect(started).toMatchObject({ authorizeUrl: expect.any(String), state: expect.any(String), expiresAt: expect.any(String) });
    return { returnTo, state: started.state as string, callbackUrl: await target.consent(started.authorizeUrl as string, consent) };
  };

  /** The whole round trip by Xero's redirect: where the browser lands, read as the card reads it. */
  const roundTrip = async (consent: ConsentAnswer, request: Parameters<typeof consentFor>[1] = {}) => {
    const { returnTo, callbackUrl } = await consentFor(consent, request);
    const landed = await target.followCallback(callbackUrl, 'admin');
    // returnTo's own query is kept; ours is appended.
    expect(new URL(landed).searchParams.get('tab')).toBe('xero');
    expect(landed.startsWith(`${returnTo}&xero=`)).toBe(true);
    return readConnectReturn(landed)?.outcome;
  };

  /** The same round trip finished by POST /callback {code, state}, for hosts that route the redirect to a page of theirs. */
  const callbackJson = async (consent: ConsentAnswer, request: Parameters<typeof consentFor>[1] = {}) => {
    const { callbackUrl } = await consentFor(consent, request);
    const params = new URL(callbackUrl).searchParams;
    const body = { code: params.get('code'), state: params.get('state') };
    return { body, response: await send('POST', '/callback', { body, contract: request.contract ?? '1.1' }) };
  };

  // The two organisations Xero can grant, known once the target is up.
  let first = '';
  let second = '';
  const named = (index: 0 | 1) => ({ tenantId: target.organisations[index].tenantId, tenantName: target.organisations[index].tenantName });
  const connectFirst = async (contract: '1.0' | '1.1' = '1.1') => expect(await roundTrip({ allow: [first] }, { contract })).toEqual({ kind: 'connected' });

  beforeEach(async () => {
    await target.reset();
    [first, second] = target.organisations.map((organisation) => organisation.tenantId) as [string, string];
  });

  describe('connect', () => {
    it('a consent to one organisation links it: ?xero=connected, then GET /connection says connected', async () => {
      await connectFirst();
      expect(await connection()).toMatchObject({ status: 'connected', reason: null, tenant: named(0), refreshTokenExpiresAt: expect.any(String) });
    });

    it('POST /callback {code, state} answers the connection it linked', async () => {
      const { response } = await callbackJson({ allow: [second] });
      expect(await answer(response)).toMatchObject({ status: 'connected', tenant: named(1) });
      expect(await connection()).toMatchObject({ status: 'connected', tenant: named(1) });
    });

    it('a 1.0 client given two organisations gets the first, as before organisation choice', async () => {
      expect(await roundTrip({ allow: [first, second] }, { contract: '1.0' })).toEqual({ kind: 'connected' });
      expect(await connection()).toMatchObject({ status: 'connected', tenant: named(0) });
    });
  });

  describe('choose an organisation (contract 1.1)', () => {
    it('a consent to two organisations waits for a choice; POST /connection/organisation links the chosen one', async () => {
      expect(await roundTrip({ allow: [first, second] })).toEqual({ kind: 'connected' });
      const waiting = await connection();
      expect(waiting).toMatchObject({ status: 'choosing_organisation', reason: 'multiple_organisations', tenant: null });
      // In Xero's order, which a Xero that remembers earlier consents may change: compared as a set.
      expect((waiting.organisations as { tenantId: string }[]).map((organisation) => organisation.tenantId).sort()).toEqual([first, second].sort());

      expect(await answer(await send('POST', '/connection/organisation', { body: { tenantId: second } }))).toMatchObject({ status: 'connected', reason: null, tenant: named(1) });
      const linked = await connection();
      expect(linked).toMatchObject({ status: 'connected', tenant: named(1) });
      expect(linked).not.toHaveProperty('organisations');
    });

    it('over a live connection, the choice names the organisation linked before as tenant; after a disconnect, none', async () => {
      await connectFirst();
      await roundTrip({ allow: [first, second] });
      expect(await connection()).toMatchObject({ status: 'choosing_organisation', reason: 'multiple_organisations', tenant: named(0) });

      await answer(await send('DELETE', '/connection'));
      await roundTrip({ allow: [first, second] });
      expect(await connection()).toMatchObject({ status: 'choosing_organisation', reason: 'multiple_organisations', tenant: null });
    });
  });

  describe('reconnect (mode reauth)', () => {
    it('granted the expected organisation, it links it again', async () => {
      await connectFirst();
      expect(await roundTrip({ allow: [first] }, { mode: 'reauth', expectedTenantId: first })).toEqual({ kind: 'connected' });
      expect(await connection()).toMatchObject({ status: 'connected', tenant: named(0) });
    });

    it('granted another organisation, a 1.1 client is asked to choose: organisation_mismatch, naming the expected one', async () => {
      await connectFirst();
      expect(await roundTrip({ allow: [second] }, { mode: 'reauth', expectedTenantId: first })).toEqual({ kind: 'connected' });
      const waiting = await connection();
      expect(waiting).toMatchObject({ status: 'choosing_organisation', reason: 'organisation_mismatch', tenant: named(0), lastError: { code: 'XERO_TENANT_MISMATCH' } });
      expect((waiting.organisations as { tenantId: string }[]).map((organisation) => organisation.tenantId)).toEqual([second]);
    });

    it('a reconnect that names no organisation expects the one linked before', async () => {
      await connectFirst();
      await roundTrip({ allow: [second] }, { mode: 'reauth' });
      expect(await connection()).toMatchObject({ status: 'choosing_organisation', reason: 'organisation_mismatch', tenant: named(0) });
    });

    it('after a disconnect (the hook’s reconnect), the mismatch still names the expected organisation', async () => {
      await connectFirst();
      await answer(await send('DELETE', '/connection'));
      await roundTrip({ allow: [second] }, { mode: 'reauth', expectedTenantId: first });
      expect(await connection()).toMatchObject({ status: 'choosing_organisation', reason: 'organisation_mismatch', tenant: named(0) });
    });

    it('granted another organisation, a 1.0 client gets XERO_TENANT_MISMATCH (redirect and POST /callback) and keeps its connection', async () => {
      await connectFirst('1.0');
      expect(await roundTrip({ allow: [second] }, { mode: 'reauth', expectedTenantId: first, contract: '1.0' })).toEqual({ kind: 'failed', code: 'XERO_TENANT_MISMATCH' });
      const { response } = await callbackJson({ allow: [second] }, { mode: 'reauth', expectedTenantId: first, contract: '1.0' });
      await expectProblem(response, 'XERO_TENANT_MISMATCH');
      expect(await connection()).toMatchObject({ status: 'connected', tenant: named(0) });
    });
  });

  describe('disconnect', () => {
    it('DELETE /connection disconnects a live connection, Xero told; GET /connection then says user_disconnected', async () => {
      await connectFirst();
      expect(await answer(await send('DELETE', '/connection'))).toEqual({ status: 'disconnected', remoteRemoved: true });
      expect(await connection()).toMatchObject({ status: 'disconnected', reason: 'user_disconnected', tenant: null });
    });
  });

  describe('verify', () => {
    it('POST /connection/verify confirms a live connection', async () => {
      await connectFirst();
      expect(await answer(await send('POST', '/connection/verify'))).toMatchObject({ status: 'connected', tenant: named(0), checkedAt: expect.any(String) });
    });

    it('verifying a disconnected connection changes nothing', async () => {
      await connectFirst();
      await answer(await send('DELETE', '/connection'));
      expect(await answer(await send('POST', '/connection/verify'))).toMatchObject({ status: 'disconnected', tenant: null });
    });
  });

  describe('each error code', () => {
    it('XERO_ACCESS_DENIED: Cancel on Xero’s consent screen comes back as ?xero=error&code=XERO_ACCESS_DENIED, and nothing changes', async () => {
      await connectFirst();
      expect(await roundTrip('cancel')).toEqual({ kind: 'cancelled', reason: 'consent_denied' });
      expect(await connection()).toMatchObject({ status: 'connected', tenant: named(0) });
    });

    it('STATE_MISMATCH: POST /callback with a state no round trip started, or one already used', async () => {
      await expectProblem(await send('POST', '/callback', { body: { code: 'some-code', state: 'never-issued' } }), 'STATE_MISMATCH');
      const { body, response } = await callbackJson({ allow: [first] });
      await answer(response);
      await expectProblem(await send('POST', '/callback', { body }), 'STATE_MISMATCH');
    });

    it('VALIDATION_FAILED: a body that breaks the contract, or a choice with nothing to choose', async () => {
      await expectProblem(await send('POST', '/connect', { body: { returnTo: target.returnTo, mode: 'sideways' } }), 'VALIDATION_FAILED');
      await expectProblem(await send('POST', '/callback', { body: { state: 'no-code' } }), 'VALIDATION_FAILED');
      await expectProblem(await send('POST', '/connection/organisation', { body: { tenantId: first } }), 'VALIDATION_FAILED');
    });

    it('XERO_TENANT_NOT_FOUND: choosing an organisation the consent did not grant, and the choice still waits', async () => {
      await roundTrip({ allow: [first, second] });
      await expectProblem(await send('POST', '/connection/organisation', { body: { tenantId: 'not-granted' } }), 'XERO_TENANT_NOT_FOUND');
      expect(await connection()).toMatchObject({ status: 'choosing_organisation' });
    });

    // The ./testing fake has no sessions: it stands for a signed-in admin (its failNext can answer
    // these codes, but that is the test choosing them, not the backend).
    if (target.sessions) describe('sessions', () => {
      it('UNAUTHENTICATED: no session, no answer, on every endpoint', async () => {
        await expectProblem(await send('GET', '/connection', { caller: 'anonymous' }), 'UNAUTHENTICATED');
        await expectProblem(await send('POST', '/connection/verify', { caller: 'anonymous' }), 'UNAUTHENTICATED');
        await expectProblem(await send('POST', '/connect', { caller: 'anonymous', body: { returnTo: target.returnTo, mode: 'connect' } }), 'UNAUTHENTICATED');
      });

      it('FORBIDDEN: a viewer may read and verify, never connect, choose or disconnect', async () => {
        await connectFirst();
        expect(await connection('viewer')).toMatchObject({ status: 'connected' });
        expect(await answer(await send('POST', '/connection/verify', { caller: 'viewer' }))).toMatchObject({ status: 'connected' });
        await expectProblem(await send('POST', '/connect', { caller: 'viewer', body: { returnTo: target.returnTo, mode: 'connect' } }), 'FORBIDDEN');
        await expectProblem(await send('POST', '/connection/organisation', { caller: 'viewer', body: { tenantId: first } }), 'FORBIDDEN');
        await expectProblem(await send('DELETE', '/connection', { caller: 'viewer' }), 'FORBIDDEN');
        expect(await connection()).toMatchObject({ status: 'connected' });
      });
    });

    // Only an emulated Xero can revoke a grant or fail a token call; the fake holds no grant.
    if (target.xero?.revokeGrant !== undefined) it('XERO_INVALID_GRANT: the grant died at Xero while the user chose', async () => {
      await roundTrip({ allow: [first, second] });
      target.xero?.revokeGrant?.();
      await expectProblem(await send('POST', '/connection/organisation', { body: { tenantId: first } }), 'XERO_INVALID_GRANT');
      expect(await connection()).toMatchObject({ status: 'needs_reauth' });
    });

    // What Xero's token endpoint answers when the code is exchanged, and the code the round trip
    // ends with: the contract's table of OAuth errors (src/contract/round-trip-rules.ts).
    if (target.xero?.failNextTokenCall !== undefined) it.each([
      [{ status: 503 }, 'XERO_UNAVAILABLE'],
      [{ status: 400, error: 'invalid_client' }, 'XERO_INVALID_CLIENT'],
      [{ status: 400, error: 'invalid_grant' }, 'XERO_INVALID_GRANT'],
      // Xero calls the request malformed: the integration's fault, not an outage to wait out.
      [{ status: 400, error: 'invalid_request' }, 'INTERNAL'],
    ] as const)('Xero’s token endpoint answering %j ends the round trip %s', async (failure, code) => {
      const { callbackUrl } = await consentFor({ allow: [first] });
      target.xero?.failNextTokenCall?.(failure);
      const params = new URL(callbackUrl).searchParams;
      await expectProblem(await send('POST', '/callback', { body: { code: params.get('code'), state: params.get('state') } }), code);
    });

    // The fake's round trips never expire; a backend by URL keeps its own clock.
    if (target.xero?.advanceClock !== undefined) it('CONNECT_SESSION_EXPIRED: the user came back after the round trip’s time', async () => {
      const { callbackUrl } = await consentFor({ allow: [first] });
      target.xero?.advanceClock?.(11 * MINUTE_MS);
      expect(readConnectReturn(await target.followCallback(callbackUrl, 'admin'))?.outcome).toEqual({ kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' });
    });
  });
}

describe('conformance: the reference handler over the Xero emulator', () => {
  const target = referenceTarget();
  afterAll(() => target.close());
  scenarios(target);
});

describe('conformance: the ./testing fake backend', () => {
  const target = fakeTarget();
  beforeAll(() => target.listen());
  afterAll(() => target.close());
  scenarios(target);
});

const settings = urlTargetSettings();
if (settings !== null) describe(`conformance: the backend at ${settings?.baseUrl ?? 'XERO_CONNECTION_CONFORMANCE_URL'}`, () => {
  if (settings === null) return;
  const target = urlTarget(settings);
  beforeAll(() => target.start());
  afterAll(() => target.close());
  scenarios(target);
});
