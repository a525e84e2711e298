import { afterEach } from 'vitest';

import { createXeroConnectionClient, type XeroConnectionClient } from '../../src/client';
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from '../../src/contract';
import { createXeroConnectionHandler, type XeroConnectionHandlerOptions, type XeroConnectionHandlerWithKeepAlive } from '../../src/server';
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
  handler: XeroConnectionHandlerWithKeepAlive;
  /** The package's own typed client (contract 1.1), as `caller` of `account`, calling the handler directly. */
  client(caller?: CallerName, account?: string): XeroConnectionClient;
  /**
   * A raw request to the handler as `caller` (`null`: no session) of `account` (default: the
   * default account). Sends no contract `Accept` unless given: a 1.0 client.
   */
  request(path: string, init?: RequestInit & { caller?: CallerName | null; account?: string }): Promise<Response>;
  /**
   * POST /connect → Allow in the emulator → GET /callback; returns the callback's response. As the
   * typed client (contract 1.1) unless `contract: '1.0'`, which posts without the contract `Accept`.
   */
  connectThroughXero(options?: ConnectThroughXeroOptions): Promise<Response>;
}

export interface ConnectThroughXeroOptions {
  caller?: CallerName;
  account?: string;
  tenantIds?: string[];
  contract?: '1.0' | '1.1';
  mode?: 'connect' | 'reauth';
  expectedTenantId?: string;
  /** The Xero user who clicks Allow (default the emulator's one user). */
  xeroUserId?: string;
}

/** The `Accept` header of a contract 1.1 client. */
export const ACCEPT_1_1 = 'application/json; contract=1.1, application/problem+json';

/**
 * A `sleep` (keep-alive's and xeroFetch's) that waits no real time: it moves the emulator's clock
 * to the end of the wait, never further however many callers wait at once, and records each wait.
 * Rejects at once when the signal has aborted.
 */
export function emulatedSleep(emulator: XeroEmulator): { sleep: NonNullable<XeroConnectionHandlerOptions['sleep']>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      waits.push(ms);
      const target = emulator.now().getTime() + ms;
      await Promise.resolve();
      const gap = target - emulator.now().getTime();
      if (gap > 0) emulator.advance(gap);
    },
  };
}

const open: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

/**
 * An emulator and a handler pointed at it, sharing one clock. `overrides` may be made from the
 * emulator (for a keep-alive `sleep` that moves its clock); `emulator` reuses one (a second instance).
 */
export async function setup(
  overrides: Partial<XeroConnectionHandlerOptions> | ((emulator: XeroEmulator) => Partial<XeroConnectionHandlerOptions>) = {},
  shared?: XeroEmulator,
): Promise<Harness> {
  let emulator = shared;
  if (emulator === undefined) {
    emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI], now: new Date('2026-11-26T09:30:00Z'), frozenClock: true });
    open.push(emulator);
  }
  const own = typeof overrides === 'function' ? overrides(emulator) : overrides;
  // Typed with keep-alive's methods for the tests that pass `keepAlive` in `overrides` (the
  // overloads cannot see it through a Partial); a handler made without it refuses them at run time.
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
      const accountId = request.headers.get('x-test-account') ?? undefined;
      return {
        userId,
        canManage: request.headers.get('x-test-manage') === '1',
        displayName: `User ${userId}`,
        ...(accountId === undefined ? {} : { accountId }),
      };
    },
    ...own,
  }) as XeroConnectionHandlerWithKeepAlive;

  const request: Harness['request'] = (path, init = {}) => {
    const { caller = 'admin', account, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (caller !== null) for (const [name, value] of Object.entries(callers[caller])) headers.set(name, value);
    if (account !== undefined) headers.set('x-test-account', account);
    if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return handler(new Request(path.startsWith('http') ? path : `${BASE_URL}${path}`, { ...rest, headers }));
  };

  const client: Harness['client'] = (caller = 'admin', account) =>
    createXeroConnectionClient({
      baseUrl: BASE_URL,
      headers: account === undefined ? callers[caller] : { ...callers[caller], 'x-test-account': account },
      retry: false,
      fetch: (input, init) => handler(new Request(input, init)),
    });

  return {
    emulator,
    handler,
    client,
    request,
    async connectThroughXero({ caller = 'admin', account, tenantIds, contract = '1.1', mode = 'connect', expectedTenantId, xeroUserId } = {}) {
      const body = { returnTo: RETURN_TO, mode, ...(expectedTenantId === undefined ? {} : { expectedTenantId }) };
      let authorizeUrl: string;
      if (contract === '1.1') {
        ({ authorizeUrl } = await client(caller, account).connect(body));
      } else {
        const started = await request('/connect', { method: 'POST', body: JSON.stringify(body), caller, ...(account === undefined ? {} : { account }) });
        if (started.status !== 200) throw new Error(`POST /connect answered ${started.status}`);
        ({ authorizeUrl } = (await started.json()) as { authorizeUrl: string });
      }
      const back = await emulator.approve(authorizeUrl, { ...(tenantIds === undefined ? {} : { tenantIds }), ...(xeroUserId === undefined ? {} : { xeroUserId }) });
      return request(back, { caller, ...(account === undefined ? {} : { account }) });
    },
  };
}

/** Checks a problem response: status, code, media type and contract header. */
export async function readProblem(response: Response): Promise<{ status: number; code: string; retryAfterSeconds?: number }> {
  if (response.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`expected a problem, got ${response.status} ${response.headers.get('content-type')}`);
  }
  if (response.headers.get(CONTRACT_VERSION_HEADER) !== CONTRACT_VERSION) throw new Error('contract header missing');
  return (await response.json()) as { status: number; code: string; retryAfterSeconds?: number };
}

export const MINUTE_MS = 60_000;
