import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumArgs, chromiumExecutable } from '../support/chromium';

// The stories run as tests (the `storybook` projects), but the MDX docs pages do not: a broken
// expression in MDX only shows when the page renders. After `npm run build-storybook`, open every
// docs page of the static build in Chromium and fail on any error it shows.

const root = resolve(import.meta.dirname, '../../storybook-static');
const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(root, 'index.json'))) throw new Error('storybook-static/ is missing: run `npm run build-storybook` first.');
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(root, path === '' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

const docsPages = existsSync(join(root, 'index.json'))
  ? Object.values((JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { entries: Record<string, { id: string; type: string }> }).entries)
      .filter((entry) => entry.type === 'docs')
      .map((entry) => entry.id)
  : [];

describe('the built Storybook', () => {
  it('has a docs page per component and one for portal developers', () => {
    expect(docsPages).toEqual(expect.arrayContaining(['portal-developers--docs', 'xeroconnectioncard--docs', 'disconnectdialog--docs']));
  });

  it.each(docsPages)('renders %s without errors', async (id) => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    await page.goto(`${origin}/iframe.html?id=${id}&viewMode=docs`);
    await page.locator('.sbdocs-content').first().waitFor({ timeout: 20_000 });
    // Let the stories on the page load their fake backends and render.
    await page.waitForTimeout(1_500);
    expect(await page.locator('body.sb-show-errordisplay').count(), 'Storybook shows its error display').toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 40_000);
});
