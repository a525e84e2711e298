import { afterEach } from 'vitest';

import { createXeroConnectionClient, type XeroConnectionClient } from '../../src/client';
import { CONTRACT_VERSION_HEADER } from '../../src/contract';
import { createXeroConnectionHandler, type XeroConnectionHandler, type XeroConnectionHandlerOptions } from '../../src/server';
import { startXeroEmulator, type XeroEmulator } from '../../src/server/emulator/xero-emulator';

export const PORTAL = 'https://portal.example';
export const BASE_PATH = '/api/integrations/xero-billing';
export const BASE_URL = `${PORTAL}${BASE_PATH}`;
export const REDIRECT_URI = `${BASE_URL}/callback`;
export const RETURN_TO = `${PORTAL}/settings/integrations?tab=xero`;

/** Test callers, by the header the test `authenticate` reads. */
export const callers = {
  admin: { 'x-test-user': 'alice', 'x-test-manage': '1' },
  otherAdmin: { 'x-test-user': 'bob', 'x-test-manage': '1' },
  viewer: { 'x-test-user': 'carol', 'x-test-manage': '0' },
} as const;

export type CallerName = keyof typeof callers;

export interface Harness {
  emulator: XeroEmulator;
  handler: XeroConnectionHandler;
  /** The package's own typed client, as `caller`, calling the handler directly. */
  client(caller?: CallerName): XeroConnectionClient;
  /** A raw request to the handler as `caller` (`null`: no session). */
  request(path: string, init?: RequestInit & { caller?: CallerName | null }): Promise<Response>;
  /** POST /connect → Allow in the emulator → GET /callback; returns the callback's response. */
  connectThroughXero(options?: { caller?: CallerName; tenantIds?: string[] }): Promise<Response>;
}

const open: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

/** An emulator and a handler pointed at it, sharing one clock. */
export async function setup(overrides: Partial<XeroConnectionHandlerOptions> = {}): Promise<Harness> {
  const emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI], now: new Date('2026-11-26T09:30:00Z'), frozenClock: true });
  open.push(emulator);
  const handler = createXeroConnectionHandler({
    basePath: BASE_PATH,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    redirectUri: REDIRECT_URI,
    scopes: ['accounting.invoices', 'accounting.contacts'],
    endpoints: emulator.endpoints,
    clock: emulator.now,
    authenticate(request) {
      const userId = request.headers.get('x-test-user');
      if (userId === null) return null;
      return { userId, canManage: request.headers.get('x-test-manage') === '1', displayName: `User ${userId}` };
    },
    ...overrides,
  });

  const request: Harness['request'] = (path, init = {}) => {
    const { caller = 'admin', ...rest } = init;
    const headers = new Headers(rest.headers);
    if (caller !== null) for (const [name, value] of Object.entries(callers[caller])) headers.set(name, value);
    if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return handler(new Request(path.startsWith('http') ? path : `${BASE_URL}${path}`, { ...rest, headers }));
  };

  const client: Harness['client'] = (caller = 'admin') =>
    createXeroConnectionClient({
      baseUrl: BASE_URL,
      headers: callers[caller],
      retry: false,
      fetch: (input, init) => handler(new Request(input, init)),
    });

  return {
    emulator,
    handler,
    client,
    request,
    async connectThroughXero({ caller = 'admin', tenantIds } = {}) {
      const { authorizeUrl } = await client(caller).connect({ returnTo: RETURN_TO, mode: 'connect' });
      const back = await emulator.approve(authorizeUrl, tenantIds === undefined ? {} : { tenantIds });
      return request(back, { caller });
    },
  };
}

/** Checks a problem response: status, code, media type and contract header. */
export async function readProblem(response: Response): Promise<{ status: number; code: string; retryAfterSeconds?: number }> {
  if (response.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`expected a problem, got ${response.status} ${response.headers.get('content-type')}`);
  }
  if (response.headers.get(CONTRACT_VERSION_HEADER) !== '1.0') throw new Error('contract header missing');
  return (await response.json()) as { status: number; code: string; retryAfterSeconds?: number };
}

export const MINUTE_MS = 60_000;
