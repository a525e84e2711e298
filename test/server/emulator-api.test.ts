import { afterEach, describe, expect, it } from 'vitest';

import { startXeroEmulator, type EmulatedOrganisation, type XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { MINUTE_MS, REDIRECT_URI } from './support';

// The emulator's Accounting and AU Payroll APIs, as Xero answers them: who may call (401, 403),
// what they store, Idempotency-Key, the rate limits (429) and their headers.

const SUNRISE = '3f1b6b3e-6a3e-4c1e-9f4e-0c6f2f1d2a10';
const HARBOUR = '8c2d4e6f-0a1b-4c3d-8e5f-6a7b8c9d0e1f';
const PRACTICE = '5d0c7b1a-2f3e-4a5b-9c6d-7e8f9a0b1c2d';
const PRACTICE_MANAGER = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const ORGANISATIONS: readonly EmulatedOrganisation[] = [
  { tenantId: SUNRISE, tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION' },
  { tenantId: HARBOUR, tenantName: 'Harbour View Homes', tenantType: 'ORGANISATION' },
  { tenantId: PRACTICE, tenantName: 'Ledger & <Co> Advisers', tenantType: 'PRACTICE' },
  { tenantId: PRACTICE_MANAGER, tenantName: null, tenantType: 'PRACTICEMANAGER' },
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INVOICES = '/api.xro/2.0/Invoices';
const TIMESHEETS = '/payroll.xro/1.0/Timesheets';

const open: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

/** An emulator with four tenants, and an access token that reaches `tenantIds` (default both organisations and the practice). */
async function connected(tenantIds: readonly string[] = [SUNRISE, HARBOUR, PRACTICE]) {
  const emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI], organisations: ORGANISATIONS, now: new Date('2026-11-26T09:30:00Z'), frozenClock: true });
  open.push(emulator);
  const tokens = await emulator.authorizeDirectly({ tenantIds });
  const call = (path: string, init: { method?: string; tenantId?: string | null; key?: string; body?: unknown; token?: string | null } = {}) => {
    const headers = new Headers({ accept: 'application/json' });
    const token = init.token === undefined ? tokens.access_token : init.token;
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    const tenantId = init.tenantId === undefined ? SUNRISE : init.tenantId;
    if (tenantId !== null) headers.set('xero-tenant-id', tenantId);
    if (init.key !== undefined) headers.set('idempotency-key', init.key);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${emulator.endpoints.apiBaseUrl}${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  };
  return { emulator, tokens, call };
}

/** A copy of `record` without `field`. */
function without(record: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => key !== field));
}

const invoice = (reference: string): Record<string, unknown> => ({
  Type: 'ACCREC',
  Contact: { Name: 'Mrs Ada Lovelace' },
  Reference: reference,
  LineItems: [{ Description: 'Care hours', Quantity: 7.5, UnitAmount: 64, AccountCode: '200' }],
});

describe('who may call the APIs', () => {
  it('answers 401 TokenExpired without a live access token the emulator issued, with no rate limit headers', async () => {
    const { emulator, tokens, call } = await connected();
    for (const token of [null, 'not-a-jwt', `${tokens.access_token.slice(0, -4)}AAAA`]) {
      const answer = await call('/api.xro/2.0/Organisation', { token });
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ Type: null, Title: 'Unauthorized', Status: 401, Detail: expect.stringMatching(/^TokenExpired: token expired at /) });
      expect(answer.headers.get('x-minlimit-remaining')).toBeNull();
    }
    emulator.advance(30 * MINUTE_MS);
    expect((await call('/api.xro/2.0/Organisation')).status).toBe(401);
  });

  it('answers 403 AuthenticationUnsuccessful for a missing, unknown, unconnected, removed or non-organisation tenant', async () => {
    const { emulator, call } = await connected([SUNRISE, PRACTICE]);
    emulator.removeApp(SUNRISE);
    for (const tenantId of [null, '', 'not-a-tenant', HARBOUR, SUNRISE, PRACTICE]) {
      const answer = await call(INVOICES, { tenantId });
      expect(answer.status, String(tenantId)).toBe(403);
      expect(await answer.json()).toEqual({ Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful', Instance: expect.stringMatching(UUID), Extensions: {} });
    }
    expect(emulator.requests.filter((entry) => entry.status === 403)).toHaveLength(6);
  });

  it('matches paths and the tenant header case-insensitively, as Xero does', async () => {
    const { call } = await connected();
    // No token: 401, so the path was recognised as the API's (an unknown one is oidc-provider's 404).
    expect((await call('/API.XRO/2.0/organisation', { token: null })).status).toBe(401);
    const upper = await call('/API.XRO/2.0/organisation', { tenantId: SUNRISE.toUpperCase() });
    expect(upper.status).toBe(200);
  });
});

describe('Accounting API', () => {
  it('GET /Organisation answers the tenant as Xero\'s Organisations envelope, with the rate limit headers', async () => {
    const { call } = await connected();
    const answer = await call('/api.xro/2.0/Organisation', { tenantId: HARBOUR });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.fromEntries(['x-daylimit-remaining', 'x-minlimit-remaining', 'x-appminlimit-remaining'].map((name) => [name, answer.headers.get(name)]))).toEqual({
      'x-daylimit-remaining': '4999',
      'x-minlimit-remaining': '59',
      'x-appminlimit-remaining': '9999',
    });
    const body = (await answer.json()) as { Status: string; Organisations: Record<string, unknown>[] };
    expect(body).toMatchObject({ Id: expect.stringMatching(UUID), Status: 'OK', DateTimeUTC: expect.stringMatching(/^\/Date\(\d+\)\/$/) });
    expect(body.Organisations).toEqual([expect.objectContaining({ OrganisationID: HARBOUR, Name: 'Harbour View Homes', OrganisationStatus: 'ACTIVE', BaseCurrency: 'AUD' })]);
  });

  it('PUT and POST /Invoices store invoices per organisation (envelope or a single invoice), numbered, DRAFT by default; GET lists them', async () => {
    const { emulator, call } = await connected();
    const put = await call(INVOICES, { method: 'PUT', body: { Invoices: [invoice('week 47'), { ...invoice('week 48'), Status: 'AUTHORISED' }] } });
    expect(put.status).toBe(200);
    const created = ((await put.json()) as { Invoices: Record<string, unknown>[] }).Invoices;
    expect(created).toEqual([
      expect.objectContaining({ InvoiceID: expect.stringMatching(UUID), InvoiceNumber: 'INV-0001', Status: 'DRAFT', Reference: 'week 47', Total: 480, AmountDue: 480 }),
      expect.objectContaining({ InvoiceNumber: 'INV-0002', Status: 'AUTHORISED' }),
    ]);
    expect(created[0]?.Contact).toEqual({ Name: 'Mrs Ada Lovelace', ContactID: expect.stringMatching(UUID) });

    const single = await call(INVOICES.toLowerCase(), { method: 'POST', tenantId: HARBOUR, body: invoice('week 47') });
    expect(((await single.json()) as { Invoices: unknown[] }).Invoices).toEqual([expect.objectContaining({ InvoiceNumber: 'INV-0001' })]);

    const listed = (await (await call(INVOICES)).json()) as { Invoices: unknown[] };
    expect(listed.Invoices).toEqual(created.map((entry) => without(entry, 'StatusAttributeString')));
    expect(emulator.invoices(SUNRISE).map((entry) => entry.Reference)).toEqual(['week 47', 'week 48']);
    expect(emulator.invoices(HARBOUR)).toHaveLength(1);
    // Copies: a test cannot change the emulator's books by accident.
    emulator.invoices(SUNRISE).pop();
    expect(emulator.invoices(SUNRISE)).toHaveLength(2);
  });

  it('answers Xero\'s 400 ValidationException for an invoice without Contact or LineItems, and stores none of the batch', async () => {
    const { emulator, call } = await connected();
    const noContact = without(invoice('no contact'), 'Contact');
    const answer = await call(INVOICES, { method: 'PUT', body: { Invoices: [invoice('fine'), noContact, { ...invoice('no lines'), LineItems: [] }] } });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [
        expect.objectContaining({ Reference: 'no contact', ValidationErrors: [{ Message: expect.stringContaining('Contact') }] }),
        expect.objectContaining({ Reference: 'no lines', ValidationErrors: [{ Message: expect.stringContaining('line item') }] }),
      ],
    });
    expect(emulator.invoices(SUNRISE)).toEqual([]);
    expect(answer.headers.get('x-minlimit-remaining')).toBe('59');
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key of the same organisation and creates nothing new', async () => {
    const { emulator, call } = await connected();
    const first = await call(INVOICES, { method: 'PUT', key: 'export-2026-47', body: { Invoices: [invoice('week 47')] } });
    const again = await call(INVOICES, { method: 'PUT', key: 'export-2026-47', body: { Invoices: [invoice('week 47')] } });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect(emulator.invoices(SUNRISE)).toHaveLength(1);
    // Keys are per organisation.
    await call(INVOICES, { method: 'PUT', tenantId: HARBOUR, key: 'export-2026-47', body: { Invoices: [invoice('week 47')] } });
    expect(emulator.invoices(HARBOUR)).toHaveLength(1);
    expect(emulator.requests.filter((entry) => entry.path === INVOICES).map(({ tenantId, idempotencyKey, idempotentReplay, status }) => ({ tenantId, idempotencyKey, idempotentReplay, status }))).toEqual([
      { tenantId: SUNRISE, idempotencyKey: 'export-2026-47', idempotentReplay: undefined, status: 200 },
      { tenantId: SUNRISE, idempotencyKey: 'export-2026-47', idempotentReplay: true, status: 200 },
      { tenantId: HARBOUR, idempotencyKey: 'export-2026-47', idempotentReplay: undefined, status: 200 },
    ]);
  });

  it('a write applied but answered 504 (afterApplying) and retried with its key creates no duplicate; without a key it would', async () => {
    const { emulator, call } = await connected();
    emulator.failNext('/API.XRO/2.0/invoices', { status: 504, afterApplying: true });
    const lost = await call(INVOICES, { method: 'POST', key: 'k-1', body: { Invoices: [invoice('week 47')] } });
    expect(lost.status).toBe(504);
    expect(emulator.invoices(SUNRISE)).toHaveLength(1);
    const retried = await call(INVOICES, { method: 'POST', key: 'k-1', body: { Invoices: [invoice('week 47')] } });
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { Invoices: { InvoiceID: string }[] }).Invoices[0]?.InvoiceID).toBe(emulator.invoices(SUNRISE)[0]?.InvoiceID);
    expect(emulator.invoices(SUNRISE)).toHaveLength(1);

    emulator.failNext(INVOICES, { status: 502, afterApplying: true });
    await call(INVOICES, { method: 'POST', body: { Invoices: [invoice('week 48')] } });
    await call(INVOICES, { method: 'POST', body: { Invoices: [invoice('week 48')] } });
    expect(emulator.invoices(SUNRISE).map((entry) => entry.Reference)).toEqual(['week 47', 'week 48', 'week 48']);
  });

  it('failNext without afterApplying answers before anything is stored', async () => {
    const { emulator, call } = await connected();
    emulator.failNext(INVOICES, { status: 503 });
    const answer = await call(INVOICES, { method: 'PUT', key: 'k-2', body: { Invoices: [invoice('week 47')] } });
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ Title: 'Service Unavailable', Status: 503 });
    expect(emulator.invoices(SUNRISE)).toEqual([]);
    expect((await call(INVOICES, { method: 'PUT', key: 'k-2', body: { Invoices: [invoice('week 47')] } })).status).toBe(200);
    expect(emulator.invoices(SUNRISE)).toHaveLength(1);
  });
});

describe('AU Payroll API', () => {
  it('POST /Timesheets stores an array of timesheets with TimesheetIDs; GET lists them; a missing EmployeeID is a ValidationException', async () => {
    const { emulator, call } = await connected();
    const timesheet = {
      EmployeeID: 'b34e89ff-770d-4099-b7e5-f968767118bc',
      StartDate: '/Date(1573171200000+0000)/',
      EndDate: '/Date(1573689600000+0000)/',
      TimesheetLines: [{ EarningsRateID: 'ab874dfb-ab09-4c91-954e-43acf6fc23b4', NumberOfUnits: [7.5, 7.5, 0, 0, 8, 0, 0] }],
    };
    const answer = await call(TIMESHEETS, { method: 'POST', body: [timesheet] });
    expect(answer.status).toBe(200);
    const { Timesheets } = (await answer.json()) as { Timesheets: Record<string, unknown>[] };
    expect(Timesheets).toEqual([expect.objectContaining({ TimesheetID: expect.stringMatching(UUID), EmployeeID: timesheet.EmployeeID, Status: 'DRAFT', Hours: 23 })]);
    expect(((await (await call(TIMESHEETS)).json()) as { Timesheets: unknown[] }).Timesheets).toEqual(Timesheets);
    expect(emulator.timesheets(SUNRISE)).toEqual(Timesheets);

    const noEmployee = without(timesheet, 'EmployeeID');
    const invalid = await call(TIMESHEETS, { method: 'POST', body: [noEmployee] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ ErrorNumber: 10, Type: 'ValidationException', Elements: [{ ValidationErrors: [{ Message: expect.stringContaining('EmployeeID') }] }] });
    expect(emulator.timesheets(SUNRISE)).toHaveLength(1);
  });
});

describe('rate limits', () => {
  async function limited(answer: Response) {
    return { status: answer.status, problem: answer.headers.get('x-rate-limit-problem'), retryAfter: answer.headers.get('retry-after'), minute: answer.headers.get('x-minlimit-remaining') };
  }

  it('per tenant per minute, in fixed windows each organisation starts with its first call, on the emulated clock', async () => {
    const { emulator, call } = await connected();
    const restore = emulator.setApiLimits({ minute: 3 });
    const remaining = [];
    for (let index = 0; index < 3; index += 1) remaining.push((await call(INVOICES)).headers.get('x-minlimit-remaining'));
    expect(remaining).toEqual(['2', '1', '0']);
    expect(await limited(await call(INVOICES))).toEqual({ status: 429, problem: 'minute', retryAfter: '60', minute: '0' });
    emulator.advance(20_000);
    // Harbour's window starts now: it is not Sunrise's.
    expect((await call(INVOICES, { tenantId: HARBOUR })).status).toBe(200);
    expect(await limited(await call(INVOICES))).toMatchObject({ status: 429, retryAfter: '40' });
    emulator.advance(40_000);
    expect(await limited(await call(INVOICES))).toMatchObject({ status: 200, minute: '2' });
    expect(await limited(await call(INVOICES, { tenantId: HARBOUR }))).toMatchObject({ status: 200, minute: '1' });
    expect(emulator.requests.filter((entry) => entry.rateLimitProblem === 'minute').map((entry) => entry.retryAfterSeconds)).toEqual([60, 40]);
    restore();
    expect((await call(INVOICES)).headers.get('x-minlimit-remaining')).toBe('58');
  });

  it('per tenant per day, and app-wide per minute', async () => {
    const { emulator, call } = await connected();
    emulator.setApiLimits({ day: 2 });
    await call(INVOICES);
    emulator.advance(20 * MINUTE_MS);
    expect((await call(INVOICES)).headers.get('x-daylimit-remaining')).toBe('0');
    expect(await limited(await call(INVOICES))).toMatchObject({ status: 429, problem: 'day', retryAfter: String(24 * 3600 - 20 * 60) });
    emulator.setApiLimits({ day: 5000, appMinute: 1 });
    emulator.advance(MINUTE_MS);
    expect((await call(INVOICES, { tenantId: HARBOUR })).headers.get('x-appminlimit-remaining')).toBe('0');
    expect(await limited(await call(INVOICES))).toMatchObject({ status: 429, problem: 'appminute', retryAfter: '60' });
  });

  it('5 calls of a tenant in flight at once: the sixth is refused (concurrent, no Retry-After); another tenant is not', async () => {
    const { emulator, call } = await connected();
    const release = emulator.holdApi();
    const held = Array.from({ length: 5 }, (_, index) => call(INVOICES, { method: 'PUT', key: `held-${index}`, body: { Invoices: [invoice(`held ${index}`)] } }));
    await expect.poll(() => emulator.apiInFlight(SUNRISE)).toBe(5);
    expect(await limited(await call(INVOICES))).toEqual({ status: 429, problem: 'concurrent', retryAfter: null, minute: '55' });
    const other = call(INVOICES, { tenantId: HARBOUR });
    await expect.poll(() => emulator.apiInFlight(HARBOUR)).toBe(1);
    release();
    expect((await Promise.all([...held, other])).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(emulator.apiInFlight(SUNRISE)).toBe(0);
    expect(emulator.invoices(SUNRISE)).toHaveLength(5);
    expect((await call(INVOICES)).status).toBe(200);
  });
});
