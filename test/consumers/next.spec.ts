import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { FIXTURE_ORGANISATION } from './apps';
import { card, disconnectThroughDialog, expectConnectedCard, launchChromium, newPage, runningReact, see, watchConsole } from './browser';
import { freePort, startServer, type RunningServer } from './processes';

// A Next.js App Router app: a server component renders <XeroConnectionProvider> and
// <XeroConnectionCard> straight from the package (its "use client" entry), dynamically on every
// request; a route handler serves ./testing's fake backend over real HTTP (msw's getResponse).
// Checked under `next start` (the production build) and `next dev` (where React reports every
// hydration mismatch, attributes included). A control page mismatches on purpose, to show the
// console capture sees React's hydration errors in each mode.

const app = inject('consumerApps').next;
const nextBin = join(app.dir, 'node_modules/.bin/next');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Server output lines that report a problem (Next marks errors with ⨯ and warnings with ⚠). */
function serverProblems(output: string): string[] {
  return output.split('\n').filter((line) => /⨯|⚠|error|warn/i.test(line));
}

/** The page server-rendered, as a user without JavaScript gets it: the card's loading markup. */
async function expectServerRenderedCard(server: RunningServer): Promise<void> {
  const page = await newPage(browser, { javaScriptEnabled: false });
  try {
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    await see(card(page).getByRole('heading', { level: 2, name: 'Xero Billing' }), 'the server-rendered card heading');
    await see(card(page).getByText('Checking the connection to Xero Billing…'), 'the server-rendered loading status');
    expect(await card(page).getAttribute('data-state')).toBe('loading');
  } finally {
    await page.context().close();
  }
}

/** The hydrated page: connected, disconnectable, and not one console warning or error. */
async function expectHydratedCard(server: RunningServer): Promise<void> {
  const page = await newPage(browser);
  try {
    const problems = watchConsole(page);
    await page.goto(server.url);
    await expectConnectedCard(page);
    const react = await runningReact(page);
    expect(react).toMatch(/^19\./);
    console.info(`[next] the browser runs React ${react} (Next's App Router bundles its own React)`);
    await disconnectThroughDialog(page);
    expect(problems).toEqual([]);
  } finally {
    await page.context().close();
  }
}

/** The control: a page that mismatches on purpose must be caught by the same capture. */
async function expectControlCaught(server: RunningServer): Promise<string[]> {
  const page: Page = await newPage(browser);
  try {
    const problems = watchConsole(page);
    await page.goto(new URL('/hydration-control', server.url).href);
    await see(page.getByText('Rendered on the client'), 'the control page after hydration');
    await expect.poll(() => problems.some((problem) => /hydrat|react\.dev\/errors\/418/i.test(problem)), { timeout: 10_000 }).toBe(true);
    return problems;
  } finally {
    await page.context().close();
  }
}

/** Serves the app with `next <mode>` and walks it: server markup, hydration, a clean log, the control. */
async function checkServedApp(mode: 'start' | 'dev'): Promise<void> {
  const port = await freePort();
  const server = await startServer(nextBin, [mode, '--port', String(port), '--hostname', '127.0.0.1'], app.dir, port);
  try {
    await expectServerRenderedCard(server);
    await expectHydratedCard(server);
    expect(serverProblems(server.output())).toEqual([]);
    await expectControlCaught(server);
  } finally {
    await server.close();
  }
}

describe('next (App Router, server rendering)', () => {
  it('builds with next build (which type-checks the app against the packed types)', () => {
    expect(app.build.exitCode, app.build.output).toBe(0);
    const warnings = serverProblems(app.build.output);
    if (warnings.length > 0) console.info(`[next] build warnings:\n${warnings.join('\n')}`);
  });

  it(`next start: server-renders the card, hydrates without a warning, connects to ${FIXTURE_ORGANISATION}, disconnects`, async () => {
    await checkServedApp('start');
  });

  it('next dev: hydrates without any React warning (dev reports attribute mismatches too)', async () => {
    await checkServedApp('dev');
  });
});
