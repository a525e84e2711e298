import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  CONTRACT_VERSION_HEADER,
  ERROR_CODES,
  createXeroConnectionClient,
  isXeroConnectionError,
  isXeroConnectionUsageError,
  type CallbackRequest,
  type ConnectRequest,
} from '../../src/client';
import { buildConnection, buildProblem, type ConnectionFixtureName } from '../../src/testing/fixtures';
import { BAD_GATEWAY_PAGE, BASE_URL, SIGN_IN_PAGE, connectAnswer, endpoints, type Endpoint } from './support';

// Whatever a backend (or anything in front of it) answers, a call ends in one of two ways: a value
// the contract accepts, or one of the client's typed errors naming the endpoint. Responses are
// built in memory through the fetch option, so each run costs microseconds.

const RUNS = 150;

// Response rejects bodies on these statuses; 1xx cannot be constructed at all.
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

const statusArb = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504),
  fc.integer({ min: 200, max: 599 }),
);

const contentTypeArb = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'text/html; charset=utf-8',
  'text/plain',
  null,
);

const FIXTURE_NAMES: ConnectionFixtureName[] = ['connected', 'needsReauthExpired', 'disconnected', 'neverConnected', 'rateLimited'];

/** Good bodies of every kind the contract has: connections, connect and disconnect answers, problems. */
const goodBodyArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom(...FIXTURE_NAMES).map((name) => buildConnection(name) as Record<string, unknown>),
  fc.constant({ ...connectAnswer }),
  fc.boolean().map((remoteRemoved) => ({ status: 'disconnected', remoteRemoved })),
  fc.constantFrom(...ERROR_CODES).map((code) => buildProblem(code) as Record<string, unknown>),
);

/** Every path to a value inside a JSON object, e.g. ['tenant', 'tenantName']. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

type Mutation = { kind: 'remove' } | { kind: 'replace'; value: unknown } | { kind: 'extra'; key: string; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'remove' as const }),
  fc.record({
    kind: fc.constant('replace' as const),
    // Wrong enum values, wrong types, near-miss strings and arbitrary JSON.
    value: fc.oneof(fc.constantFrom('paused', 'CONNECTED', 'javascript:alert(1)', '', 0, -1, 1.5, true, null, [], {}), fc.jsonValue()),
  }),
  fc.record({ kind: fc.constant('extra' as const), key: fc.string({ minLength: 1, maxLength: 12 }), value: fc.jsonValue() }),
);

/** Applies a mutation at one path of a deep copy of the body. */
function mutate(body: Record<string, unknown>, pick: number, mutation: Mutation): unknown {
  const copy = structuredClone(body);
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length] ?? [];
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], copy) as Record<string, unknown>;
  if (typeof parent !== 'object' || parent === null) return copy;
  const key = path[path.length - 1] ?? '';
  if (mutation.kind === 'remove') Reflect.deleteProperty(parent, key);
  if (mutation.kind === 'replace') parent[key] = mutation.value;
  if (mutation.kind === 'extra') Object.defineProperty(parent, mutation.key, { value: mutation.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const bodyTextArb: fc.Arbitrary<string> = fc.oneof(
  goodBodyArb.map((body) => JSON.stringify(body)),
  fc.tuple(goodBodyArb, fc.nat(), mutationArb).map(([body, pick, mutation]) => JSON.stringify(mutate(body, pick, mutation))),
  fc.tuple(goodBodyArb, fc.nat()).map(([body, cut]) => {
    const text = JSON.stringify(body);
    return text.slice(0, cut % text.length);
  }),
  fc.json(),
  fc.anything().map((value) => {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return String(typeof value);
    }
  }),
  fc.constantFrom(SIGN_IN_PAGE, BAD_GATEWAY_PAGE, '', ' ', 'null', '"ok"', 'OK', '{', '[]', '{"status":"connected"}'),
  fc.string(),
);

const headersArb = fc.record(
  {
    retryAfter: fc.oneof(fc.nat({ max: 100_000 }).map(String), fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', 'soon', '-1', '1.5')),
    version: fc.constantFrom('1.0', '1.9', '2.0', '0.1', '1', 'one', ''),
  },
  { requiredKeys: [] },
);

const answerArb = fc.record({ status: statusArb, contentType: contentTypeArb, body: bodyTextArb, headers: headersArb });

type Answer = typeof answerArb extends fc.Arbitrary<infer T> ? T : never;

function toResponse(answer: Answer): Response {
  const headers = new Headers();
  if (answer.contentType !== null) headers.set('Content-Type', answer.contentType);
  if (answer.headers.retryAfter !== undefined) headers.set('Retry-After', answer.headers.retryAfter);
  if (answer.headers.version !== undefined) headers.set(CONTRACT_VERSION_HEADER, answer.headers.version);
  const body = NULL_BODY_STATUSES.has(answer.status) ? null : answer.body;
  const response = new Response(body, { status: answer.status, headers });
  // new Response() adds text/plain for a string body: take it away again when the answer has none.
  if (answer.contentType === null) response.headers.delete('Content-Type');
  return response;
}

async function outcomeIsTyped(target: Endpoint, answer: Answer): Promise<void> {
  const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false, fetch: async () => toResponse(answer) });
  try {
    const value = await target.call(client);
    expect(target.accepts(value), 'a resolved value passes the contract').toBe(true);
  } catch (error) {
    expect(isXeroConnectionError(error), `a typed error, got ${String(error)}`).toBe(true);
    if (!isXeroConnectionError(error)) return;
    expect(isXeroConnectionUsageError(error), 'an answer is never blamed on the caller').toBe(false);
    expect(error.endpoint).toBe(target.label);
    expect(error.message).toContain(target.label);
  }
}

describe('any answer ends in a contract value or a typed error naming the endpoint', () => {
  it.each(endpoints)('$label', async (target) => {
    await fc.assert(
      fc.asyncProperty(answerArb, (answer) => outcomeIsTyped(target, answer)),
      { numRuns: RUNS },
    );
  });

  it('a good JSON body on 200 always resolves (the property is not vacuous)', async () => {
    const target = endpoints[0];
    if (!target) throw new Error('no endpoints');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIXTURE_NAMES), fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue(), { maxKeys: 3 }), async (name, extra) => {
        const connection = buildConnection(name);
        const body = JSON.stringify({ ...extra, ...connection });
        const client = createXeroConnectionClient({
          baseUrl: BASE_URL,
          retry: false,
          fetch: async () => new Response(body, { headers: { 'Content-Type': 'application/json' } }),
        });
        await expect(client.getConnection()).resolves.toEqual(connection);
      }),
      { numRuns: 50 },
    );
  });

  it('network failures from a custom fetch become network errors naming the endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (thrown) => {
        const client = createXeroConnectionClient({
          baseUrl: BASE_URL,
          retry: false,
          fetch: async () => {
            throw thrown;
          },
        });
        const error: unknown = await client.verify().catch((reason: unknown) => reason);
        expect(isXeroConnectionError(error)).toBe(true);
        expect((error as Error).message).toContain('POST /connection/verify');
      }),
      { numRuns: 50 },
    );
  });
});

describe('any argument ends in a sent call or a usage error', () => {
  const answers = async (input: RequestInfo | URL) => {
    const url = String(input);
    return Response.json(url.endsWith('/connect') ? connectAnswer : buildConnection('connected'));
  };
  const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false, fetch: answers });

  const nearConnectArb = fc.record(
    {
      returnTo: fc.oneof(fc.webUrl(), fc.constantFrom('/settings', 'javascript:alert(1)', ''), fc.string({ unit: 'binary' })),
      mode: fc.oneof(fc.constantFrom('connect', 'reauth'), fc.string()),
      expectedTenantId: fc.oneof(fc.string(), fc.anything()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const nearCallbackArb = fc.record(
    { code: fc.oneof(fc.string(), fc.anything()), state: fc.oneof(fc.string(), fc.anything()), error: fc.string() },
    { requiredKeys: [] },
  );

  async function outcome(call: () => Promise<unknown>, label: string): Promise<void> {
    try {
      await call();
    } catch (error) {
      expect(isXeroConnectionUsageError(error), `a usage error, got ${String(error)}`).toBe(true);
      expect((error as Error).message).toContain(label);
    }
  }

  it('connect', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), nearConnectArb), (request) =>
        outcome(() => client.connect(request as ConnectRequest), 'POST /connect'),
      ),
      { numRuns: 200 },
    );
  });

  it('completeCallback', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), nearCallbackArb), (request) =>
        outcome(() => client.completeCallback(request as CallbackRequest), 'POST /callback'),
      ),
      { numRuns: 200 },
    );
  });

  it('write options: any idempotencyKey', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), (idempotencyKey) => outcome(() => client.verify({ idempotencyKey }), 'POST /connection/verify')),
      { numRuns: 200 },
    );
  });
});
