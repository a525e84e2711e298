import { http, HttpResponse, type HttpResponseResolver } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

import {
  PROBLEM_CONTENT_TYPE,
  connectionSchema,
  connectResponseSchema,
  disconnectResponseSchema,
  type ConnectResponse,
  type DisconnectResponse,
  type Problem,
  type RouteLabel,
  type RouteName,
} from '../../src/contract';
import type { WriteRequestOptions, XeroConnectionClient } from '../../src/client';
import { buildConnection, demoTenant } from '../../src/testing/fixtures';

// Shared by the client's msw tests: one happy-path handler per endpoint, the endpoints as a
// table (so "every method" tests loop over it), and small helpers for the answers and errors.

/** The integration's absolute base URL in Node tests (no page location to resolve a path against). */
export const BASE_URL = 'https://portal.example/api/integrations/xero-billing';

/** A valid `POST /connect` answer. */
export const connectAnswer: ConnectResponse = {
  authorizeUrl:
    'https://login.xero.com/identity/connect/authorize?response_type=code&client_id=portal&state=state-123&code_challenge=abc&code_challenge_method=S256',
  state: 'state-123',
  expiresAt: '2026-11-26T09:40:00Z',
};

/** A valid `DELETE /connection` answer. */
export const disconnectAnswer: DisconnectResponse = { status: 'disconnected', remoteRemoved: true };

type HttpVerb = 'get' | 'post' | 'delete';

/** One contract endpoint, as the tests see it. */
export interface Endpoint {
  /** The client method's name. */
  readonly name: RouteName;
  /** How errors name it. */
  readonly label: RouteLabel;
  readonly verb: HttpVerb;
  readonly url: string;
  /** Calls the method with valid arguments. */
  readonly call: (client: XeroConnectionClient, options?: WriteRequestOptions) => Promise<unknown>;
  /** A good answer's body. */
  readonly good: () => Record<string, unknown>;
  /** Whether the schema of the answer accepts a value. */
  readonly accepts: (value: unknown) => boolean;
  /** A good body with one field of the wrong type, and that field's dotted path. */
  readonly wrongType: { body: () => Record<string, unknown>; path: string };
}

const connectionWrongType = {
  body: () => ({ ...buildConnection('connected'), refreshTokenLifetimeDays: '60' }),
  path: 'refreshTokenLifetimeDays',
};

/** Every endpoint the client calls. */
export const endpoints: readonly Endpoint[] = [
  {
    name: 'getConnection',
    label: 'GET /connection',
    verb: 'get',
    url: `${BASE_URL}/connection`,
    call: (client, options) => client.getConnection(options),
    good: () => buildConnection('connected'),
    accepts: (value) => connectionSchema.safeParse(value).success,
    wrongType: connectionWrongType,
  },
  {
    name: 'connect',
    label: 'POST /connect',
    verb: 'post',
    url: `${BASE_URL}/connect`,
    call: (client, options) =>
      client.connect({ returnTo: 'https://portal.example/settings/integrations', mode: 'connect' }, options),
    good: () => ({ ...connectAnswer }),
    accepts: (value) => connectResponseSchema.safeParse(value).success,
    wrongType: { body: () => ({ ...connectAnswer, state: 42 }), path: 'state' },
  },
  {
    name: 'completeCallback',
    label: 'POST /callback',
    verb: 'post',
    url: `${BASE_URL}/callback`,
    call: (client, options) => client.completeCallback({ code: 'xero-code-1', state: 'state-123' }, options),
    good: () => buildConnection('connected'),
    accepts: (value) => connectionSchema.safeParse(value).success,
    wrongType: connectionWrongType,
  },
  {
    name: 'disconnect',
    label: 'DELETE /connection',
    verb: 'delete',
    url: `${BASE_URL}/connection`,
    call: (client, options) => client.disconnect(options),
    good: () => ({ ...disconnectAnswer }),
    accepts: (value) => disconnectResponseSchema.safeParse(value).success,
    wrongType: { body: () => ({ status: 'disconnected', remoteRemoved: 'yes' }), path: 'remoteRemoved' },
  },
  {
    name: 'verify',
    label: 'POST /connection/verify',
    verb: 'post',
    url: `${BASE_URL}/connection/verify`,
    call: (client, options) => client.verify(options),
    good: () => buildConnection('connected'),
    accepts: (value) => connectionSchema.safeParse(value).success,
    wrongType: connectionWrongType,
  },
  {
    name: 'chooseOrganisation',
    label: 'POST /connection/organisation',
    verb: 'post',
    url: `${BASE_URL}/connection/organisation`,
    call: (client, options) => client.chooseOrganisation({ tenantId: demoTenant.tenantId }, options),
    good: () => buildConnection('connected'),
    accepts: (value) => connectionSchema.safeParse(value).success,
    wrongType: connectionWrongType,
  },
];

// A new route must join the table above, or "every endpoint" tests would skip it silently.
const covered: Record<RouteName, true> = {
  getConnection: true,
  connect: true,
  completeCallback: true,
  disconnect: true,
  verify: true,
  chooseOrganisation: true,
};
if (endpoints.length !== Object.keys(covered).length) throw new Error('test/client/support.ts: every route needs an entry in `endpoints`');

/** The endpoint entry for a client method. */
export function endpoint(name: Endpoint['name']): Endpoint {
  const found = endpoints.find((entry) => entry.name === name);
  if (!found) throw new Error(`no endpoint named ${name}`);
  return found;
}

/** An msw handler for one endpoint. */
export function answer(target: Endpoint, resolver: HttpResponseResolver) {
  return http[target.verb](target.url, resolver);
}

/** The happy path: every endpoint answers a good body. */
export const happyHandlers = endpoints.map((target) => answer(target, () => HttpResponse.json(target.good())));

/** Starts an msw server with the happy path for the file; unhandled requests fail the test. */
export function setupMswServer(): SetupServer {
  const server = setupServer(...happyHandlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** An `application/problem+json` answer with the problem's status (500 if it has none). */
export function problemAnswer(problem: Problem | Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return new HttpResponse(JSON.stringify(problem), {
    status: typeof problem.status === 'number' ? problem.status : 500,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/** What an SSO proxy answers instead of the API when the session is gone: a 200 HTML sign-in page. */
export const SIGN_IN_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login"><input name="user"></form></body></html>';

/** A load balancer's error page. */
export const BAD_GATEWAY_PAGE = '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';

/** The reason a promise rejected with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

/** Asserts `value` passes `guard` and returns it narrowed. */
export function narrow<T>(value: unknown, guard: (value: unknown) => value is T): T {
  expect(guard(value), `${guard.name}(${value instanceof Error ? `${value.name}: ${value.message}` : String(value)})`).toBe(true);
  return value as T;
}

/** A fetch that records each request and answers from `respond`, for tests that do not need msw. */
export function recordingFetch(respond: (request: Request) => Response | Promise<Response> = () => Response.json(buildConnection('connected'))) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    requests.push(request);
    return respond(request);
  };
  return { fetch, requests };
}
