import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ERROR_CODES,
  XERO_RECONNECT_CODES,
  XERO_RETRY_LATER_CODES,
  createXeroConnectionClient,
  isXeroConnectionUsageError,
  isXeroReconnectProblem,
  isXeroRetryLaterProblem,
  readXeroProblem,
  type ErrorCode,
} from '../../src/client';
import { XeroConnectionHandlerError } from '../../src/server';
import { MINUTE_MS } from '../server/support';
import { connect, exportHarness, putInvoices } from '../server/xero-fetch-support';
import { BASE_URL } from './support';

// An export page asks two questions of what its own route answered: does the connection need the
// recovery, or should the user try again later? Every body here is made by the real handler.

/** What a host's export route answers when `xeroFetch` rejects: the handler's own problem. */
function routeAnswer(code: ErrorCode, options: { retryAfterSeconds?: number } = {}): Response {
  return new XeroConnectionHandlerError(code, `xeroFetch failed with ${code}`, options).toResponse({ instance: '/api/exports/invoices' });
}

/** The same answer as the package's client meets it: a typed error carrying the problem. */
async function clientErrorFor(response: Response): Promise<unknown> {
  const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false, fetch: async () => response });
  return client.getConnection().catch((error: unknown) => error);
}

const OTHER_CODES = ERROR_CODES.filter(
  (code) => !(XERO_RECONNECT_CODES as readonly string[]).includes(code) && !(XERO_RETRY_LATER_CODES as readonly string[]).includes(code),
);

describe('isXeroReconnectProblem / isXeroRetryLaterProblem', () => {
  it.each(XERO_RECONNECT_CODES)('%s asks for the recovery, as a problem body, a client error and the handler error', async (code) => {
    const problem = await readXeroProblem(routeAnswer(code));
    expect(problem).toMatchObject({ code, instance: '/api/exports/invoices' });
    expect(isXeroReconnectProblem(problem)).toBe(true);
    expect(isXeroReconnectProblem(await clientErrorFor(routeAnswer(code)))).toBe(true);
    expect(isXeroReconnectProblem(new XeroConnectionHandlerError(code, 'from the route'))).toBe(true);
    expect(isXeroRetryLaterProblem(problem)).toBe(false);
  });

  it.each(XERO_RETRY_LATER_CODES)('%s asks to try later, never for the recovery', async (code) => {
    const problem = await readXeroProblem(routeAnswer(code));
    expect(isXeroRetryLaterProblem(problem)).toBe(true);
    expect(isXeroRetryLaterProblem(await clientErrorFor(routeAnswer(code)))).toBe(true);
    expect(isXeroRetryLaterProblem(new XeroConnectionHandlerError(code, 'from the route'))).toBe(true);
    expect(isXeroReconnectProblem(problem)).toBe(false);
  });

  it.each(OTHER_CODES)('%s is neither (the host’s own error handling applies)', async (code) => {
    const problem = await readXeroProblem(routeAnswer(code));
    expect(problem?.code).toBe(code);
    expect(isXeroReconnectProblem(problem)).toBe(false);
    expect(isXeroRetryLaterProblem(problem)).toBe(false);
  });

  it('keeps XERO_FORBIDDEN and INTERNAL out on purpose', () => {
    expect(XERO_RECONNECT_CODES).not.toContain('XERO_FORBIDDEN');
    expect(XERO_RETRY_LATER_CODES).not.toContain('INTERNAL');
  });

  it('answers false for a Response: its body needs readXeroProblem first', () => {
    const response = routeAnswer('XERO_INVALID_GRANT');
    expect(isXeroReconnectProblem(response)).toBe(false);
    expect(response.bodyUsed).toBe(false);
  });

  it('never throws and answers false for junk, a throwing getter included', () => {
    const known = new Set<string>([...XERO_RECONNECT_CODES, ...XERO_RETRY_LATER_CODES]);
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
        const expected = typeof code === 'string' && known.has(code);
        expect(isXeroReconnectProblem(value) || isXeroRetryLaterProblem(value)).toBe(expected);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.record({ code: fc.string() }, { requiredKeys: [] }), (value) => {
        expect(isXeroReconnectProblem(value)).toBe((XERO_RECONNECT_CODES as readonly string[]).includes(value.code ?? ''));
      }),
    );
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    expect(isXeroReconnectProblem(hostile)).toBe(false);
    expect(isXeroRetryLaterProblem(Object.defineProperty({}, 'code', { get: () => { throw new Error('no'); } }))).toBe(false);
  });
});

describe('readXeroProblem', () => {
  it('leaves the body for the caller to read', async () => {
    const response = routeAnswer('XERO_TENANT_NOT_FOUND');
    await readXeroProblem(response);
    expect(await response.json()).toMatchObject({ code: 'XERO_TENANT_NOT_FOUND' });
  });

  it('fills retryAfterSeconds from Retry-After when the body leaves it out', async () => {
    const withBody = await readXeroProblem(routeAnswer('XERO_RATE_LIMITED', { retryAfterSeconds: 42 }));
    expect(withBody?.retryAfterSeconds).toBe(42);
    const body = (await routeAnswer('XERO_UNAVAILABLE').json()) as Record<string, unknown>;
    const headerOnly = new Response(JSON.stringify(body), {
      status: 503,
      headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
    });
    expect(await readXeroProblem(headerOnly)).toMatchObject({ code: 'XERO_UNAVAILABLE', retryAfterSeconds: 30 });
  });

  it('resolves null for a success, an HTML error page, a plain JSON error and a broken body', async () => {
    expect(await readXeroProblem(new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } }))).toBeNull();
    expect(await readXeroProblem(new Response('<h1>Bad gateway</h1>', { status: 502, headers: { 'content-type': 'text/html' } }))).toBeNull();
    expect(await readXeroProblem(new Response('{"error":"nope"}', { status: 500, headers: { 'content-type': 'application/json' } }))).toBeNull();
    expect(await readXeroProblem(new Response('{"code":', { status: 400, headers: { 'content-type': 'application/problem+json' } }))).toBeNull();
  });

  it('says so when the body was already read', async () => {
    const response = routeAnswer('XERO_INVALID_GRANT');
    await response.text();
    const error: unknown = await readXeroProblem(response).catch((caught: unknown) => caught);
    expect(isXeroConnectionUsageError(error)).toBe(true);
    expect((error as Error).message).toMatch(/before response\.json\(\)/);
  });
});

describe('through a real export route over handler.xeroFetch', () => {
  // The README's route, cut to what matters: Xero's answer, or the handler's problem.
  async function exportRoute() {
    const harness = await exportHarness();
    await connect(harness);
    const post = async (): Promise<Response> => {
      try {
        const xero = await harness.handler.xeroFetch('/api.xro/2.0/Invoices', putInvoices());
        return new Response(xero.body, { status: xero.status, headers: { 'content-type': 'application/json' } });
      } catch (error) {
        if (error instanceof XeroConnectionHandlerError) return error.toResponse();
        throw error;
      }
    };
    return { harness, post };
  }

  it('a grant that expired unused reads as a reconnect problem', async () => {
    const { harness, post } = await exportRoute();
    harness.emulator.advanceDays(61);
    const problem = await readXeroProblem(await post());
    expect(problem?.code).toBe('XERO_INVALID_GRANT');
    expect(isXeroReconnectProblem(problem)).toBe(true);
  });

  it('an app removed in Xero reads as a reconnect problem', async () => {
    const { harness, post } = await exportRoute();
    harness.emulator.removeApp(harness.tenantId);
    const problem = await readXeroProblem(await post());
    expect(problem?.code).toBe('XERO_TENANT_NOT_FOUND');
    expect(isXeroReconnectProblem(problem)).toBe(true);
  });

  it('Xero’s day limit reads as try later, with the wait', async () => {
    const { harness, post } = await exportRoute();
    harness.emulator.setApiLimits({ day: 1 });
    await post();
    harness.emulator.advance(MINUTE_MS);
    const problem = await readXeroProblem(await post());
    expect(isXeroRetryLaterProblem(problem)).toBe(true);
    expect(problem?.retryAfterSeconds).toBeGreaterThan(60);
  });

  it('a successful export is no problem at all', async () => {
    const { post } = await exportRoute();
    expect(await readXeroProblem(await post())).toBeNull();
  });
});
