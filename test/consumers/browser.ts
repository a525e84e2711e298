import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

import { chromiumArgs, chromiumExecutable } from '../support/chromium';
import { FIXTURE_ORGANISATION } from './apps';

/** How long anything may take to show up: 2 cores, cold pages. */
export const STEP_TIMEOUT = 30_000;

/** Debian's Chromium, as the e2e tests launch it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs, headless: true });
}

/** A fresh profile in the time zone and locale of the portal's users (the server runs in UTC). */
export async function newPage(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-AU', timezoneId: 'Australia/Sydney', ...options });
  return context.newPage();
}

/**
 * Every console warning and error and every uncaught error of `page`, from now on (React's
 * hydration mismatches arrive as one or the other, depending on the build).
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Waits until `locator` is visible, naming `what` in the failure. */
export async function see(locator: Locator, what: string): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  } catch (error) {
    const shown = await locator.page().locator('body').innerText().catch(() => '(page unreadable)');
    throw new Error(`Expected to see ${what}; the page shows:\n${shown}`, { cause: error });
  }
}

/** The card: a region named by its heading. */
export function card(page: Page): Locator {
  return page.getByRole('region', { name: 'Xero Billing' });
}

/** What every app shows once the fake backend has answered: the card, connected to the fixture's organisation. */
export async function expectConnectedCard(page: Page): Promise<void> {
  await see(card(page), 'the "Xero Billing" region');
  await expect.poll(() => card(page).getByRole('heading', { level: 2 }).innerText()).toBe('Xero Billing');
  await see(card(page).getByText(`Connected to ${FIXTURE_ORGANISATION}`), 'the connected status');
  // The stylesheet (`@carevision/xero-connection/styles.css`) reached the page through the app's bundler.
  const radius = await card(page).evaluate((element) => getComputedStyle(element).getPropertyValue('--xc-radius').trim());
  expect(radius, 'the theme custom properties from styles.css').toMatch(/^0?\.75rem$/); // minifiers drop the 0
}

/** The disconnect flow through the Radix dialog, against the fake backend's DELETE. */
export async function disconnectThroughDialog(page: Page): Promise<void> {
  await card(page).getByRole('button', { name: 'Disconnect', exact: true }).click();
  const dialog = page.getByRole('alertdialog', { name: `Disconnect ${FIXTURE_ORGANISATION} from Xero Billing?` });
  await see(dialog, 'the confirmation dialog');
  await dialog.getByRole('button', { name: 'Yes, disconnect' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  await see(card(page).getByText('Your Xero account has been disconnected.'), 'the disconnected notice');
  await see(card(page).getByText('Not connected', { exact: true }), 'the "Not connected" badge');
  // The dialog closed and the card put keyboard focus on the next step, not on <body>.
  const setUpAgain = card(page).getByRole('button', { name: 'Set up Xero Billing again' });
  await see(setUpAgain, 'the "Set up Xero Billing again" button');
  await expect.poll(() => setUpAgain.evaluate((element) => element === document.activeElement)).toBe(true);
}

/** The React version the page reports ("Running React 18.3.1"). */
export async function runningReact(page: Page): Promise<string> {
  const line = page.getByText(/^Running React /);
  await see(line, 'the React version line');
  return (await line.innerText()).replace('Running React ', '');
}
