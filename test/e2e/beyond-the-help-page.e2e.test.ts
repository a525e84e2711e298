import { describe, expect, it } from 'vitest';

import { card, checkStep, connectBilling, hasFocus, see, demoForThisFile, tabTo } from './support';

// Issue 8, end to end in Debian's Chromium against the demo as `npm start` runs it (keep-alive on):
// a year passes and the connection stays connected; the switch turns keep-alive off and the help
// page's expiry comes back; one consent covering two organisations ends with exactly the chosen
// one linked, in the card and in (emulated) Xero.
const e2e = demoForThisFile();
const FIRST = 'Sunrise Care Group';
const SECOND = 'Harbour View Homes';

describe('keep-alive in the demo', () => {
  it('keeps the connection connected through a year unused, and the switch brings the expiry back', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = card(page);
    const keepAlive = page.getByRole('switch', { name: 'Keep connections alive' });
    await see(keepAlive, 'the keep-alive switch');
    expect(await keepAlive.getAttribute('aria-checked')).toBe('true');

    await connectBilling(page);
    await see(billing.getByText('Kept active automatically'), 'the keep-alive line instead of a countdown');
    const refreshesBefore = e2e.demo.emulator?.tokenCalls('refresh_token') ?? 0;

    await page.getByRole('button', { name: 'Advance a year' }).click();
    const announced = page.getByRole('status').filter({ hasText: /A year passes unused: keep-alive refreshed \d+ times, so nothing expired/ });
    await see(announced, 'what the year did, announced');
    // A daily run refreshes a token once it is 7 days old: every 7 or 8 days over 365, per connection.
    const refreshes = Number(/refreshed (\d+) times/.exec((await announced.textContent()) ?? '')?.[1]);
    expect(refreshes).toBeGreaterThanOrEqual(45);
    expect(refreshes).toBeLessThanOrEqual(53);
    expect((e2e.demo.emulator?.tokenCalls('refresh_token') ?? 0) - refreshesBefore).toBeGreaterThanOrEqual(refreshes);
    await see(billing.getByText(`Connected to ${FIRST}`), 'still connected after a year');
    await see(billing.getByText(/^Kept active automatically — last refreshed/), 'when keep-alive last refreshed');
    await expect.poll(() => billing.getByText(/Expires in|expired/).count()).toBe(0);
    await checkStep(page, 'keep-alive-01-a-year-later');

    // Keyboard: the switch is a button with role switch, so Space toggles it like any switch.
    await tabTo(page, keepAlive, 'the keep-alive switch');
    await page.keyboard.press('Space');
    await expect.poll(() => keepAlive.getAttribute('aria-checked')).toBe('false');
    expect(await hasFocus(keepAlive)).toBe(true);
    await see(page.getByRole('status').filter({ hasText: 'Keep-alive turned off' }), 'the switch announced');
    // Without keep-alive the card stops promising it; the countdown shows only inside the warning window.
    await expect.poll(() => billing.getByText(/Kept active automatically/).count()).toBe(0);
    await see(billing.getByText(`Connected to ${FIRST}`), 'still connected, for now');

    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(page.getByRole('status').filter({ hasText: '61 days pass unused: the refresh token expires' }), 'the expiry announced');
    await see(billing.getByText("The connection to Xero expired because it wasn't used for 60 days."), 'the expired explanation');
    await checkStep(page, 'keep-alive-02-off-and-expired');
    await context.close();
  });
});

describe('one consent, two organisations', () => {
  it('waits for a choice, links only the organisation picked and removes the other in Xero', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = card(page);

    await billing.getByRole('button', { name: 'Connect to Xero' }).click();
    await see(page.getByRole('heading', { name: /Allow access/ }), "the emulator's consent page");
    await page.getByRole('checkbox', { name: SECOND }).check();
    expect(await page.getByRole('checkbox', { name: FIRST }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Allow access' }).click();

    const picker = billing.getByRole('group', { name: 'Which organisation should Xero Billing use?' });
    await see(picker, 'the organisation picker');
    // Nothing is exported until a choice is made, and nothing is chosen for the user.
    await expect.poll(() => picker.getByRole('radio', { checked: true }).count()).toBe(0);
    expect(await picker.getByRole('radio').count()).toBe(2);
    expect(e2e.demo.emulator?.connections().map((item) => item.tenantName).sort()).toEqual([SECOND, FIRST].sort());
    await checkStep(page, 'organisations-01-picker');

    // Keyboard: into the group, arrows to the second organisation (arrows select, as in any radio group).
    await tabTo(page, picker.getByRole('radio').first(), 'the first organisation');
    await page.keyboard.press('ArrowDown');
    const second = picker.getByRole('radio', { name: new RegExp(SECOND) });
    await expect.poll(() => second.isChecked()).toBe(true);
    // Enter on a radio submits the choice, as in any form.
    await page.keyboard.press('Enter');

    await see(billing.getByText(`Connected to ${SECOND}`), 'the chosen organisation connected');
    // The picker is gone; the keyboard user's focus must not have fallen to <body> with it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName ?? 'none')).not.toBe('BODY');
    expect(await billing.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    await see(page.getByText(new RegExp(`Organisations connected in Xero: ${SECOND}\\.`)), 'only the chosen organisation left in Xero');
    expect(e2e.demo.emulator?.connections().map((item) => item.tenantName)).toEqual([SECOND]);
    await checkStep(page, 'organisations-02-chosen');
    await context.close();
  });

  it('a reconnect that comes back with the other organisation says so, and the user may keep the new one', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = card(page);
    await connectBilling(page);

    await page.getByRole('button', { name: 'Revoke access in Xero' }).click();
    await billing.getByRole('button', { name: 'Check connection' }).click();
    const reconnect = billing.getByRole('button', { name: 'Reconnect' });
    await see(reconnect, 'the reconnect action after the revoke');
    await reconnect.click();
    await see(page.getByRole('heading', { name: /Allow access/ }), "the emulator's consent page");
    // The user ticks the other organisation instead of the one Xero Billing exported to.
    await page.getByRole('checkbox', { name: FIRST }).uncheck();
    await page.getByRole('checkbox', { name: SECOND }).check();
    await page.getByRole('button', { name: 'Allow access' }).click();

    await see(billing.getByText(`You connected ${SECOND}, but Xero Billing was connected to ${FIRST}.`), 'the mismatch explained');
    await see(billing.getByRole('button', { name: 'Try again' }), 'a way back to Xero to choose again');
    await checkStep(page, 'organisations-03-mismatch');
    const keep = billing.getByRole('button', { name: `Use ${SECOND} instead` });
    await keep.focus();
    await page.keyboard.press('Enter');
    await see(billing.getByText(`Connected to ${SECOND}`), 'the new organisation kept');
    // The button pressed is gone; the focus stays in the card.
    await expect.poll(() => billing.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    // The revoked grant could not remove its own connection (Xero refuses a dead grant), so Xero
    // may still list the first organisation; what matters is that the new one is linked.
    expect(e2e.demo.emulator?.connections().map((item) => item.tenantName)).toContain(SECOND);
    await context.close();
  });
});
