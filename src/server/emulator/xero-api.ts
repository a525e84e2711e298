import { randomUUID } from 'node:crypto';

import type { ProviderContext } from 'oidc-provider';

import { ApiRateLimiter, type ApiLimits } from './api-limits';
import type { TokenHolder } from './identity-provider';
import { readText } from './request-body';
import { answerForbidden, answerJson, answerUnauthorized, bearerOf, msJsonDate } from './xero-answers';
import type { EmulatedOrganisation, EmulatorRequest } from './xero-emulator';

// A minimal Accounting API (api.xro/2.0: Organisation, Invoices) and AU Payroll API
// (payroll.xro/1.0: Timesheets) on the emulator's origin, for the handler's `xeroFetch`. Each
// call needs a live access token the emulator issued (else 401 TokenExpired) and a
// `Xero-tenant-id` naming an organisation connected now (else 403 AuthenticationUnsuccessful);
// then the rate limits (429), then the answer. Writes honour `Idempotency-Key`. Paths match
// case-insensitively, as Xero's do.

/** A record of Xero's APIs, as JSON (Xero's PascalCase fields). */
export type XeroRecord = Record<string, unknown>;

export interface XeroApi {
  /** Answers the API's paths; `false` for any other request. Notes the tenant and key on `entry`. */
  handle(ctx: ProviderContext, entry: EmulatorRequest): Promise<boolean>;
  invoices(tenantId: string): XeroRecord[];
  timesheets(tenantId: string): XeroRecord[];
  setLimits(limits: Partial<ApiLimits>): () => void;
  /** Holds every API answer (after it is admitted, so it counts as in flight) until released. */
  hold(): () => void;
  inFlight(tenantId: string): number;
}

export interface XeroApiOptions {
  organisations: readonly EmulatedOrganisation[];
  now: () => Date;
  holderOfAccessToken(accessToken: string): Promise<TokenHolder | null>;
  /** Whether the user's connection to this tenant is there now. */
  isConnected(userId: string, tenantId: string): boolean;
}

interface Answer {
  status: number;
  body: unknown;
}

/** One organisation's books, as far as the emulator keeps them. */
interface Books {
  invoices: XeroRecord[];
  timesheets: XeroRecord[];
  contacts: Map<string, string>;
  nextInvoiceNumber: number;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH']);

export function createXeroApi(options: XeroApiOptions): XeroApi {
  const limiter = new ApiRateLimiter(() => options.now().getTime());
  const createdAt = options.now();
  const books = new Map<string, Books>();
  /** `${tenantId}\n${key}` → the first answer (or the promise of it, while in flight). */
  const idempotent = new Map<string, Promise<Answer>>();
  const holds = new Set<{ released: Promise<void> }>();

  const booksOf = (tenantId: string): Books => {
    let found = books.get(tenantId);
    if (found === undefined) {
      found = { invoices: [], timesheets: [], contacts: new Map(), nextInvoiceNumber: 1 };
      books.set(tenantId, found);
    }
    return found;
  };

  const envelope = (records: Record<string, unknown>) => ({
    Id: randomUUID(),
    Status: 'OK',
    ProviderName: 'Xero emulator',
    DateTimeUTC: `/Date(${options.now().getTime()})/`,
    ...records,
  });

  const routes: Record<string, Partial<Record<string, (org: EmulatedOrganisation, ctx: ProviderContext) => Promise<Answer>>>> = {
    '/api.xro/2.0/organisation': {
      GET: async (org) => ({ status: 200, body: envelope({ Organisations: [organisationOf(org, createdAt)] }) }),
    },
    '/api.xro/2.0/invoices': {
      GET: async (org) => ({ status: 200, body: envelope({ Invoices: structuredClone(booksOf(org.tenantId).invoices) }) }),
      PUT: (org, ctx) => writeInvoices(booksOf(org.tenantId), ctx, false),
      POST: (org, ctx) => writeInvoices(booksOf(org.tenantId), ctx, true),
    },
    '/payroll.xro/1.0/timesheets': {
      GET: async (org) => ({ status: 200, body: envelope({ Timesheets: structuredClone(booksOf(org.tenantId).timesheets) }) }),
      POST: (org, ctx) => writeTimesheets(booksOf(org.tenantId), ctx),
    },
  };

  async function writeInvoices(own: Books, ctx: ProviderContext, mayUpdate: boolean): Promise<Answer> {
    const submitted = await bodyRecords(ctx, 'Invoices');
    if (!Array.isArray(submitted)) return submitted;
    const stamp = msJsonDate(options.now());
    const results = submitted.map((input) => {
      const existing = mayUpdate ? own.invoices.find((invoice) => invoice.InvoiceID === input.InvoiceID) : undefined;
      const invoice = existing === undefined ? { ...input } : { ...existing, ...input };
      const errors = invoiceErrors(invoice, own, existing);
      return { existing, record: invoice, errors };
    });
    const summarize = ctx.query.summarizeErrors !== 'false';
    if (summarize && results.some(({ errors }) => errors.length > 0)) return validationFailed(results);
    const answered = results.map(({ existing, record: invoice, errors }) => {
      if (errors.length > 0) return { ...invoice, HasErrors: true, StatusAttributeString: 'ERROR', ValidationErrors: messages(errors) };
      const saved = completeInvoice(invoice, own, stamp);
      if (existing === undefined) own.invoices.push(saved);
      else own.invoices.splice(own.invoices.indexOf(existing), 1, saved);
      return { ...structuredClone(saved), StatusAttributeString: 'OK' };
    });
    return { status: 200, body: envelope({ Invoices: answered }) };
  }

  function completeInvoice(invoice: XeroRecord, own: Books, stamp: string): XeroRecord {
    const contact = invoice.Contact as XeroRecord;
    const name = typeof contact.Name === 'string' ? contact.Name : undefined;
    let contactId = typeof contact.ContactID === 'string' ? contact.ContactID : name === undefined ? undefined : own.contacts.get(name);
    contactId ??= randomUUID();
    if (name !== undefined) own.contacts.set(name, contactId);
    const lineItems = (invoice.LineItems as XeroRecord[]).map((line) => {
      const quantity = numberOr(line.Quantity, 1);
      const lineAmount = numberOr(line.LineAmount, round2(quantity * numberOr(line.UnitAmount, 0)));
      return { LineItemID: randomUUID(), ...line, Quantity: quantity, LineAmount: lineAmount, TaxAmount: numberOr(line.TaxAmount, 0) };
    });
    const subTotal = round2(lineItems.reduce((sum, line) => sum + line.LineAmount, 0));
    const totalTax = round2(lineItems.reduce((sum, line) => sum + line.TaxAmount, 0));
    const type = invoice.Type ?? 'ACCREC';
    let number = invoice.InvoiceNumber;
    if (number === undefined && type === 'ACCREC') {
      number = `INV-${String(own.nextInvoiceNumber).padStart(4, '0')}`;
      own.nextInvoiceNumber += 1;
    }
    const total = round2(subTotal + totalTax);
    return {
      Type: type,
      Status: 'DRAFT',
      LineAmountTypes: 'Exclusive',
      CurrencyCode: 'AUD',
      ...invoice,
      InvoiceID: invoice.InvoiceID ?? randomUUID(),
      ...(number === undefined ? {} : { InvoiceNumber: number }),
      Contact: { ...contact, ContactID: contactId },
      LineItems: lineItems,
      SubTotal: subTotal,
      TotalTax: totalTax,
      Total: total,
      AmountDue: total,
      AmountPaid: 0,
      UpdatedDateUTC: stamp,
    };
  }

  async function writeTimesheets(own: Books, ctx: ProviderContext): Promise<Answer> {
    const submitted = await bodyRecords(ctx, 'Timesheets');
    if (!Array.isArray(submitted)) return submitted;
    const results = submitted.map((record) => ({ record, errors: timesheetErrors(record) }));
    if (results.some(({ errors }) => errors.length > 0)) return validationFailed(results);
    const stamp = msJsonDate(options.now());
    const saved = submitted.map((timesheet) => {
      const lines = Array.isArray(timesheet.TimesheetLines) ? timesheet.TimesheetLines.filter(isRecord) : [];
      const units = lines.flatMap((line) => (Array.isArray(line.NumberOfUnits) ? line.NumberOfUnits : []));
      const hours = units.reduce((sum: number, value) => sum + numberOr(value, 0), 0);
      return { Status: 'DRAFT', ...timesheet, TimesheetID: randomUUID(), TimesheetLines: lines, Hours: hours, UpdatedDateUTC: stamp };
    });
    own.timesheets.push(...saved);
    return { status: 200, body: envelope({ Timesheets: structuredClone(saved) }) };
  }

  /** Waits while a test holds the API. */
  async function held(): Promise<void> {
    while (holds.size > 0) await Promise.all([...holds].map((hold) => hold.released));
  }

  async function answer(org: EmulatedOrganisation, ctx: ProviderContext, route: (typeof routes)[string]): Promise<Answer> {
    await held();
    const handler = route[ctx.method];
    if (handler === undefined) return { status: 405, body: { Title: 'Method Not Allowed', Status: 405 } };
    return handler(org, ctx);
  }

  return {
    async handle(ctx, entry) {
      const path = ctx.path.toLowerCase().replace(/\/$/, '');
      if (!path.startsWith('/api.xro/') && !path.startsWith('/payroll.xro/')) return false;
      const tenantId = ctx.get('xero-tenant-id').trim().toLowerCase();
      const key = ctx.get('idempotency-key');
      if (tenantId !== '') entry.tenantId = tenantId;
      if (key !== '') entry.idempotencyKey = key;

      const bearer = bearerOf(ctx);
      const holder = bearer === undefined ? null : await options.holderOfAccessToken(bearer);
      if (holder === null) return answerUnauthorized(ctx, options.now());
      // Tokens are per user per app; only ORGANISATION tenants serve these APIs.
      const org = options.organisations.find((candidate) => candidate.tenantId.toLowerCase() === tenantId);
      if (org === undefined || org.tenantType !== 'ORGANISATION' || !options.isConnected(holder.userId, org.tenantId)) return answerForbidden(ctx);

      const admission = limiter.admit(org.tenantId);
      for (const [name, value] of Object.entries(admission.headers)) ctx.set(name, value);
      if (admission.problem !== undefined) {
        entry.rateLimitProblem = admission.problem;
        ctx.set('X-Rate-Limit-Problem', admission.problem);
        if (admission.retryAfterSeconds !== undefined) {
          ctx.set('Retry-After', String(admission.retryAfterSeconds));
          entry.retryAfterSeconds = admission.retryAfterSeconds;
        }
        return answerJson(ctx, 429, { Title: 'Too Many Requests', Status: 429, Detail: `Rate limit exceeded: ${admission.problem}` });
      }
      try {
        const route = routes[path];
        if (route === undefined) {
          await held();
          return answerJson(ctx, 404, { Title: 'Not Found', Status: 404, Detail: 'The resource you are looking for cannot be found' });
        }
        let result: Promise<Answer>;
        const slot = `${org.tenantId}\n${key}`;
        const first = idempotent.get(slot);
        if (key !== '' && WRITES.has(ctx.method) && first !== undefined) {
          entry.idempotentReplay = true;
          result = first;
        } else {
          result = answer(org, ctx, route);
          if (key !== '' && WRITES.has(ctx.method)) {
            idempotent.set(slot, result);
            // A request that failed outright leaves the key free for a retry.
            result.catch(() => idempotent.delete(slot));
          }
        }
        const { status, body } = await result;
        return answerJson(ctx, status, body);
      } finally {
        limiter.release(org.tenantId);
      }
    },
    invoices: (tenantId) => structuredClone(books.get(tenantId)?.invoices ?? []),
    timesheets: (tenantId) => structuredClone(books.get(tenantId)?.timesheets ?? []),
    setLimits: (limits) => limiter.set(limits),
    hold() {
      let release = () => {};
      const hold = { released: new Promise<void>((resolve) => (release = resolve)) };
      holds.add(hold);
      return () => {
        holds.delete(hold);
        release();
      };
    },
    inFlight: (tenantId) => limiter.inFlight(tenantId),
  };
}

/** The records of a write's body: `{ [plural]: [...] }`, an array, or one record; or the 400 to answer. */
async function bodyRecords(ctx: ProviderContext, plural: string): Promise<XeroRecord[] | Answer> {
  let body: unknown;
  try {
    body = JSON.parse(await readText(ctx.req));
  } catch (error) {
    return { status: 400, body: { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: `JSON for post data was invalid, ${String(error)}` } };
  }
  const list: unknown = isRecord(body) && plural in body ? body[plural] : Array.isArray(body) ? body : [body];
  if (!Array.isArray(list) || !list.every(isRecord)) {
    return { status: 400, body: { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: `Expected ${plural}` } };
  }
  return list;
}

/** Xero's 400 for a batch with invalid elements (summarizeErrors, the default): nothing is saved. */
function validationFailed(results: readonly { record: XeroRecord; errors: readonly string[] }[]): Answer {
  return {
    status: 400,
    body: {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: results.filter(({ errors }) => errors.length > 0).map(({ record, errors }) => ({ ...record, ValidationErrors: messages(errors) })),
    },
  };
}

const messages = (errors: readonly string[]) => errors.map((message) => ({ Message: message }));

// Contact messages are Xero's (the second from xero_accounting.yaml's examples, the first as Xero
// answers it); the line items and timesheet wordings are the emulator's.
function invoiceErrors(invoice: XeroRecord, own: Books, existing: XeroRecord | undefined): string[] {
  const errors: string[] = [];
  const contact = invoice.Contact;
  if (!isRecord(contact)) errors.push('A Contact must be specified with this type of transaction');
  else if (!['Name', 'ContactID', 'ContactNumber'].some((field) => typeof contact[field] === 'string' && contact[field] !== '')) {
    errors.push('The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber');
  }
  if (!Array.isArray(invoice.LineItems) || invoice.LineItems.length === 0 || !invoice.LineItems.every(isRecord)) {
    errors.push('At least one line item must be specified');
  }
  const number = invoice.InvoiceNumber;
  if (number !== undefined && own.invoices.some((other) => other !== existing && other.InvoiceNumber === number)) errors.push('Invoice # must be unique.');
  return errors;
}

function timesheetErrors(timesheet: XeroRecord): string[] {
  return ['EmployeeID', 'StartDate', 'EndDate']
    .filter((field) => typeof timesheet[field] !== 'string' || timesheet[field] === '')
    .map((field) => `${field} is required`);
}

/** Xero's Organisation record for an emulated tenant (an Australian company). */
function organisationOf(org: EmulatedOrganisation, createdAt: Date): XeroRecord {
  const name = org.tenantName ?? '';
  return {
    OrganisationID: org.tenantId,
    APIKey: org.tenantId.replaceAll('-', '').slice(0, 30).toUpperCase(),
    Name: name,
    LegalName: name,
    PaysTax: true,
    Version: 'AU',
    OrganisationType: 'COMPANY',
    BaseCurrency: 'AUD',
    CountryCode: 'AU',
    IsDemoCompany: false,
    OrganisationStatus: 'ACTIVE',
    FinancialYearEndDay: 30,
    FinancialYearEndMonth: 6,
    SalesTaxBasis: 'ACCRUALS',
    SalesTaxPeriod: 'QUARTERLY1',
    DefaultSalesTax: 'Tax Exclusive',
    DefaultPurchasesTax: 'Tax Exclusive',
    CreatedDateUTC: `/Date(${createdAt.getTime()})/`,
    OrganisationEntityType: 'COMPANY',
    Timezone: 'AUSEASTERNSTANDARDTIME',
    ShortCode: `!${org.tenantId.slice(0, 5)}`,
    Edition: 'BUSINESS',
    Class: 'PREMIUM',
    Addresses: [],
    Phones: [],
    ExternalLinks: [],
    PaymentTerms: {},
  };
}

function isRecord(value: unknown): value is XeroRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
