import type { XeroConnectionHandlerOptions } from '../../src/server';
import type { XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { emulatedSleep, setup, type Harness } from './support';

export const INVOICES_PATH = '/api.xro/2.0/Invoices';

/** Three invoices as a portal's billing export would send them. */
export function invoicesBody(count = 3, reference = 'export'): string {
  const Invoices = Array.from({ length: count }, (_, index) => ({
    Type: 'ACCREC',
    Contact: { Name: `Resident ${index + 1}` },
    Reference: `${reference}-${index + 1}`,
    LineItems: [{ Description: 'Care services, November', Quantity: 1, UnitAmount: 120 + index, AccountCode: '200' }],
  }));
  return JSON.stringify({ Invoices });
}

/** `init` for a PUT of invoices through xeroFetch. */
export function putInvoices(extra: { accountId?: string; idempotencyKey?: string; count?: number } = {}) {
  const { count, ...rest } = extra;
  return { method: 'PUT', headers: { 'content-type': 'application/json' }, body: invoicesBody(count), ...rest };
}

/** A harness whose waits move the emulator's clock, and the tenant it connects. */
export async function exportHarness(
  options: Partial<XeroConnectionHandlerOptions> | ((emulator: XeroEmulator) => Partial<XeroConnectionHandlerOptions>) = {},
): Promise<Harness & { waits: number[]; tenantId: string }> {
  let waits: number[] = [];
  const harness = await setup((emulator) => {
    const moving = emulatedSleep(emulator);
    waits = moving.waits;
    return { sleep: moving.sleep, ...(typeof options === 'function' ? options(emulator) : options) };
  });
  const tenantId = harness.emulator.organisations[0]?.tenantId ?? '';
  return { ...harness, waits, tenantId };
}

/** Connects the default account (or `account`) and checks it came back connected. */
export async function connect(harness: Harness, account?: string): Promise<void> {
  const response = await harness.connectThroughXero(account === undefined ? {} : { account });
  if (!(response.headers.get('location') ?? '').includes('xero=connected')) throw new Error(`connecting answered ${response.status}`);
}

/** The API calls the emulator answered (not identity, not /connections). */
export function apiCalls(emulator: XeroEmulator) {
  return emulator.requests.filter((entry) => /^\/(api\.xro|payroll\.xro)\//i.test(entry.path));
}
