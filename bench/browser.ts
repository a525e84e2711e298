// The in-browser figures, in Debian's Chromium driven by playwright-core (never a downloaded
// browser), against the bench stack of bench/server.ts: the real reference backend over HTTP.
import { chromium, type Browser, type Page } from 'playwright-core';

import { chromiumArgs, chromiumExecutable } from '../test/support/chromium';
import { BENCH_BASE_PATH, BENCH_CARD_TITLE, type BenchApi, type CardsLayout, type MountTiming } from './page/bench-api';
import type { BenchStack, PageBuild } from './server';

/** Timed mounts; the first mount of a page is reported on its own (cold code), not among them. */
export const MOUNT_RUNS = 30;
/** Fresh pages per commit count: React's commit count is near-deterministic, so a few show any spread. */
export const COMMIT_RUNS = 5;
export const HEAP_CYCLES = 1000;
/** A commit count is read once the Profiler has been quiet this long (Radix's exit animation included). */
const QUIET_MS = 400;
const STEP_TIMEOUT_MS = 10_000;

type CardAction = 'initial load to status' | 'open disconnect dialog' | 'cancel' | 'confirm disconnect';

export interface BrowserFigures {
  chromiumVersion: string;
  firstMount: MountTiming;
  mounts: MountTiming[];
  /** Per action: the commit counts of every run. */
  commits: Record<CardAction, number[]>;
  /** The same open and cancel on Radix's AlertDialog alone. */
  plainRadix: Record<'open disconnect dialog' | 'cancel', number[]>;
  /** `GET /connection` requests the browser sent, per page variant. */
  requests: { label: string; cards: number; layout: CardsLayout | null; getConnection: number; other: string }[];
  heap: {
    cycles: number;
    seconds: number;
    before: HeapSample;
    after: HeapSample;
    /** After a second batch of as many cycles: growth that goes on there is what a leak looks like. */
    afterTwice: HeapSample;
    /** Growth over the first batch by heap-snapshot node type (code, object, string, …), KiB, largest first. */
    growthByType: [string, number][];
    requestsDuring: number;
  };
}

export interface HeapSample {
  usedBytes: number;
  nodes: number;
  listeners: number;
}

/** Calls a `window.__bench` method in the page, typed by BenchApi. */
function call<K extends keyof BenchApi>(page: Page, method: K, ...args: Parameters<BenchApi[K]>): Promise<Awaited<ReturnType<BenchApi[K]>>> {
  return page.evaluate(
    ([name, params]) => {
      const api = window.__bench;
      if (!api) throw new Error('the bench page did not load (window.__bench is missing)');
      return (api[name] as (...values: unknown[]) => unknown)(...params);
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<BenchApi[K]>>>;
}

/** Every uncaught exception or console error of any bench page; any one fails the bench at the end. */
const pageErrors: string[] = [];

async function openPage(browser: Browser, stack: BenchStack, build: PageBuild): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-AU', timezoneId: 'Australia/Sydney' });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${build} page: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${build} page console: ${message.text()} (${message.location().url})`);
  });
  await page.goto(stack.pageUrl(build));
  await page.waitForFunction(() => window.__bench !== undefined, undefined, { timeout: STEP_TIMEOUT_MS });
  return page;
}

/** Waits until the Profiler has seen no commit for QUIET_MS, then returns the count. */
async function settledCommits(page: Page): Promise<number> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while ((await call(page, 'msSinceLastCommit')) < QUIET_MS) {
    if (Date.now() > deadline) throw new Error(`React kept committing for ${STEP_TIMEOUT_MS} ms`);
    await page.waitForTimeout(50);
  }
  return call(page, 'commits');
}

async function commitRun(browser: Browser, stack: BenchStack): Promise<Record<CardAction, number>> {
  await stack.connect();
  const page = await openPage(browser, stack, 'profiling');
  try {
    const card = page.getByRole('region', { name: BENCH_CARD_TITLE });
    await call(page, 'resetCommits');
    await call(page, 'mountProfiled');
    await card.getByText(/^Connected to /).waitFor({ timeout: STEP_TIMEOUT_MS });
    const initial = await settledCommits(page);

    const dialog = page.getByRole('alertdialog');
    const disconnect = card.getByRole('button', { name: 'Disconnect', exact: true });
    const { open, cancel } = await openAndCancel(page, () => disconnect.click());

    // Opening again is not counted: it is the same action as above.
    await disconnect.click();
    await dialog.waitFor({ timeout: STEP_TIMEOUT_MS });
    await settledCommits(page);
    await call(page, 'resetCommits');
    await dialog.getByRole('button', { name: 'Yes, disconnect' }).click();
    await card.getByText('Your Xero account has been disconnected.').waitFor({ timeout: STEP_TIMEOUT_MS });
    await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
    const confirm = await settledCommits(page);

    return { 'initial load to status': initial, 'open disconnect dialog': open, cancel, 'confirm disconnect': confirm };
  } finally {
    await page.context().close();
  }
}

/** Counts the commits of opening the page's alert dialog with `trigger`, then of "No, keep it". */
async function openAndCancel(page: Page, trigger: () => Promise<void>): Promise<{ open: number; cancel: number }> {
  const dialog = page.getByRole('alertdialog');
  await call(page, 'resetCommits');
  await trigger();
  await dialog.waitFor({ timeout: STEP_TIMEOUT_MS });
  const open = await settledCommits(page);
  await call(page, 'resetCommits');
  await dialog.getByRole('button', { name: 'No, keep it' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  const cancel = await settledCommits(page);
  return { open, cancel };
}

async function plainRadixRun(browser: Browser, stack: BenchStack): Promise<{ open: number; cancel: number }> {
  const page = await openPage(browser, stack, 'profiling');
  try {
    await call(page, 'mountPlainRadixDialog');
    const trigger = page.getByRole('button', { name: 'Open plain Radix dialog' });
    await trigger.waitFor({ timeout: STEP_TIMEOUT_MS });
    await settledCommits(page);
    return await openAndCancel(page, () => trigger.click());
  } finally {
    await page.context().close();
  }
}

async function countRequests(browser: Browser, stack: BenchStack, cards: number, layout: CardsLayout): Promise<{ getConnection: number; other: string }> {
  await stack.connect();
  const page = await openPage(browser, stack, 'production');
  try {
    const seen: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith(`${BENCH_BASE_PATH}/`)) seen.push(`${request.method()} ${url.pathname.slice(BENCH_BASE_PATH.length)}`);
    });
    await call(page, 'mountCards', cards, layout);
    // Anything a mount sends late (a refetch, a second provider's read) would come within this.
    await page.waitForTimeout(1000);
    const getConnection = seen.filter((entry) => entry === 'GET /connection').length;
    const other = seen.filter((entry) => entry !== 'GET /connection');
    return { getConnection, other: other.length === 0 ? 'none' : other.join(', ') };
  } finally {
    await page.context().close();
  }
}

async function heapSample(page: Page): Promise<HeapSample> {
  const cdp = await page.context().newCDPSession(page);
  try {
    // Twice: the first pass can leave garbage that only became unreachable during it (weak maps).
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
    return { usedBytes: usedSize, nodes, listeners: jsEventListeners };
  } finally {
    await cdp.detach();
  }
}

interface HeapSnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
}

/**
 * Self sizes in a heap snapshot, summed by node type. Tells growth in V8's compiled code (the JIT
 * warming up: bounded) from growth in objects and strings (what a leak retains).
 */
async function bytesByNodeType(page: Page): Promise<Map<string, number>> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  try {
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    await cdp.detach();
  }
  const { snapshot, nodes } = JSON.parse(chunks.join('')) as HeapSnapshotJson;
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const typeAt = fields.indexOf('type');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, number>();
  for (let index = 0; index < nodes.length; index += fields.length) {
    const type = types[nodes[index + typeAt] ?? -1] ?? 'unknown';
    totals.set(type, (totals.get(type) ?? 0) + (nodes[index + sizeAt] ?? 0));
  }
  return totals;
}

export async function measureInBrowser(stack: BenchStack, log: (line: string) => void): Promise<BrowserFigures> {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs, headless: true });
  try {
    const chromiumVersion = browser.version();

    log(`mount → status: 1 + ${MOUNT_RUNS} mounts`);
    await stack.connect();
    const timingPage = await openPage(browser, stack, 'production');
    const firstMount = await call(timingPage, 'timeMount');
    const mounts: MountTiming[] = [];
    for (let run = 0; run < MOUNT_RUNS; run += 1) mounts.push(await call(timingPage, 'timeMount'));
    await timingPage.context().close();

    log(`commits per action: ${COMMIT_RUNS} fresh pages, and as many with Radix's dialog alone`);
    const commits: BrowserFigures['commits'] = { 'initial load to status': [], 'open disconnect dialog': [], cancel: [], 'confirm disconnect': [] };
    const plainRadix: BrowserFigures['plainRadix'] = { 'open disconnect dialog': [], cancel: [] };
    for (let run = 0; run < COMMIT_RUNS; run += 1) {
      const counts = await commitRun(browser, stack);
      for (const key of Object.keys(commits) as CardAction[]) commits[key].push(counts[key]);
      const radix = await plainRadixRun(browser, stack);
      plainRadix['open disconnect dialog'].push(radix.open);
      plainRadix.cancel.push(radix.cancel);
    }

    log('requests: 1 card, 10 cards three ways');
    const variants: [string, number, CardsLayout][] = [
      ['1 card', 1, 'one-provider'],
      ['10 cards, one provider', 10, 'one-provider'],
      ['10 cards, 10 providers, one QueryClientProvider', 10, 'providers-shared-client'],
      ['10 cards, 10 providers, no QueryClientProvider', 10, 'providers-own-client'],
    ];
    const requests: BrowserFigures['requests'] = [];
    for (const [label, cards, layout] of variants) requests.push({ label, cards, layout, ...(await countRequests(browser, stack, cards, layout)) });

    log(`heap: ${HEAP_CYCLES} mount/unmount cycles, then ${HEAP_CYCLES} more`);
    await stack.connect();
    const heapPage = await openPage(browser, stack, 'production');
    // A few cycles first, so lazily compiled code, the query cache entry and Radix's module state
    // exist before the baseline and are not counted as growth.
    await call(heapPage, 'cycle', 10);
    const before = await heapSample(heapPage);
    const typesBefore = await bytesByNodeType(heapPage);
    const readsBefore = stack.backendRequests.get('GET /connection') ?? 0;
    const started = performance.now();
    await call(heapPage, 'cycle', HEAP_CYCLES);
    const seconds = (performance.now() - started) / 1000;
    const requestsDuring = (stack.backendRequests.get('GET /connection') ?? 0) - readsBefore;
    const after = await heapSample(heapPage);
    const typesAfter = await bytesByNodeType(heapPage);
    await call(heapPage, 'cycle', HEAP_CYCLES);
    const afterTwice = await heapSample(heapPage);
    await heapPage.context().close();
    const growthByType = [...typesAfter]
      .map(([type, bytes]): [string, number] => [type, (bytes - (typesBefore.get(type) ?? 0)) / 1024])
      .filter(([, kib]) => Math.abs(kib) >= 1)
      .sort((a, b) => b[1] - a[1]);

    if (pageErrors.length > 0) throw new Error(`the bench pages reported errors:\n  ${pageErrors.join('\n  ')}`);
    return {
      chromiumVersion,
      firstMount,
      mounts,
      commits,
      plainRadix,
      requests,
      heap: { cycles: HEAP_CYCLES, seconds, before, after, afterTwice, growthByType, requestsDuring },
    };
  } finally {
    await browser.close();
  }
}
