import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { createXeroConnectionClient, isXeroConnectionUsageError } from '../../src/client';
import { BASE_URL, answer, endpoint, endpoints, narrow, recordingFetch, rejectionOf, setupMswServer } from './support';

const server = setupMswServer();
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const writes = endpoints.filter((target) => target.verb !== 'get');
const withBody = new Set(['connect', 'completeCallback', 'chooseOrganisation']);

/** Records the headers of every request to an endpoint, answering it well. */
function recordHeaders(target = endpoint('getConnection')): Headers[] {
  const seen: Headers[] = [];
  server.use(
    answer(target, ({ request }) => {
      seen.push(request.headers);
      return HttpResponse.json(target.good());
    }),
  );
  return seen;
}

describe('Idempotency-Key', () => {
  const client = createXeroConnectionClient({ baseUrl: BASE_URL });

  it.each(writes)('$label carries a fresh UUID, different on each call', async (target) => {
    const seen = recordHeaders(target);

    await target.call(client);
    await target.call(client);

    const [first, second] = seen.map((headers) => headers.get('idempotency-key'));
    expect(first).toMatch(UUID_V4);
    expect(second).toMatch(UUID_V4);
    expect(first).not.toBe(second);
  });

  it.each(writes)('$label sends a given idempotencyKey as is', async (target) => {
    const seen = recordHeaders(target);

    await target.call(client, { idempotencyKey: 'disconnect-billing-2026-11-26' });

    expect(seen[0]?.get('idempotency-key')).toBe('disconnect-billing-2026-11-26');
  });

  it('GET /connection carries no Idempotency-Key', async () => {
    const seen = recordHeaders();

    await client.getConnection();

    expect(seen[0]?.has('idempotency-key')).toBe(false);
  });

  it('an idempotencyKey that cannot be a header value is a usage error, and nothing is sent', async () => {
    const seen = recordHeaders(endpoint('disconnect'));

    const error = narrow(await rejectionOf(client.disconnect({ idempotencyKey: 'line\nbreak' })), isXeroConnectionUsageError);

    expect(error.endpoint).toBe('DELETE /connection');
    expect(error.message).toContain('idempotencyKey');
    expect(seen).toHaveLength(0);
  });
});

describe('Accept and Content-Type', () => {
  const client = createXeroConnectionClient({ baseUrl: BASE_URL });

  it.each(endpoints)('$label accepts JSON (announcing contract 1.1) and problem+json, and declares a JSON body only when it sends one', async (target) => {
    const seen = recordHeaders(target);

    await target.call(client);

    expect(seen[0]?.get('accept')).toBe('application/json; contract=1.1, application/problem+json');
    expect(seen[0]?.get('content-type')).toBe(withBody.has(target.name) ? 'application/json' : null);
  });

  it('a caller’s Accept header does not replace the contract’s', async () => {
    const seen = recordHeaders();
    const custom = createXeroConnectionClient({ baseUrl: BASE_URL, headers: { Accept: 'text/html' } });

    await custom.getConnection();

    expect(seen[0]?.get('accept')).toBe('application/json; contract=1.1, application/problem+json');
  });
});

describe('the headers option', () => {
  it.each<[string, HeadersInit]>([
    ['an object', { Authorization: 'Bearer abc', 'X-Portal-Tenant': 'care-1' }],
    ['a Headers instance', new Headers({ Authorization: 'Bearer abc', 'X-Portal-Tenant': 'care-1' })],
    ['an array of pairs', [['Authorization', 'Bearer abc'], ['X-Portal-Tenant', 'care-1']]],
  ])('sends the headers given as %s with every request', async (_case, headers) => {
    const seen = recordHeaders();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, headers });

    await client.getConnection();
    await client.getConnection();

    expect(seen.map((sent) => sent.get('authorization'))).toEqual(['Bearer abc', 'Bearer abc']);
    expect(seen[1]?.get('x-portal-tenant')).toBe('care-1');
  });

  it('calls an async headers function before each request, so a short-lived token is always fresh', async () => {
    const seen = recordHeaders(endpoint('verify'));
    let issued = 0;
    const client = createXeroConnectionClient({
      baseUrl: BASE_URL,
      headers: async () => {
        issued += 1;
        return { Authorization: `Bearer token-${issued}` };
      },
    });

    await client.verify();
    await client.verify();

    expect(issued).toBe(2);
    expect(seen.map((sent) => sent.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it.each<[string, () => HeadersInit | Promise<HeadersInit>]>([
    ['throws', () => {
      throw new Error('session store unavailable');
    }],
    ['rejects', () => Promise.reject(new Error('session store unavailable'))],
  ])('a headers function that %s is a usage error naming the endpoint, and nothing is sent', async (_case, headers) => {
    const seen = recordHeaders();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, headers });

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionUsageError);

    expect(error.endpoint).toBe('GET /connection');
    expect(error.message).toBe('GET /connection: the headers option threw before the request was sent');
    expect(error.cause).toEqual(new Error('session store unavailable'));
    expect(seen).toHaveLength(0);
  });

  it.each<[string, HeadersInit]>([
    ['a name with a space', { 'X Bad Name': '1' }],
    ['a value with a line break', { Authorization: 'Bearer a\r\nX-Injected: 1' }],
  ])('headers with %s are a usage error, not a raw TypeError', async (_case, headers) => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, headers: () => headers });

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionUsageError);

    expect(error.endpoint).toBe('GET /connection');
    expect(error.message).toContain('headers');
  });
});

describe('credentials', () => {
  it('sends cookies to the same origin by default', async () => {
    const recorder = recordingFetch();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, fetch: recorder.fetch });

    await client.getConnection();

    expect(recorder.requests[0]?.credentials).toBe('same-origin');
  });

  it('passes the credentials option through', async () => {
    const recorder = recordingFetch();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, fetch: recorder.fetch, credentials: 'include' });

    await client.getConnection();

    expect(recorder.requests[0]?.credentials).toBe('include');
  });

  it('uses the fetch option instead of the global fetch, with the method and URL of the route', async () => {
    const recorder = recordingFetch(() => HttpResponse.json({ status: 'disconnected', remoteRemoved: true }));
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, fetch: recorder.fetch });

    await client.disconnect();

    expect(recorder.requests.map((request) => `${request.method} ${request.url}`)).toEqual([`DELETE ${BASE_URL}/connection`]);
  });
});

describe('an empty idempotencyKey', () => {
  it('is a usage error, and nothing is sent', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL });

    const error = narrow(await rejectionOf(client.disconnect({ idempotencyKey: '' })), isXeroConnectionUsageError);

    expect(error.message).toBe('DELETE /connection: idempotencyKey must not be empty');
  });
});
