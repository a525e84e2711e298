import { describe, expect, it } from 'vitest';

import { card, checkStep, connectBilling, see, demoForThisFile } from './support';

// The paths around the main walk, end to end: cancelling at Xero's consent, the organisation
// removing the app in Xero, a revoke, two tabs of the portal, a viewer, and the dark theme.
// Keep-alive off: these paths start from a token left unused until it expires, as in the help page.
const e2e = demoForThisFile({ keepAlive: false });
const ORGANISATION = 'Sunrise Care Group';

describe('around the recovery walk', () => {
  it('cancelling at the consent page changes nothing and says so', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = card(page);
    await billing.getByRole('button', { name: 'Connect to Xero' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await see(billing.getByText('You cancelled the connection in Xero. Nothing changed.'), 'the cancelled notice');
    await see(billing.getByText('Not connected to Xero'), 'the unchanged status');
    expect(e2e.demo.emulator?.connections()).toEqual([]);
    await checkStep(page, 'cancel-at-consent');
    await context.close();
  });

  it('notices the app removed in Xero on Check connection, and reconnects', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    await connectBilling(page);
    const billing = card(page);

    await page.getByRole('button', { name: 'Remove the app in Xero' }).click();
    await billing.getByRole('button', { name: 'Check connection' }).click();
    await see(billing.getByText(`${ORGANISATION} removed this app in Xero. Connect again to resume exports.`), 'the removed-in-Xero explanation');
    await checkStep(page, 'removed-in-xero');

    await billing.getByRole('button', { name: 'Reconnect' }).click();
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the organisation connected again');
    await context.close();
  });

  it('a revoke in Xero is explained as a revoke, not as an expiry', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    await connectBilling(page);
    const billing = card(page);

    await page.getByRole('button', { name: 'Revoke access in Xero' }).click();
    // The access token still works for up to 30 minutes; a week later the next read refreshes and meets invalid_grant.
    await page.getByRole('button', { name: 'Advance a week' }).click();
    await see(billing.getByText(`Access to ${ORGANISATION} was revoked in Xero.`, { exact: false }), 'the revoked explanation');
    await checkStep(page, 'revoked');
    await context.close();
  });

  it('a disconnect in one tab shows in the other without a reload', async () => {
    const context = await e2e.newContext();
    const first = await context.newPage();
    await first.goto(e2e.demo.url);
    await connectBilling(first);
    const second = await context.newPage();
    await second.goto(e2e.demo.url);
    await see(card(second).getByText(`Connected to ${ORGANISATION}`), 'the connection in the second tab');

    await card(first).getByRole('button', { name: 'Disconnect', exact: true }).click();
    await first.getByRole('alertdialog').getByRole('button', { name: 'Yes, disconnect' }).click();
    await see(card(first).getByText('Your Xero account has been disconnected.'), 'the disconnection in the first tab');
    await see(card(second).getByText('Not connected to Xero'), 'the disconnection in the second tab');
    await checkStep(second, 'two-tabs-second');
    await context.close();
  });

  it('a viewer sees the problem and who can fix it, without the buttons that would fail', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    await connectBilling(page);
    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(card(page).getByText(/expired because it wasn't used/), 'the expired explanation');

    await page.getByLabel('Signed in as').selectOption('carol');
    await page.waitForLoadState('load');
    const billing = card(page);
    await see(billing.getByText(/expired because it wasn't used/), 'the expired explanation for the viewer');
    await see(billing.getByText('Ask an administrator to reconnect Xero.'), 'who can fix it');
    await see(billing.getByRole('link', { name: /Alice Nguyen/ }), 'a way to reach the administrator');
    expect(await billing.getByRole('button', { name: 'Disconnect my account' }).count()).toBe(0);
    await checkStep(page, 'viewer');
    await context.close();
  });

  it('has no axe violations in the dark theme, with the confirm dialog open', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    await page.getByLabel('Theme').selectOption('dark');
    await connectBilling(page);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await checkStep(page, 'dark-connected');
    await card(page).getByRole('button', { name: 'Disconnect', exact: true }).click();
    await see(page.getByRole('alertdialog'), 'the confirm dialog');
    await checkStep(page, 'dark-confirm');
    await context.close();
  });
});
