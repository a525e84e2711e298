import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

import { buildDemoPage } from '../../demo/server';
import { card, checkStep, see, demoForThisFile } from './support';

// The package under a strict Content-Security-Policy: the production build of the demo page,
// served with `default-src 'none'`, scripts and styles from the origin or with the response's
// nonce only (no 'unsafe-inline', no 'unsafe-eval'). Every violation the browser reports, caught
// or not (a `new Function` probe inside a try still reports one), fails the walk.
const outDir = mkdtempSync(join(tmpdir(), 'xero-connection-csp-page-'));
const e2e = demoForThisFile(async () => ({ strictCspPage: await buildDemoPage(outDir), keepAlive: false }));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

interface Violation {
  directive: string;
  blockedURI: string;
  sample: string;
}

/** Records every CSP violation of the page (and its console's "Refused to …" lines). */
async function watchViolations(page: Page): Promise<{ refused: string[] }> {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: Violation[] = [];
    (window as unknown as { __cspViolations: Violation[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample });
    });
  });
  return { refused };
}

function violationsOf(page: Page): Promise<Violation[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations);
}

describe('under a strict Content-Security-Policy', () => {
  it('the page is really served with the policy (an inline script is refused)', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    const watch = await watchViolations(page);
    const response = await page.goto(e2e.demo.url);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+'/);
    // The control: the same check that must find nothing below does find an inline script.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
    });
    await expect.poll(() => violationsOf(page)).toEqual([expect.objectContaining({ directive: 'script-src-elem' })]);
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
    expect(watch.refused.length).toBeGreaterThan(0);
    await context.close();
  });

  it('connect, expiry, the confirm dialog, disconnect and reconnect report no violation', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    const watch = await watchViolations(page);
    await page.goto(e2e.demo.url);
    const billing = card(page);

    await billing.getByRole('button', { name: 'Connect to Xero' }).click();
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(billing.getByText('Connected to Sunrise Care Group'), 'the connected organisation');
    await page.getByRole('button', { name: 'Leave unused for 61 days' }).click();
    await see(billing.getByText("The connection to Xero expired because it wasn't used for 60 days."), 'the expired explanation');
    await billing.getByRole('button', { name: 'Disconnect my account' }).click();
    const dialog = page.getByRole('alertdialog');
    await see(dialog, 'the confirm dialog');
    // The scroll lock's <style> (with the page's nonce) really applied: the page behind is locked.
    expect(await page.evaluate(() => getComputedStyle(document.body).overflow)).toBe('hidden');
    await checkStep(page, 'strict-csp-dialog');
    await dialog.getByRole('button', { name: /^Yes/ }).click();
    await see(billing.getByRole('button', { name: 'Set up Xero Billing again' }), 'the way back');
    await billing.getByRole('button', { name: 'Set up Xero Billing again' }).click();
    await page.getByRole('button', { name: 'Allow access' }).click();
    await see(billing.getByText('Connected to Sunrise Care Group'), 'connected again');

    expect(await violationsOf(page)).toEqual([]);
    expect(watch.refused).toEqual([]);
    await context.close();
  });
});
