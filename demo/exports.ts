// The demo portal's own export routes: what a portal page does with its Xero connection. Each
// route builds the portal's data (three invoices, a week of timesheets), sends it to Xero through
// the integration's `handler.xeroFetch` (one refresher per connection, Idempotency-Key, limits),
// and answers its browser with Xero's own answer, or with the handler's problem
// (`error.toResponse()`), exactly as README's export route does.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { XeroConnectionHandlerError, type XeroConnectionBackend } from '../src/server';
import type { DemoExportKind } from './demo-api';

/** Where the export routes live; `${EXPORTS_PATH}/invoices` and `${EXPORTS_PATH}/timesheets`. */
export const EXPORTS_PATH = '/api/exports';

export interface ExportRoutesOptions {
  /** The integration's handler now (the demo replaces them on "Start over" and the keep-alive switch). */
  handlerOf(integrationId: 'billing' | 'payroll'): XeroConnectionBackend | null;
  /** Whether the request comes from a signed-in play user. */
  isSignedIn(req: IncomingMessage): boolean;
  /** The backend's clock (the emulator's): the dates in the exported data. */
  now(): Date;
  /** The request's JSON body, or `null`. */
  readJson(req: IncomingMessage): Promise<unknown>;
}

const RESIDENTS = [
  { name: 'Margaret Lee', amount: 1260 },
  { name: 'Tom Walsh', amount: 1185.5 },
  { name: 'Ivy Chen', amount: 1320 },
];

// Fixed employee ids: the emulator keeps no employees, and Xero only needs the id to be theirs.
const CARE_WORKERS = [
  { employeeId: '4b8e1c52-2f6a-4d0e-9c7b-1a2b3c4d5e01', hours: [8, 8, 8, 8, 6, 0, 0] },
  { employeeId: '4b8e1c52-2f6a-4d0e-9c7b-1a2b3c4d5e02', hours: [0, 0, 7.5, 7.5, 7.5, 7.5, 7.5] },
];

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The path Xero is called at and the body it is sent, for one export made at `now`. */
function exportRequest(kind: DemoExportKind, now: Date): { integrationId: 'billing' | 'payroll'; path: string; method: string; body: unknown } {
  const weekStart = new Date(now.getTime() - 6 * 86_400_000);
  if (kind === 'invoices') {
    return {
      integrationId: 'billing',
      path: '/api.xro/2.0/Invoices',
      method: 'PUT',
      body: {
        Invoices: RESIDENTS.map((resident) => ({
          Type: 'ACCREC',
          Contact: { Name: resident.name },
          Date: isoDay(now),
          DueDate: isoDay(new Date(now.getTime() + 14 * 86_400_000)),
          Reference: `Care ${isoDay(weekStart)} to ${isoDay(now)}`,
          LineItems: [{ Description: `Residential care, week to ${isoDay(now)}`, Quantity: 1, UnitAmount: resident.amount, AccountCode: '200' }],
        })),
      },
    };
  }
  return {
    integrationId: 'payroll',
    path: '/payroll.xro/1.0/Timesheets',
    method: 'POST',
    body: CARE_WORKERS.map((worker) => ({
      EmployeeID: worker.employeeId,
      StartDate: `${isoDay(weekStart)}T00:00:00`,
      EndDate: `${isoDay(now)}T00:00:00`,
      Status: 'DRAFT',
      TimesheetLines: [{ EarningsRateID: '72a4c1e2-6d3b-4f5a-8e9c-0b1d2e3f4a50', NumberOfUnits: worker.hours }],
    })),
  };
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, { ...Object.fromEntries(response.headers), 'cache-control': 'no-store' });
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * `POST /api/exports/invoices` and `POST /api/exports/timesheets`, body `{ exportId }`: one id per
 * export the user started, so a retried export (the same id) is applied by Xero once.
 * Returns `false` for any other path.
 */
export function exportRoutes(options: ExportRoutesOptions) {
  return async function exportRoute(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const kind = path.slice(EXPORTS_PATH.length + 1);
    if (!path.startsWith(`${EXPORTS_PATH}/`) || (kind !== 'invoices' && kind !== 'timesheets')) return false;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      send(res, Response.json(body, { status, headers }));
    if (req.method !== 'POST') return answer(405, { error: 'method not allowed' }, { allow: 'POST' }).then(() => true);
    if (!options.isSignedIn(req)) return answer(401, { error: 'sign in first' }).then(() => true);
    // JSON only: another site's form cannot send it without a CORS preflight this origin never answers.
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return answer(415, { error: 'send the export as application/json' }).then(() => true);
    }
    const body = (await options.readJson(req)) as { exportId?: unknown } | null;
    const exportId = body?.exportId;
    if (typeof exportId !== 'string' || !/^[\w-]{1,64}$/.test(exportId)) {
      return answer(400, { error: '`exportId` must be 1 to 64 letters, digits, _ or -' }).then(() => true);
    }
    const request = exportRequest(kind, options.now());
    const handler = options.handlerOf(request.integrationId);
    if (handler === null) return answer(404, { error: `no ${request.integrationId} integration in this demo` }).then(() => true);
    try {
      const xero = await handler.xeroFetch(request.path, {
        method: request.method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request.body),
        idempotencyKey: `${kind}-${exportId}`, // the same export sent twice is applied once
      });
      // Xero's own answer: 200 with what it saved, or 400 with its validation errors.
      await send(res, new Response(xero.body, { status: xero.status, headers: { 'content-type': 'application/json' } }));
    } catch (error) {
      // XERO_INVALID_GRANT / XERO_TENANT_NOT_FOUND: the page shows the reconnect;
      // XERO_RATE_LIMITED / XERO_UNAVAILABLE: "try again at …" (retryAfterSeconds, Retry-After).
      if (!(error instanceof XeroConnectionHandlerError)) throw error;
      await send(res, error.toResponse({ instance: path }));
    }
    return true;
  };
}
