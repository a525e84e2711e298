import { describe, expect, it } from 'vitest';

import { routes, type RouteName } from '../../src/contract';
import { buildOpenApiDocument } from '../../src/contract/openapi-document';
import { controllableStore } from './controllable-store';
import { ACCEPT_1_1, RETURN_TO, setup, type Harness } from './support';

// "Every status a route can answer is listed on that route": the reference handler is driven into
// each status it can answer, route by route, and the statuses it answered (not a list copied by
// hand) are looked up in the OpenAPI document.

type Operation = RouteName | 'xeroRedirect';
const PATH_AND_METHOD: Record<Operation, { method: string; path: string }> = {
  ...Object.fromEntries(Object.entries(routes).map(([name, route]) => [name, { method: route.method, path: route.path }])),
  xeroRedirect: { method: 'GET', path: '/callback' },
} as Record<Operation, { method: string; path: string }>;

const observed = new Map<Operation, Set<number>>();
function saw(operation: Operation, response: Response): Response {
  const statuses = observed.get(operation) ?? new Set<number>();
  statuses.add(response.status);
  observed.set(operation, statuses);
  return response;
}

const CONNECT_BODY = JSON.stringify({ returnTo: RETURN_TO, mode: 'connect' });

function bodyOf(operation: RouteName, harness: Harness, extra: { state?: string; code?: string; tenantId?: string } = {}): string | undefined {
  if (operation === 'connect') return CONNECT_BODY;
  if (operation === 'completeCallback') return JSON.stringify({ code: extra.code ?? 'code-1', state: extra.state ?? 'state-unknown' });
  if (operation === 'chooseOrganisation') return JSON.stringify({ tenantId: extra.tenantId ?? harness.emulator.organisations[0]?.tenantId ?? '' });
  return undefined;
}

async function call(operation: Operation, harness: Harness, init: RequestInit & { caller?: 'admin' | 'viewer' | null; path?: string } = {}): Promise<Response> {
  const { method, path } = PATH_AND_METHOD[operation];
  const body = operation === 'xeroRedirect' ? undefined : bodyOf(operation, harness);
  return saw(operation, await harness.request(init.path ?? path, { method, ...(body === undefined ? {} : { body }), headers: { accept: ACCEPT_1_1 }, ...init }));
}

const WRITES = (Object.keys(routes) as RouteName[]).filter((name) => routes[name].method !== 'GET');
const WITH_BODY = WRITES.filter((name) => routes[name].body !== null);
const ALL: Operation[] = [...(Object.keys(routes) as RouteName[]), 'xeroRedirect'];

describe('the reference handler answers only statuses its routes list in the OpenAPI document', () => {
  it.each(ALL)('%s: no session (401), another method on its path (405)', async (operation) => {
    const harness = await setup();
    await call(operation, harness, { caller: null });
    const other = await harness.request(PATH_AND_METHOD[operation].path, { method: 'PUT' });
    expect(other.headers.get('allow')).toBeTruthy();
    saw(operation, other);
  });

  it.each([...WRITES.filter((name) => name !== 'verify'), 'xeroRedirect'] as Operation[])('%s: a user who may not manage (403)', async (operation) => {
    const harness = await setup();
    expect((await call(operation, harness, { caller: 'viewer' })).status).toBe(403);
  });

  it.each(WRITES)('%s: a malformed key (400), a reused one (422), one in progress (409), a store failure (500)', async (operation) => {
    const control = controllableStore();
    const harness = await setup({ store: control.store, onError: () => {} });
    // Two organisations: choosing, so that POST /connection/organisation succeeds once.
    const [first, second] = harness.emulator.organisations;
    await harness.connectThroughXero({ tenantIds: [first?.tenantId ?? '', second?.tenantId ?? ''] });
    expect((await call(operation, harness, { headers: { 'idempotency-key': '' } })).status).toBe(400);
    // Reused for another request: only a route with a body can be (method and route are the
    // key's scope), so 422 is reached, and listed, for those alone.
    if (routes[operation].body !== null) {
      expect((await call(operation, harness, { headers: { 'idempotency-key': 'reused' } })).status).not.toBe(422);
      const other = await call(operation, harness, { headers: { 'idempotency-key': 'reused', 'content-type': 'application/json' }, body: `${bodyOf(operation, harness)} ` });
      expect(other.status).toBe(422);
    }
    const key = { 'idempotency-key': `key-${operation}` };
    const held = control.hold();
    const running = call(operation, harness, { headers: key });
    await held.reached;
    expect((await call(operation, harness, { headers: key })).status).toBe(409);
    held.release();
    await running;
    control.breakIt();
    expect((await call(operation, harness)).status).toBe(500);
  });

  it.each(WITH_BODY)('%s: a body that is not JSON (400), not application/json (415), over 64 KiB (413)', async (operation) => {
    const harness = await setup();
    expect((await call(operation, harness, { body: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(operation, harness, { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call(operation, harness, { body: 'x'.repeat(70_000), headers: { 'content-type': 'application/json' } })).status).toBe(413);
  });

  it.each(['verify', 'disconnect'] as const)('%s: Xero rate-limited (429) or unavailable (503)', async (operation) => {
    const harness = await setup();
    await harness.connectThroughXero();
    harness.emulator.failNext('/connections', { status: 429, retryAfterSeconds: 5 });
    expect((await call(operation, harness)).status).toBe(429);
    harness.emulator.failNext('/connections', { status: 503 });
    expect((await call(operation, harness)).status).toBe(503);
    expect((await call(operation, harness)).status).toBe(200);
  });

  it.each(WRITES)('%s: a cross-site request (403, before anything runs)', async (operation) => {
    const harness = await setup();
    expect((await call(operation, harness, { headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('connect: too many round trips pending for one user (429)', async () => {
    const harness = await setup();
    const answers = [];
    for (let index = 0; index < 11; index += 1) answers.push((await call('connect', harness)).status);
    expect(answers.at(-1)).toBe(429);
  });

  it('getConnection (200), connect (200), GET /callback (302, 400 without a state)', async () => {
    const harness = await setup();
    await call('getConnection', harness);
    await call('connect', harness);
    saw('xeroRedirect', await harness.connectThroughXero());
    expect((await call('xeroRedirect', harness)).status).toBe(400);
    const control = controllableStore();
    const broken = await setup({ store: control.store, onError: () => {} });
    control.breakIt();
    expect((await call('getConnection', broken)).status).toBe(500);
  });

  it('POST /callback: connected (200), unknown state (400), expired session (410), another organisation for a 1.0 client (409)', async () => {
    const harness = await setup();
    const [first, second] = harness.emulator.organisations;
    const start = async (body: object, accept?: string) => {
      const started = await harness.request('/connect', { method: 'POST', body: JSON.stringify(body), headers: accept === undefined ? {} : { accept } });
      const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
      return new URL(await harness.emulator.approve(authorizeUrl, { tenantIds: [first?.tenantId ?? ''] })).searchParams;
    };
    const finish = async (params: URLSearchParams, accept?: string) =>
      saw(
        'completeCallback',
        await harness.request('/callback', {
          method: 'POST',
          body: JSON.stringify({ code: params.get('code'), state: params.get('state') }),
          headers: accept === undefined ? {} : { accept },
        }),
      );
    expect((await finish(await start({ returnTo: RETURN_TO, mode: 'connect' }, ACCEPT_1_1), ACCEPT_1_1)).status).toBe(200);
    expect((await call('completeCallback', harness)).status).toBe(400);
    const late = await start({ returnTo: RETURN_TO, mode: 'connect' }, ACCEPT_1_1);
    harness.emulator.advance(11 * 60_000);
    expect((await finish(late, ACCEPT_1_1)).status).toBe(410);
    const mismatch = await start({ returnTo: RETURN_TO, mode: 'reauth', expectedTenantId: second?.tenantId ?? '' });
    expect((await finish(mismatch)).status).toBe(409);
  });

  it('POST /connection/organisation: chosen (200), nothing to choose (400), not offered (404)', async () => {
    const harness = await setup();
    expect((await call('chooseOrganisation', harness)).status).toBe(400);
    const [first, second] = harness.emulator.organisations;
    await harness.connectThroughXero({ tenantIds: [first?.tenantId ?? '', second?.tenantId ?? ''] });
    const choose = (tenantId: string) => call('chooseOrganisation', harness, { body: JSON.stringify({ tenantId }), headers: { 'content-type': 'application/json', accept: ACCEPT_1_1 } });
    expect((await choose('tenant-nobody-offered')).status).toBe(404);
    expect((await choose(second?.tenantId ?? '')).status).toBe(200);
  });

  it('lists each status answered above on its route', () => {
    const document = buildOpenApiDocument();
    const missing: string[] = [];
    for (const [operation, statuses] of observed) {
      const { method, path } = PATH_AND_METHOD[operation];
      const listed = Object.keys((document.paths[path]?.[method.toLowerCase()] as { responses?: object } | undefined)?.responses ?? {});
      for (const status of statuses) if (!listed.includes(String(status))) missing.push(`${method} ${path} answered ${status}, not listed`);
    }
    expect(missing).toEqual([]);
    // Every route was driven.
    expect([...observed.keys()].sort()).toEqual([...ALL].sort());
  });
});
