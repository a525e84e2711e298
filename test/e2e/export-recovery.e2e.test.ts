import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import type { XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { checkStep, connectBilling, demoForThisFile, see } from './support';

// The product's real job, end to end in Debian's Chromium: the demo portal exports to Xero through
// its own route (`handler.xeroFetch`), the export fails where the user is, the recovery happens
// right there, and the same export runs again, applied by Xero once. Nothing mocked: the demo
// page, the reference backend and the local Xero emulator, whose books are counted.
// Keep-alive starts on, as `npm start` runs it; the walk turns it off with the page's switch.
const e2e = demoForThisFile();
const ORGANISATION = 'Sunrise Care Group';

const panel = (page: Page) => page.getByRole('region', { name: 'Direct Export' });
/** The card alone: the export's notice is a region whose name starts with "Xero Billing" too. */
const billingCard = (page: Page) => page.getByRole('region', { name: 'Xero Billing', exact: true });
/** `<XeroReconnectNotice>` in the panel, asking for the reconnect. */
const reconnectNotice = (page: Page) => panel(page).getByRole('region', { name: 'Xero Billing needs reconnecting before this export can run.' });

function emulator(): XeroEmulator {
  if (e2e.demo.emulator === null) throw new Error('the export walk needs the emulator');
  return e2e.demo.emulator;
}

/** The invoices Xero holds now, over its organisations (the emulator keeps them across "Start over"). */
function invoicesInXero(): number {
  return emulator().organisations.reduce((sum, org) => sum + emulator().invoices(org.tenantId).length, 0);
}

/** Clicks the panel's invoice export (the caller waits for what it expects to see). */
async function exportInvoices(page: Page): Promise<void> {
  await panel(page).getByRole('button', { name: 'Export 3 invoices to Xero' }).click();
}

/** A new browser profile on the demo, after "Start over", with Xero Billing connected. */
async function connectedPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await e2e.newContext();
  const page = await context.newPage();
  await page.goto(e2e.demo.url);
  await connectBilling(page);
  return { context, page };
}

/** Every "Last used" date on the page, as the cards show it. */
function lastUsedTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('dt')].filter((term) => term.textContent?.trim() === 'Last used').map((term) => term.nextElementSibling?.textContent ?? ''),
  );
}

/** Fails on a "Last used" in the future: "(in 2 months)", "in 3 days". */
async function expectNoFutureLastUsed(page: Page, step: string): Promise<void> {
  const texts = await lastUsedTexts(page);
  for (const text of texts) expect(text, `"Last used" at ${step}`).not.toMatch(/\bin \d+ (second|minute|hour|day|week|month|year)s?\b/);
}

describe('exporting to Xero, failing, recovering and exporting again', () => {
  it('recovers an export that met an expired connection, at the export, and applies the retried export once', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = billingCard(page);
    const start = invoicesInXero();

    await connectBilling(page);
    await see(panel(page).getByRole('button', { name: 'Send timesheets to Xero' }), 'the timesheets export');
    await see(page.getByText(`Invoices in Xero: ${start}`, { exact: true }), 'what Xero holds before the export');
    await checkStep(page, 'export-01-connected');

    await exportInvoices(page);
    await see(panel(page).getByRole('status').filter({ hasText: /^Exported 3 invoices to Xero: INV-\d{4}, INV-\d{4}, INV-\d{4}/ }), 'the exported invoices');
    await see(page.getByText(`Invoices in Xero: ${start + 3}`, { exact: true }), 'three invoices more in Xero');
    expect(invoicesInXero()).toBe(start + 3);
    await checkStep(page, 'export-02-exported');

    // The help page's story: keep-alive off, the token left unused past its 60 days.
    await page.getByRole('switch', { name: 'Keep connections alive' }).click();
    await see(page.getByText('Off: a token unused for 60 days expires', { exact: false }), 'keep-alive off');
    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(page.getByText('61 days pass unused: the refresh token expires'), 'the 61 days passed');

    await exportInvoices(page);
    const notice = reconnectNotice(page);
    await see(notice.getByRole('button', { name: 'Reconnect' }), 'Reconnect offered at the export');
    await see(notice.getByText("The connection to Xero expired because it wasn't used for 60 days."), 'why, at the export');
    // The card says the same at the same time, without a reload or a Check connection.
    await see(billing.getByText("The connection to Xero expired because it wasn't used for 60 days."), 'the expired card beside it');
    expect(invoicesInXero(), 'nothing exported while expired').toBe(start + 3);
    await see(page.getByText(`Invoices in Xero: ${start + 3}`, { exact: true }), 'Xero’s count unchanged');
    await checkStep(page, 'export-03-failed-expired');

    await notice.getByRole('button', { name: 'Reconnect' }).click();
    await see(page.getByRole('heading', { name: /Allow access/ }), "the emulator's consent page");
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the organisation connected again');
    await see(panel(page).getByRole('region', { name: 'Xero Billing is connected again.' }), 'the notice saying it is reconnected');
    expect(invoicesInXero(), 'reconnecting exports nothing').toBe(start + 3);
    await checkStep(page, 'export-04-reconnected');

    await panel(page).getByRole('button', { name: 'Retry export' }).click();
    await see(panel(page).getByRole('status').filter({ hasText: /^Exported 3 invoices to Xero/ }), 'the retried export');
    await see(page.getByText(`Invoices in Xero: ${start + 6}`, { exact: true }), 'three invoices more, not six');
    expect(invoicesInXero()).toBe(start + 6);
    await checkStep(page, 'export-05-retried');

    // The same export sent once more (a double click, a lost answer): Xero applies it once.
    const writes = emulator().requests.filter((entry) => entry.method === 'PUT' && /\/api\.xro\/2\.0\/invoices$/i.test(entry.path));
    const retriedKey = writes.at(-1)?.idempotencyKey ?? '';
    expect(retriedKey).toMatch(/^invoices-/);
    const again = await page.evaluate(async (exportId) => {
      const response = await fetch('/api/exports/invoices', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exportId }) });
      return response.status;
    }, retriedKey.slice('invoices-'.length));
    expect(again).toBe(200);
    expect(invoicesInXero(), 'the same export again creates nothing').toBe(start + 6);
    const applied = emulator().requests.filter((entry) => entry.method === 'PUT' && /invoices$/i.test(entry.path) && entry.status === 200 && entry.idempotentReplay !== true);
    expect(applied.map((entry) => entry.idempotencyKey), 'one applied write per export').toEqual([writes[0]?.idempotencyKey, retriedKey]);
    const numbers = emulator().organisations.flatMap((org) => emulator().invoices(org.tenantId).map((invoice) => invoice.InvoiceNumber));
    expect(new Set(numbers).size, 'no invoice twice').toBe(numbers.length);
    await context.close();
  });

  it('an export after the organisation removed the app in Xero says so, at the export and on the card', async () => {
    const { context, page } = await connectedPage();
    await exportInvoices(page);
    await see(panel(page).getByText(/^Exported 3 invoices to Xero/), 'the first export');
    const exported = invoicesInXero();

    await page.getByRole('button', { name: 'Remove the app in Xero' }).click();
    await see(page.getByText('The organisation removed the app in Xero', { exact: false }), 'the app removed');
    await exportInvoices(page);
    const notice = reconnectNotice(page);
    await see(notice.getByText(`${ORGANISATION} removed this app in Xero.`, { exact: false }), 'the notice naming the removal');
    await see(notice.getByRole('button', { name: 'Reconnect' }), 'Reconnect offered at the export');
    await see(billingCard(page).getByText(`${ORGANISATION} removed this app in Xero.`, { exact: false }), 'the card saying the same');
    expect(invoicesInXero()).toBe(exported);
    await checkStep(page, 'export-06-removed-in-xero');
    await page.getByLabel('Theme').selectOption('dark');
    await checkStep(page, 'export-07-removed-in-xero-dark');
    await context.close();
  });

  it('a viewer whose export meets the expired connection is told whom to ask, without a Reconnect that would fail', async () => {
    const { context, page } = await connectedPage();
    await page.getByRole('switch', { name: 'Keep connections alive' }).click();
    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(page.getByText('61 days pass unused: the refresh token expires'), 'the 61 days passed');
    await page.getByLabel('Signed in as').selectOption('carol');
    await page.waitForLoadState('load');
    const before = invoicesInXero();

    await exportInvoices(page);
    const notice = reconnectNotice(page);
    await see(notice.getByText('Ask an administrator to reconnect Xero Billing.'), 'whom to ask, at the export');
    expect(await notice.getByRole('button', { name: /Reconnect|Disconnect my account/ }).count(), 'no recovery buttons for a viewer').toBe(0);
    expect(invoicesInXero()).toBe(before);
    await checkStep(page, 'export-11-viewer');
    await context.close();
  });

  it("with today's Xero calls used up, the export says when to try again and offers no reconnect", async () => {
    const { context, page } = await connectedPage();
    const before = invoicesInXero();

    await page.getByRole('button', { name: "Use up today's Xero calls" }).click();
    await see(page.getByRole('button', { name: "Restore Xero's call limits" }), 'the limits lowered');
    await exportInvoices(page);
    await see(panel(page).getByRole('region', { name: /^Xero is busy: try this export again at .*\d{1,2}:\d{2}\s?[ap]m\.$/ }), 'try again at …');
    expect(await panel(page).getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    expect(await reconnectNotice(page).count()).toBe(0);
    await see(billingCard(page).getByText(`Connected to ${ORGANISATION}`), 'the card still connected');
    expect(invoicesInXero()).toBe(before);
    await checkStep(page, 'export-08-rate-limited');

    await page.getByRole('button', { name: "Restore Xero's call limits" }).click();
    await exportInvoices(page);
    await see(panel(page).getByRole('status').filter({ hasText: /^Exported 3 invoices to Xero/ }), 'the export once Xero takes calls again');
    expect(invoicesInXero()).toBe(before + 3);
    await context.close();
  });

  it('sends a week of timesheets to Xero Payroll, through its own connection', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const payroll = page.getByRole('region', { name: 'Xero Payroll', exact: true });
    await payroll.getByRole('button', { name: 'Connect to Xero' }).click();
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(payroll.getByText(`Connected to ${ORGANISATION}`), 'Xero Payroll connected');
    const before = emulator().organisations.reduce((sum, org) => sum + emulator().timesheets(org.tenantId).length, 0);

    await panel(page).getByRole('button', { name: 'Send timesheets to Xero' }).click();
    await see(panel(page).getByRole('status').filter({ hasText: /^Sent 2 timesheets to Xero: 75.5 hours/ }), 'the timesheets Xero saved');
    await see(page.getByText(`Timesheets in Xero: ${before + 2}`, { exact: true }), 'two timesheets more in Xero');
    await checkStep(page, 'export-10-timesheets');
    await context.close();
  });

  // Xero's clock moved 61 days and the browser's did not (as with a skewed laptop clock): every
  // relative date must be measured from the backend's "now", so nothing used is "in 2 months".
  // The demo's backend answers with Date on Xero's clock, as a server does on its own.
  it('no "Last used" date is in the future after Xero\'s clock moved', async () => {
    const { context, page } = await connectedPage();
    await exportInvoices(page);
    await see(panel(page).getByText(/^Exported 3 invoices to Xero/), 'the export');
    await page.getByRole('switch', { name: 'Keep connections alive' }).click();
    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(page.getByText('61 days pass unused: the refresh token expires'), 'the 61 days passed');
    await exportInvoices(page);
    await see(reconnectNotice(page).getByRole('button', { name: 'Reconnect' }), 'the export failed');
    await see(billingCard(page).getByText("The connection to Xero expired because it wasn't used for 60 days."), 'the card read again');
    await expectNoFutureLastUsed(page, 'the failed export');
    // The export was 61 days ago on Xero's clock: not "this minute" either.
    expect((await lastUsedTexts(page))[0], 'Xero Billing last used, 61 days later').not.toMatch(/this minute/);
    await reconnectNotice(page).getByRole('button', { name: 'Reconnect' }).click();
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(panel(page).getByRole('region', { name: 'Xero Billing is connected again.' }), 'the notice saying it is reconnected');
    await expectNoFutureLastUsed(page, 'the return from Xero');
    await panel(page).getByRole('button', { name: 'Retry export' }).click();
    await see(panel(page).getByRole('status').filter({ hasText: /^Exported 3 invoices to Xero/ }), 'the retried export');
    await expectNoFutureLastUsed(page, 'the retried export');
    await checkStep(page, 'export-09-dates-after-time-moved');
    await context.close();
  });
});
