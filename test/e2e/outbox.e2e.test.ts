import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { checkStep, connectBilling, demoForThisFile, hasFocus, see, STEP_TIMEOUT, tabTo } from './support';

// Issue 17, end to end: a connection that needs a person emails the administrator once, with a link
// back to the portal; following it lands on the card with Reconnect focused, and the reconnect
// emails again to say it is fixed. The demo's Outbox panel shows what `deliverConnectionEvents`
// handed to the portal's `send`, with the handler's `reconnectUrl` as a real link.
const e2e = demoForThisFile();
const ORGANISATION = 'Sunrise Care Group';

const outbox = (page: Page) => page.getByRole('region', { name: 'Outbox' });
/** The emails' subjects, newest first. */
const subjects = (page: Page) => outbox(page).getByRole('listitem').getByRole('heading', { level: 3 }).allTextContents();

describe('the Outbox: an email when a connection needs a person, and the link back to the fix', () => {
  it('revoked in Xero → "needs reconnecting" once → its link → Reconnect focused → Enter → Allow → connected, emailed', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    // The card alone: the Direct Export panel's notice is a region whose name starts with "Xero Billing" too.
    const billing = page.getByRole('region', { name: 'Xero Billing', exact: true });
    await see(outbox(page).getByText('No emails yet.'), 'an empty outbox after Start over');
    await checkStep(page, 'outbox-01-empty');

    await connectBilling(page);
    await see(outbox(page).getByRole('heading', { name: `Xero Billing is connected to ${ORGANISATION}` }), 'the email saying it is connected');
    await checkStep(page, 'outbox-02-connected');

    // Revoked in Xero: the access token works a while; a week later keep-alive's refresh meets invalid_grant.
    await page.getByRole('button', { name: 'Revoke access in Xero' }).click();
    await see(page.getByText('Access was revoked in Xero'), 'the revoke');
    await page.getByRole('button', { name: 'Advance a week' }).click();
    const needsReconnecting = outbox(page).getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Xero Billing needs reconnecting' }) });
    await see(needsReconnecting, 'the email asking for a reconnect');
    await see(needsReconnecting.getByText(`Access to ${ORGANISATION} was revoked in Xero.`, { exact: false }), 'why, in the email');
    await see(outbox(page).getByRole('status').filter({ hasText: 'New email: Xero Billing needs reconnecting' }), 'the new email announced');
    await see(billing.getByText(`Access to ${ORGANISATION} was revoked in Xero.`, { exact: false }), 'the card saying the same');
    // Once, however often the page reads the outbox and the card reads the connection.
    await page.waitForTimeout(2_500);
    await billing.getByRole('button', { name: 'Check connection' }).click().catch(() => undefined);
    await page.waitForTimeout(2_500);
    expect((await subjects(page)).filter((subject) => subject === 'Xero Billing needs reconnecting'), 'one email per event').toHaveLength(1);
    await checkStep(page, 'outbox-03-needs-reconnecting');
    await page.getByLabel('Theme').selectOption('dark');
    await checkStep(page, 'outbox-04-needs-reconnecting-dark');
    await page.getByLabel('Theme').selectOption('light');

    // The link: a real link to this page, same tab, reached and followed with the keyboard.
    const link = needsReconnecting.getByRole('link', { name: 'Reconnect Xero Billing' });
    const href = await link.getAttribute('href');
    expect(href).toBe(`${e2e.demo.url}?xero=reconnect&xeroIntegration=%2Fapi%2Fintegrations%2Fxero-billing`);
    expect(await link.getAttribute('target')).toBeNull();
    await tabTo(page, link, 'the email’s link', 80);
    await Promise.all([page.waitForURL((url) => url.searchParams.get('xero') === 'reconnect', { timeout: STEP_TIMEOUT }), page.keyboard.press('Enter')]);

    // The landing: the card says why it was brought up and Reconnect has the focus.
    await see(billing.getByText('You followed a link asking you to reconnect Xero Billing.', { exact: false }), 'the line about the link');
    const reconnect = billing.getByRole('button', { name: 'Reconnect' });
    await expect.poll(() => hasFocus(reconnect), { timeout: STEP_TIMEOUT, message: 'Reconnect focused on landing' }).toBe(true);
    expect(new URL(page.url()).searchParams.get('xero'), 'the link’s parameters taken off the URL').toBeNull();
    expect(page.url().startsWith(e2e.demo.url), 'the same tab, on the portal').toBe(true);
    // Still one email after the page was loaded afresh.
    await see(needsReconnecting, 'the outbox after the landing');
    expect((await subjects(page)).filter((subject) => subject === 'Xero Billing needs reconnecting')).toHaveLength(1);
    await checkStep(page, 'outbox-05-landed-from-the-link');

    // Enter on the focused button: Xero's consent page; Allow; back, connected.
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { name: /Allow access/ }), "the emulator's consent page");
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the organisation connected again');
    // The email saying it is fixed: the card's Reconnect is DELETE then the round trip, and the
    // connection after a disconnect of one that needed reconnecting is `recovered`.
    const fixed = /^Xero Billing is connected again$/;
    const newest = outbox(page).getByRole('listitem').first();
    await see(newest.getByRole('heading', { name: fixed }), 'the email saying it is fixed');
    const all = await subjects(page);
    expect(all.indexOf('Xero Billing needs reconnecting'), 'the fix is newer than the request').toBeGreaterThan(0);
    expect(all.filter((subject) => subject === 'Xero Billing needs reconnecting')).toHaveLength(1);
    expect(await newest.getByRole('link').count(), 'nothing to follow when fixed').toBe(0);
    await checkStep(page, 'outbox-06-connected-again');
    await page.getByLabel('Theme').selectOption('dark');
    await checkStep(page, 'outbox-07-connected-again-dark');

    // Start over empties the outbox.
    await page.getByRole('button', { name: 'Start over' }).click();
    await see(outbox(page).getByText('No emails yet.'), 'the outbox emptied by Start over');
    await context.close();
  });
});
