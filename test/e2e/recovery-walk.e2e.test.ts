import { describe, expect, it } from 'vitest';

import { card, checkStep, hasFocus, see, tabTo, demoForThisFile } from './support';

// The help page's recovery, end to end in Debian's Chromium: the demo portal page, the reference
// backend and the local Xero emulator, nothing mocked. Connect, let the token go unused past its
// lifetime, meet the expired explanation, Disconnect my account → No → Disconnect my account →
// Yes, then set Xero Billing up again and land on the same organisation.
// Keep-alive off: the help page's story is a token left unused until it expires.
const e2e = demoForThisFile({ keepAlive: false });
const ORGANISATION = 'Sunrise Care Group';

describe('the recovery walk, by mouse', () => {
  it('connects, expires, disconnects after No then Yes, and reconnects to the same organisation', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = card(page);

    await see(billing.getByText('Not connected to Xero'), 'a card that was never connected');
    await checkStep(page, 'mouse-01-not-connected');

    await billing.getByRole('button', { name: 'Connect to Xero' }).click();
    await see(page.getByRole('heading', { name: /Allow access/ }), "the emulator's consent page");
    expect(new URL(page.url()).origin).toBe(e2e.demo.emulator?.url);
    await checkStep(page, 'mouse-02-consent');
    await page.getByRole('button', { name: 'Allow access' }).click();

    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the connected organisation');
    // Announced politely, in the card's status region, with the status it explains.
    await see(billing.getByRole('status').filter({ hasText: `You connected ${ORGANISATION} to Xero Billing.` }), 'the connected outcome');
    // The return cleaned up after itself: no ?xero= left in the address bar.
    expect(new URL(page.url()).search).toBe('');
    await checkStep(page, 'mouse-03-connected');

    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(billing.getByText("The connection to Xero expired because it wasn't used for 60 days."), 'the expired explanation');
    await checkStep(page, 'mouse-04-expired');

    await billing.getByRole('button', { name: 'Disconnect my account' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Disconnect ${ORGANISATION} from Xero Billing?` });
    await see(dialog, 'the confirm dialog');
    await checkStep(page, 'mouse-05-confirm');
    await dialog.getByRole('button', { name: 'No, keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // No changes nothing: the connection is still there, still expired.
    await see(billing.getByText(/expired because it wasn't used/), 'the unchanged card after No');
    expect(e2e.demo.emulator?.connections().map((item) => item.tenantName)).toEqual([ORGANISATION]);

    await billing.getByRole('button', { name: 'Disconnect my account' }).click();
    await dialog.getByRole('button', { name: 'Yes, disconnect' }).click();
    await see(billing.getByText('Your Xero account has been disconnected.'), 'the disconnection succeeded');
    await see(billing.getByText('Not connected', { exact: true }), 'the disconnected badge');
    // The grant had already expired, so Xero could not be told: the card says where to finish the job.
    await see(billing.getByText(/To remove the app in Xero too, go to Settings › Connected apps/), 'where to remove the app in Xero');
    await checkStep(page, 'mouse-06-disconnected');

    await billing.getByRole('button', { name: 'Set up Xero Billing again' }).click();
    await see(page.getByRole('heading', { name: /Allow access/ }), "the emulator's consent page again");
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the same organisation connected again');
    await checkStep(page, 'mouse-07-reconnected');
    expect(e2e.demo.emulator?.connections().map((item) => item.tenantName)).toEqual([ORGANISATION]);
    await context.close();
  });
});

describe('the recovery walk, by keyboard alone', () => {
  it('walks the same path with Tab, Enter and Escape, with the focus where a keyboard user needs it', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.demo.url);
    const billing = card(page);

    const connect = billing.getByRole('button', { name: 'Connect to Xero' });
    await tabTo(page, connect, 'Connect to Xero');
    await page.keyboard.press('Enter');
    const allow = page.getByRole('button', { name: 'Allow access' });
    await tabTo(page, allow, 'Allow access on the consent page');
    await page.keyboard.press('Enter');
    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the connected organisation');
    await checkStep(page, 'keyboard-01-connected');

    await tabTo(page, page.getByRole('button', { name: 'Leave unused for 61 days' }), 'the demo control');
    await page.keyboard.press('Enter');
    await see(billing.getByText(/expired because it wasn't used for 60 days/), 'the expired explanation');

    const disconnectMyAccount = billing.getByRole('button', { name: 'Disconnect my account' });
    await tabTo(page, disconnectMyAccount, 'Disconnect my account');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog');
    await see(dialog, 'the confirm dialog');
    // Radix puts the focus on the safe answer: Enter right away means No.
    expect(await hasFocus(dialog.getByRole('button', { name: 'No, keep it' }))).toBe(true);
    await checkStep(page, 'keyboard-02-confirm');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect(await hasFocus(disconnectMyAccount), 'focus back on the button that opened the dialog').toBe(true);

    // Escape is also No.
    await page.keyboard.press('Enter');
    await see(dialog, 'the confirm dialog again');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await hasFocus(disconnectMyAccount)).toBe(true);
    await see(billing.getByText(/expired because it wasn't used/), 'the unchanged card');

    await page.keyboard.press('Enter');
    const yes = dialog.getByRole('button', { name: 'Yes, disconnect' });
    await tabTo(page, yes, 'Yes, disconnect', 3);
    await page.keyboard.press('Enter');
    await see(billing.getByText('Your Xero account has been disconnected.'), 'the disconnection succeeded');
    await checkStep(page, 'keyboard-03-disconnected');

    const setUpAgain = billing.getByRole('button', { name: 'Set up Xero Billing again' });
    await tabTo(page, setUpAgain, 'Set up Xero Billing again');
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('button', { name: 'Allow access' }), 'Allow access on the consent page');
    await page.keyboard.press('Enter');
    await see(billing.getByText(`Connected to ${ORGANISATION}`), 'the same organisation connected again');
    await checkStep(page, 'keyboard-04-reconnected');
    await context.close();
  });
});
