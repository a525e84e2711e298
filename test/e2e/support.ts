import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

import { startDemo, type DemoOptions, type RunningDemo } from '../../demo/server';
import { chromiumArgs, chromiumExecutable } from '../support/chromium';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Where screenshots go; CI keeps test-results/ as the run's artefacts. */
export const SCREENSHOT_DIR = join(import.meta.dirname, '../../test-results/e2e');

/** How long a step may take to show up. Generous: 2 cores, Vite transforming on first load. */
export const STEP_TIMEOUT = 20_000;

export interface E2E {
  demo: RunningDemo;
  browser: Browser;
  /** A fresh browser profile (cookies, storage) on the demo, with nothing connected. */
  newContext(): Promise<BrowserContext>;
}

/** What a test file may choose about its demo: the strict-CSP page, keep-alive (default on, as in `npm start`). */
export type FileDemoOptions = Pick<DemoOptions, 'strictCspPage' | 'keepAlive'>;

/**
 * The whole stack for one test file: the demo server (emulator + reference backend + Vite page)
 * on a free port, and Debian's Chromium. Each test starts from "Start over" in a new profile.
 */
export function demoForThisFile(options: FileDemoOptions | (() => Promise<FileDemoOptions>) = {}): E2E {
  const e2e = {} as E2E;
  beforeAll(async () => {
    const extra = typeof options === 'function' ? await options() : options;
    e2e.demo = await startDemo({ port: 0, logLevel: 'warn', realXero: null, ...extra });
    e2e.browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs, headless: true });
    e2e.newContext = async () => {
      const response = await fetch(new URL('/demo/reset', e2e.demo.url), { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
      return e2e.browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-AU', timezoneId: 'Australia/Sydney' });
    };
  }, 120_000);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.demo?.close();
  });
  return e2e;
}

/** The card for `title`: a region named by its heading. */
export function card(page: Page, title = 'Xero Billing'): Locator {
  return page.getByRole('region', { name: title });
}

/** Connects Xero Billing through the emulator's consent page (its default choice) and waits for `organisation`. */
export async function connectBilling(page: Page, organisation = 'Sunrise Care Group'): Promise<void> {
  const billing = card(page);
  await billing.getByRole('button', { name: 'Connect to Xero' }).click();
  await page.getByRole('button', { name: 'Allow access' }).click();
  await see(billing.getByText(`Connected to ${organisation}`), 'the connected organisation');
}

/** Waits until `locator` is visible, with the step's name in the failure. */
export async function see(locator: Locator, what: string): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  } catch (error) {
    // What the page showed instead is the first thing a reader of the failure needs.
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = join(SCREENSHOT_DIR, `FAILED ${what.replace(/[^\w -]+/g, '')}.png`);
    await locator.page().screenshot({ path: file, fullPage: true }).catch(() => undefined);
    throw new Error(`Expected to see ${what} (screenshot: ${file}): ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

/**
 * Runs axe on the whole page (light or dark as the page is) and fails on any violation, listed
 * readably; then keeps a screenshot named after the step.
 */
export async function checkStep(page: Page, name: string): Promise<void> {
  // Evaluated rather than added as a <script>: a page under a strict CSP refuses inline scripts.
  await page.evaluate(readFileSync(axeSource, 'utf8'));
  // Animations finish first, so contrast is measured on the final colours.
  await page.evaluate(() => Promise.allSettled(document.getAnimations().map((animation) => animation.finished)));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  expect(violations, `axe violations at step "${name}"`).toEqual([]);
}

/**
 * Presses Tab until `target` has the focus (at most `limit` times), like a keyboard user looking
 * for a control. Never clicks.
 */
export async function tabTo(page: Page, target: Locator, what: string, limit = 40): Promise<void> {
  await target.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  for (let presses = 0; presses < limit; presses += 1) {
    if (await hasFocus(target)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${what} never received the focus after ${limit} presses of Tab`);
}

/** Whether `target` has the focus now. */
export function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === document.activeElement);
}

/** Posts a demo control, as the "Demo controls" buttons do. */
export async function demoControl(demo: RunningDemo, path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(new URL(`/demo${path}`, demo.url), { method: 'POST', body: JSON.stringify(body) });
  expect(response.status, `demo control ${path}`).toBe(200);
}
