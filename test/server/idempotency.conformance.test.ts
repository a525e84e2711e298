import { getResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from '../../src/contract';
import { IDEMPOTENCY_WINDOW_MS, IDEMPOTENT_REPLAYED_HEADER } from '../../src/contract/idempotency';
import {
  createMemoryConnectionStore,
  createSqliteConnectionStore,
  type CompletedIdempotencyRecord,
  type ConnectionStore,
  type ConnectSession,
} from '../../src/server';
import { buildConnection, createFakeXeroBackend } from '../../src/testing';
import { controllableStore } from './controllable-store';
import { BASE_PATH, BASE_URL, callers, RETURN_TO, setup, type CallerName } from './support';

// One behaviour suite for the contract's Idempotency-Key rule, run against the reference
// handler (over the Xero emulator) and the ./testing fake (HTTP-shaped Request → Response): both
// answer through src/contract/idempotency.ts, and this proves they do it alike.

interface Held {
  release: () => void;
  /** Resolves once the held request is in progress (its key claimed). */
  reached: Promise<void>;
}

interface BackendUnderTest {
  send(method: string, path: string, init?: { key?: string; body?: unknown; caller?: CallerName }): Promise<Response>;
  /** Makes the connection connected (again), behind the rule's back. */
  connect(): Promise<void>;
  status(): Promise<string>;
  /** Holds the next DELETE /connection in progress until released. */
  holdDisconnect(): Held;
  /** Makes the next DELETE /connection fail with a retryable problem (Xero unavailable). */
  failNextDisconnect(): void;
  advance(ms: number): void;
}

function request(method: string, path: string, init: { key?: string; body?: unknown; headers?: Record<string, string> }): Request {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set('Idempotency-Key', init.key);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return new Request(`${BASE_URL}${path}`, { method, headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
}

async function referenceBackend(): Promise<BackendUnderTest> {
  const control = controllableStore();
  const harness = await setup({ store: control.store });
  return {
    send: (method, path, { key, body, caller = 'admin' } = {}) => {
      const built = request(method, path, { ...(key === undefined ? {} : { key }), body, headers: callers[caller] });
      return harness.handler(built);
    },
    async connect() {
      const back = await harness.connectThroughXero();
      if (back.status !== 302) throw new Error(`connecting answered ${back.status}`);
    },
    status: async () => (await harness.client().getConnection()).status,
    holdDisconnect: () => control.hold(),
    failNextDisconnect: () => harness.emulator.failNext('/connections', { status: 503 }),
    advance: (ms) => harness.emulator.advance(ms),
  };
}

function fakeBackend(): BackendUnderTest {
  let now = Date.parse('2026-11-26T09:30:00Z');
  const backend = createFakeXeroBackend({ baseUrl: BASE_URL, now: () => new Date(now) });
  const send = async (built: Request): Promise<Response> => {
    const response = await getResponse([...backend.handlers], built);
    if (response === undefined) throw new Error(`the fake has no handler for ${built.method} ${built.url}`);
    return response;
  };
  return {
    send: (method, path, { key, body } = {}) => send(request(method, path, { ...(key === undefined ? {} : { key }), body })),
    connect: async () => backend.setConnection(buildConnection('connected', {}, new Date(now))),
    status: async () => backend.getConnection().status,
    holdDisconnect() {
      const before = backend.requestsTo('disconnect').length;
      const release = backend.hold('disconnect');
      const reached = vi.waitFor(() => {
        if (backend.requestsTo('disconnect').length === before) throw new Error('not yet');
      });
      // The key is claimed a few microtasks after the request is recorded.
      return { release, reached: reached.then(() => new Promise((resolve) => setTimeout(resolve, 10))) };
    },
    failNextDisconnect: () => backend.failNext('disconnect', 'XERO_UNAVAILABLE'),
    advance: (ms) => {
      now += ms;
    },
  };
}

async function problemOf(response: Response): Promise<{ status: number; code: string; detail?: string }> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { status: number; code: string; detail?: string };
}

const KEY = '5d0c3f7e-2b8a-4c1d-9e6f-0a1b2c3d4e5f';
const CONNECT_BODY = { returnTo: RETURN_TO, mode: 'connect' };

describe.each([
  ['the reference handler', referenceBackend],
  ['the ./testing fake', async () => fakeBackend()],
] as const)('Idempotency-Key rule: %s', (_name, make) => {
  it('replays the first answer to a repeated key, without acting again', async () => {
    const backend = await make();
    await backend.connect();
    const first = await backend.send('DELETE', '/connection', { key: KEY });
    expect(first.status).toBe(200);
    expect(first.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
    const body: unknown = await first.json();
    expect(body).toEqual({ status: 'disconnected', remoteRemoved: true });

    await backend.connect();
    const again = await backend.send('DELETE', '/connection', { key: KEY });
    expect(again.status).toBe(200);
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(again.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
    await expect(again.json()).resolves.toEqual(body);
    await expect(backend.status()).resolves.toBe('connected');
  });

  it('replays POST /connect: the same authorize URL and state, one round trip', async () => {
    const backend = await make();
    const first = await backend.send('POST', '/connect', { key: KEY, body: CONNECT_BODY });
    const again = await backend.send('POST', '/connect', { key: KEY, body: CONNECT_BODY });
    expect([first.status, again.status]).toEqual([200, 200]);
    await expect(again.json()).resolves.toEqual(await first.json());
  });

  it('refuses the key with another body: 422 VALIDATION_FAILED, saying why', async () => {
    const backend = await make();
    await backend.send('POST', '/connect', { key: KEY, body: CONNECT_BODY });
    const other = await backend.send('POST', '/connect', { key: KEY, body: { ...CONNECT_BODY, mode: 'reauth' } });
    expect(other.status).toBe(422);
    const problem = await problemOf(other);
    expect(problem).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    expect(problem.detail).toMatch(/Idempotency-Key was used for another request/);
  });

  it('keeps keys per route: the same key on another route acts', async () => {
    const backend = await make();
    await backend.connect();
    await backend.send('DELETE', '/connection', { key: KEY });
    const verify = await backend.send('POST', '/connection/verify', { key: KEY });
    expect(verify.status).toBe(200);
    expect(verify.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
  });

  it('refuses a malformed key (empty, over 255 characters) with 400, and accepts 255', async () => {
    const backend = await make();
    for (const key of ['', 'k'.repeat(256)]) {
      const refused = await backend.send('POST', '/connect', { key, body: CONNECT_BODY });
      expect(await problemOf(refused)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', detail: expect.stringContaining('Idempotency-Key') });
    }
    expect((await backend.send('POST', '/connect', { key: 'k'.repeat(255), body: CONNECT_BODY })).status).toBe(200);
  });

  it('forgets a key after 24 hours: the same key then acts', async () => {
    const backend = await make();
    await backend.connect();
    await backend.send('DELETE', '/connection', { key: KEY });
    await backend.connect();
    backend.advance(IDEMPOTENCY_WINDOW_MS - 1000);
    expect((await backend.send('DELETE', '/connection', { key: KEY })).headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    backend.advance(1000);
    const later = await backend.send('DELETE', '/connection', { key: KEY });
    expect(later.status).toBe(200);
    expect(later.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
    await expect(backend.status()).resolves.toBe('disconnected');
  });

  it('answers 409 with Retry-After while the first request is in progress, then replays it', async () => {
    const backend = await make();
    await backend.connect();
    const held = backend.holdDisconnect();
    const first = backend.send('DELETE', '/connection', { key: KEY });
    await held.reached;
    const meanwhile = await backend.send('DELETE', '/connection', { key: KEY });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.headers.get('retry-after')).toBe('1');
    expect(await problemOf(meanwhile)).toMatchObject({ code: 'VALIDATION_FAILED', detail: expect.stringContaining('still in progress') });
    held.release();
    expect((await first).status).toBe(200);
    expect((await backend.send('DELETE', '/connection', { key: KEY })).headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
  });

  it('keeps no retryable failure: the same key acts again', async () => {
    const backend = await make();
    await backend.connect();
    backend.failNextDisconnect();
    const failed = await backend.send('DELETE', '/connection', { key: KEY });
    expect(await problemOf(failed)).toMatchObject({ status: 503, code: 'XERO_UNAVAILABLE' });
    const retried = await backend.send('DELETE', '/connection', { key: KEY });
    expect(retried.status).toBe(200);
    expect(retried.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
  });

  it('keeps no VALIDATION_FAILED answer: the corrected request acts under the same key', async () => {
    const backend = await make();
    const invalid = await backend.send('POST', '/connect', { key: KEY, body: { mode: 'connect' } });
    expect(await problemOf(invalid)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await backend.send('POST', '/connect', { key: KEY, body: CONNECT_BODY })).status).toBe(200);
  });

  it('keeps an outcome problem: a spent or unknown state is answered the same again, as a replay', async () => {
    const backend = await make();
    const body = { code: 'code-1', state: 'state-nobody-started' };
    const first = await backend.send('POST', '/callback', { key: KEY, body });
    expect(await problemOf(first)).toMatchObject({ status: 400, code: 'STATE_MISMATCH' });
    const again = await backend.send('POST', '/callback', { key: KEY, body });
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(await problemOf(again)).toMatchObject({ status: 400, code: 'STATE_MISMATCH' });
  });

  it('ignores a key on a read', async () => {
    const backend = await make();
    await backend.send('GET', '/connection', { key: KEY });
    const again = await backend.send('GET', '/connection', { key: KEY });
    expect(again.status).toBe(200);
    expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
  });
});

describe('Idempotency-Key rule: the reference handler only', () => {
  it('keeps keys per user: another user of the account with the same key acts', async () => {
    const backend = await referenceBackend();
    await backend.connect();
    await backend.send('DELETE', '/connection', { key: KEY });
    await backend.connect();
    const bob = await backend.send('DELETE', '/connection', { key: KEY, caller: 'otherAdmin' });
    expect(bob.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
    await expect(backend.status()).resolves.toBe('disconnected');
  });

  it('keeps no secret: no token, PKCE verifier or client secret in any kept answer', async () => {
    const store = createMemoryConnectionStore();
    const kept: CompletedIdempotencyRecord[] = [];
    const verifiers: ConnectSession[] = [];
    const { client, emulator } = await setup({
      store: {
        ...store,
        putConnectSession: async (session) => {
          verifiers.push(session);
          await store.putConnectSession(session);
        },
        completeIdempotencyKey: async (id, record) => {
          kept.push(record);
          await store.completeIdempotencyKey?.(id, record);
        },
      },
    });
    const { authorizeUrl } = await client().connect(CONNECT_BODY as { returnTo: string; mode: 'connect' });
    const back = new URL(await emulator.approve(authorizeUrl));
    await client().completeCallback({ code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' });
    emulator.advance(31 * 60_000);
    await client().verify();
    const stored = await store.getConnection({ integrationKey: BASE_PATH, accountId: 'default' });
    await client().disconnect();

    expect(kept.map((record) => record.reply.status)).toEqual([200, 200, 200, 200]);
    const secrets = [stored?.tokens?.accessToken, stored?.tokens?.refreshToken, emulator.clientSecret, ...verifiers.map((session) => session.codeVerifier)];
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length > 8)).toBe(true);
    const text = JSON.stringify(kept);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // About 1 KB each: the largest is a connection (two for a multi-organisation choice).
    console.log(`kept answers: ${kept.map((record) => JSON.stringify(record).length).join(', ')} bytes`);
  });

  it('replays with a host store that has no records of its own (in-process fallback), and with SQLite', async () => {
    const memory = createMemoryConnectionStore();
    // What a host-written store has: the required methods alone.
    const plain: ConnectionStore = {
      getConnection: (key) => memory.getConnection(key),
      putConnection: (key, connection) => memory.putConnection(key, connection),
      putConnectSession: (session) => memory.putConnectSession(session),
      takeConnectSession: (state) => memory.takeConnectSession(state),
    };
    const sqlite = await createSqliteConnectionStore({ filename: ':memory:', encryptionKey: 'ab'.repeat(32) });
    try {
      for (const store of [plain, sqlite]) {
        const { request } = await setup({ store });
        const init = { method: 'POST', body: JSON.stringify(CONNECT_BODY), headers: { 'Idempotency-Key': KEY } };
        const first = await request('/connect', init);
        const again = await request('/connect', init);
        expect(again.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
        await expect(again.json()).resolves.toEqual(await first.json());
      }
    } finally {
      sqlite.close();
    }
  });
});
