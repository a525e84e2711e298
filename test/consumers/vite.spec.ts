import { join } from 'node:path';

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { APPS } from './apps';
import { disconnectThroughDialog, expectConnectedCard, launchChromium, newPage, runningReact, see, watchConsole } from './browser';
import { freePort, startServer } from './processes';

// A Vite + React single-page app, once on React 19 and once on React 18: the packed package's
// types checked by the app's own tsc (skipLibCheck off), bundled by `vite build`, served by
// `vite preview`, and the card driven in Chromium against ./testing's fake backend, which msw's
// service worker serves in the page.

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(['vite-react-19', 'vite-react-18'] as const)('%s', (name) => {
  const app = inject('consumerApps')[name];
  const { reactMajor } = APPS[name];

  it('type-checks against the packed types and builds with vite build', () => {
    expect(app.build.exitCode, app.build.output).toBe(0);
    // Shown in the run's output, for the record (e.g. Vite on the entries' "use client").
    const warnings = app.build.output.split('\n').filter((line) => /warn|\(!\)/i.test(line));
    if (warnings.length > 0) console.info(`[${name}] build warnings:\n${warnings.join('\n')}`);
  });

  it(`shows the connected card on React ${reactMajor}, and disconnects through the dialog, without a console warning`, async () => {
    const port = await freePort();
    const server = await startServer(join(app.dir, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], app.dir, port);
    const page = await newPage(browser);
    try {
      const problems = watchConsole(page);
      await page.goto(server.url);
      const react = await runningReact(page);
      expect(react).toMatch(reactMajor === 18 ? /^18\.3\.1$/ : /^19\.3\.\d+$/);
      console.info(`[${name}] the browser runs React ${react}`);
      await expectConnectedCard(page);
      await see(page.getByText('Headless hook says: connected'), 'the headless hook sharing the card\'s connection');
      await disconnectThroughDialog(page);
      await see(page.getByText('Headless hook says: disconnected'), 'the headless hook following the disconnect');
      expect(problems).toEqual([]);
    } finally {
      await page.context().close();
      await server.close();
    }
  });
});
