import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { createXeroConnectionClient, isXeroConnectionError } from '../../src/client';
import { problemSchema } from '../../src/contract';
import { XeroConnectionHandlerError, type XeroConnectionHandlerWithKeepAlive } from '../../src/server';
import { MINUTE_MS, PORTAL } from './support';
import { connect, exportHarness } from './xero-fetch-support';

// The documented export route, run as a portal would run it: the host's own route calls Xero
// through `handler.xeroFetch` and answers its browser with Xero's answer, or with the problem.
// The code between the markers must appear in docs/server.md as it is: if this test breaks, so
// does the documented example.

interface Session {
  accountId: string;
}
interface Invoice {
  contact: string;
  description: string;
  amount: number;
}

// What the documented route imports from the host's own modules: set by each test.
let billing: XeroConnectionHandlerWithKeepAlive;
let getSession: (request: Request) => Promise<Session | null>;

// --- from docs/server.md ---
async function POST(request: Request): Promise<Response> {
  const session = await getSession(request);
  if (session === null) return new Response(null, { status: 401 });
  const { exportId, invoices } = (await request.json()) as { exportId: string; invoices: Invoice[] };
  try {
    const xero = await billing.xeroFetch('/api.xro/2.0/Invoices', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        Invoices: invoices.map((invoice) => ({
          Type: 'ACCREC',
          Contact: { Name: invoice.contact },
          LineItems: [{ Description: invoice.description, Quantity: 1, UnitAmount: invoice.amount, AccountCode: '200' }],
        })),
      }),
      accountId: session.accountId,
      idempotencyKey: `invoices-${exportId}`, // the same export sent twice creates its invoices once
    });
    // Xero's own answer: 200 with the invoices, or 400 with its validation errors.
    return new Response(xero.body, { status: xero.status, headers: { 'content-type': 'application/json' } });
  } catch (error) {
    // XERO_INVALID_GRANT / XERO_TENANT_NOT_FOUND: the browser shows the reconnect;
    // XERO_RATE_LIMITED / XERO_UNAVAILABLE: "try again later" (retryAfterSeconds, Retry-After).
    if (error instanceof XeroConnectionHandlerError) return error.toResponse({ instance: new URL(request.url).pathname });
    throw error;
  }
}
// --- end ---

const THIS_FILE = readFileSync(new URL(import.meta.url), 'utf8');
const DOC = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');

/** The example's lines, without the indentation this file adds around them. */
function exampleLines(): string[] {
  const start = THIS_FILE.indexOf('// --- from docs/server.md ---');
  const end = THIS_FILE.indexOf('// --- end ---');
  return THIS_FILE.slice(start, end)
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter(Boolean);
}

const body = (exportId: string) =>
  JSON.stringify({ exportId, invoices: [1, 2, 3].map((n) => ({ contact: `Resident ${n}`, description: 'Care, November', amount: 100 + n })) });

async function portal() {
  const harness = await exportHarness();
  billing = harness.handler;
  getSession = async (request) => (request.headers.has('x-portal-session') ? { accountId: 'default' } : null);
  const post = (exportId: string) =>
    POST(new Request(`${PORTAL}/api/exports/invoices`, { method: 'POST', headers: { 'x-portal-session': '1', 'content-type': 'application/json' }, body: body(exportId) }));
  return { harness, post };
}

describe('docs/server.md: the export route', () => {
  it('is the code docs/server.md shows', () => {
    // The docs export the route (`export async function POST`); this file cannot.
    const doc = DOC.split('\n').map((line) => line.trim().replace(/^export /, ''));
    const lines = exampleLines();
    expect(lines.length).toBeGreaterThan(20);
    const first = doc.indexOf(lines[0] ?? '');
    expect(first).toBeGreaterThan(-1);
    expect(doc.slice(first, first + lines.length)).toEqual(lines);
  });

  it('exports three invoices, and the same export sent again creates none more', async () => {
    const { harness, post } = await portal();
    await connect(harness);
    const first = await post('2026-12-07');
    expect(first.status).toBe(200);
    expect(await post('2026-12-07')).toMatchObject({ status: 200 });
    expect(harness.emulator.invoices(harness.tenantId)).toHaveLength(3);
  });

  it('answers the problem the browser’s client reads as “reconnect” when the grant expired unused', async () => {
    const { harness, post } = await portal();
    await connect(harness);
    harness.emulator.advanceDays(61);
    const answer = await post('2027-02-06');
    expect(answer.status).toBe(400);
    const problem = problemSchema.parse(await answer.clone().json());
    expect(problem).toMatchObject({ code: 'XERO_INVALID_GRANT', instance: '/api/exports/invoices' });
    // What the portal's browser sees, through the package's own client reading a problem body.
    const client = createXeroConnectionClient({ baseUrl: `${PORTAL}/api/exports`, retry: false, fetch: async () => answer });
    const error: unknown = await client.getConnection().catch((caught: unknown) => caught);
    expect(isXeroConnectionError(error) && error.code).toBe('XERO_INVALID_GRANT');
  });

  it('answers 429 with Retry-After when Xero’s day limit is reached', async () => {
    const { harness, post } = await portal();
    await connect(harness);
    harness.emulator.setApiLimits({ day: 1 });
    await post('a');
    harness.emulator.advance(MINUTE_MS);
    const answer = await post('b');
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(60);
  });
});
