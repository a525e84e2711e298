// `npm run bench`: one run that prints figures and writes bench/results.md. Figures, not tests:
// nothing here passes or fails on a number; it exits non-zero only when something actually broke.
//
//   1. bundle bytes of our entries beside other connect-an-account wrappers (bench/sizes.ts);
//   2. in Debian's Chromium against the real reference backend: mount → status time, React commits
//      per user action, requests for 10 cards vs 1 (bench/browser.ts);
//   3. JS heap before and after 1,000 mount/unmount cycles of the card;
//   4. invoice writes through handler.xeroFetch against the emulator with lowered limits (bench/export.ts).
//
// It measures the BUILT package (dist/), as shipped; it never builds it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { COMMIT_RUNS, MOUNT_RUNS, measureInBrowser, type BrowserFigures } from './browser';
import { exportNotes, exportSection, measureExports } from './export';
import { ensureOthers, kb, measureSizes, type SizeRow } from './sizes';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results.md', import.meta.url));
const started = performance.now();
const log = (line: string) => console.log(`[bench] ${line}`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** Nearest-rank percentile: a value that was actually observed. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** "4" when every run agreed, "4 (3–5)" when they did not. */
function counts(values: readonly number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? `${low}` : `${median(values)} (${low}–${high})`;
}

/** Files under `dir` changed after `since`: the figures describe dist/, which may lag them. */
function filesNewerThan(dir: string, since: number): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter(
    (entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > since,
  ).length;
}

function machine(chromiumVersion: string): string {
  const cpu = cpus();
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores; RAM ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node ${process.version}; Chromium ${chromiumVersion} (/usr/bin/chromium, headless, playwright-core)`,
    `- commit ${commit}; dist/ built ${statSync(join(ROOT, 'dist/index.js')).mtime.toISOString()}; run ${new Date().toISOString()}`,
  ].join('\n');
}

function sizeTable(rows: readonly SizeRow[]): string {
  const lines = [
    '| import | minified | gzip | budget (.size-limit.cjs) | largest bundled packages (minified) | loads at runtime from a remote origin (not in the bytes) |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const row of rows) {
    lines.push(`| ${row.entry} | ${kb(row.minBytes)} | ${kb(row.gzipBytes)} | ${row.budget ?? '—'} | ${row.largest} | ${row.remote} |`);
  }
  return lines.join('\n');
}

function signedKib(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(1)} KiB`;
}

function browserSection(figures: BrowserFigures): string {
  const times = figures.mounts.map((run) => run.ms);
  const requestTimes = figures.mounts.flatMap((run) => (run.requestMs === null ? [] : [run.requestMs]));
  const { heap } = figures;
  const first = heap.after.usedBytes - heap.before.usedBytes;
  const second = heap.afterTwice.usedBytes - heap.after.usedBytes;
  const plain = figures.plainRadix as Partial<Record<string, number[]>>;
  return [
    '## 2. In Chromium, against the real reference backend',
    '',
    'Backend: `createXeroConnectionHandler` from dist/server.js with `createMemoryConnectionStore()`, over',
    'node:http on 127.0.0.1, against the local Xero emulator (src/server/emulator); connected beforehand',
    'through the emulator’s consent page (the real OAuth round trip, run from Node; not the ./testing fake).',
    'Page: bench/page/, bundled by esbuild from dist/ with dist/styles.css, React’s production build (react-dom’s',
    'profiling build for the commit counts, the only production build that calls Profiler onRender).',
    '',
    '| measure | figure |',
    '| --- | --- |',
    `| mount → "connected" in the DOM, ${MOUNT_RUNS} mounts, fresh QueryClient each | median ${ms(median(times))}, p90 ${ms(percentile(times, 90))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}) |`,
    `| of which \`GET /connection\` (Resource Timing, start → responseEnd) | median ${ms(median(requestTimes))}, p90 ${ms(percentile(requestTimes, 90))} |`,
    `| first mount on a fresh page (cold code, not among the ${MOUNT_RUNS}) | ${ms(figures.firstMount.ms)} |`,
    ...figures.requests.map(
      (variant) => `| HTTP requests, ${variant.label} | ${variant.getConnection} × \`GET /connection\`; other: ${variant.other} |`,
    ),
    '',
    `React commits per user action (React.Profiler onRender calls around provider + card, counted until`,
    `${COMMIT_RUNS} fresh pages each went quiet; "n (a–b)" when runs differed), beside Radix’s AlertDialog alone:`,
    '',
    '| action | card | Radix AlertDialog alone |',
    '| --- | ---: | ---: |',
    ...Object.entries(figures.commits).map(([action, values]) => {
      const radix = plain[action];
      return `| ${action} | ${counts(values)} | ${radix ? counts(radix) : '—'} |`;
    }),
    '',
    `## 3. JS heap, mount/unmount cycles of provider + card`,
    '',
    'One app-wide QueryClient and one root; each cycle: mount, wait for "connected", one task, unmount,',
    'one task. Heap after `HeapProfiler.collectGarbage` (twice) by `Runtime.getHeapUsage`, DOM counters by',
    '`Memory.getDOMCounters`; baseline after 10 warm-up cycles.',
    '',
    `| | before | after ${heap.cycles} | after ${heap.cycles * 2} |`,
    '| --- | ---: | ---: | ---: |',
    `| JS heap used | ${mib(heap.before.usedBytes)} | ${mib(heap.after.usedBytes)} (${signedKib(first)}, ${(first / heap.cycles).toFixed(0)} B/cycle) | ${mib(heap.afterTwice.usedBytes)} (${signedKib(second)}, ${(second / heap.cycles).toFixed(0)} B/cycle) |`,
    `| DOM nodes | ${heap.before.nodes} | ${heap.after.nodes} | ${heap.afterTwice.nodes} |`,
    `| JS event listeners | ${heap.before.listeners} | ${heap.after.listeners} | ${heap.afterTwice.listeners} |`,
    '',
    `Growth over the first ${heap.cycles} by heap-snapshot node type: ${heap.growthByType.map(([type, kib]) => `${type} ${kib >= 0 ? '+' : ''}${kib.toFixed(1)} KiB`).join(', ') || 'none'}.`,
    `The first ${heap.cycles} cycles took ${heap.seconds.toFixed(1)} s and sent ${heap.requestsDuring} \`GET /connection\` (within the 30 s staleTime the cache answers).`,
  ].join('\n');
}

/** Plain statements of what stands out, for the reader who skims; still no pass/fail. */
function observations(sizes: readonly SizeRow[], figures: BrowserFigures, newerSources: number): string[] {
  const notes: string[] = [];
  if (newerSources > 0) notes.push(`${newerSources} file(s) under src/ changed after dist/ was built: the figures describe dist/ as built, not those changes.`);
  for (const row of sizes) {
    if (row.budget === null) continue;
    const limit = Number.parseFloat(row.budget) * 1000;
    if (row.gzipBytes > limit) notes.push(`${row.entry}: ${kb(row.gzipBytes)} gzip, over its .size-limit.cjs budget of ${row.budget}.`);
  }
  const one = figures.requests.find((variant) => variant.cards === 1)?.getConnection ?? 0;
  for (const variant of figures.requests.filter((item) => item.cards > 1)) {
    if (variant.getConnection > one) notes.push(`${variant.label}: ${variant.getConnection} \`GET /connection\` against ${one} for 1 card.`);
  }
  for (const [action, values] of Object.entries(figures.commits)) {
    if (Math.min(...values) !== Math.max(...values)) notes.push(`commits for "${action}" varied between runs: ${values.join(', ')}.`);
  }
  const { heap } = figures;
  const first = heap.after.usedBytes - heap.before.usedBytes;
  const second = heap.afterTwice.usedBytes - heap.after.usedBytes;
  const code = heap.growthByType.find(([type]) => type === 'code')?.[1] ?? 0;
  if (first > 0) {
    notes.push(
      `heap: ${signedKib(first)} over the first ${heap.cycles} cycles (${code.toFixed(1)} KiB of it V8 compiled code), ` +
        `${signedKib(second)} over the next ${heap.cycles}: ${second < first / 4 ? 'it levels off, as JIT warm-up does; a leak would keep growing' : 'it keeps growing: look for retained objects'}.`,
    );
  }
  if (heap.afterTwice.nodes > heap.before.nodes) notes.push(`${heap.afterTwice.nodes - heap.before.nodes} more DOM nodes after the cycles than before.`);
  if (heap.afterTwice.listeners > heap.before.listeners) notes.push(`${heap.afterTwice.listeners - heap.before.listeners} more event listeners after the cycles than before.`);
  return notes;
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/index.js')) || !existsSync(join(ROOT, 'dist/server.js')) || !existsSync(join(ROOT, 'dist/styles.css'))) {
    console.error('[bench] dist/ is missing or incomplete: run npm run build first (the bench measures the built package).');
    process.exitCode = 1;
    return;
  }
  const newerSources = filesNewerThan(join(ROOT, 'src'), statSync(join(ROOT, 'dist/index.js')).mtimeMs);

  await ensureOthers(log);
  log('bundle sizes (esbuild, minified, gzip -9)');
  const sizes = await measureSizes();

  // Imported only now: server.ts loads dist/server.js, which must exist (checked above).
  const { startBenchStack } = await import('./server');
  log('starting the emulator, the reference backend and the bench page');
  const stack = await startBenchStack();
  let figures: BrowserFigures;
  try {
    figures = await measureInBrowser(stack, log);
  } finally {
    await stack.close();
  }

  const exports = await measureExports(log);

  const wall = (performance.now() - started) / 1000;
  const notes = [...observations(sizes, figures, newerSources), ...exportNotes(exports)];
  const report = [
    '# Bench results (`npm run bench`, one run)',
    '',
    machine(figures.chromiumVersion),
    `- wall time of the whole run: ${wall.toFixed(1)} s`,
    '',
    '## 1. Bundle bytes',
    '',
    'esbuild, minified, tree-shaken, gzip level 9, as size-limit’s esbuild preset and scripts/size-why.mjs',
    'bundle one import (without size-limit’s ~46 B empty-project correction). Ours from dist/ with react,',
    'react-dom and @tanstack/react-query external; the others with react and react-dom external and their',
    'own dependencies bundled, installed at bench time into bench/.cache/.',
    '',
    sizeTable(sizes),
    '',
    browserSection(figures),
    '',
    exportSection(exports),
    '',
    '## What stands out',
    '',
    ...(notes.length === 0 ? ['- nothing beyond the figures above.'] : notes.map((note) => `- ${note}`)),
    '',
  ].join('\n');
  await writeFile(RESULTS, report);
  console.log(`\n${report}`);
  log(`wrote bench/results.md in ${wall.toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error('[bench] failed:', error);
  process.exitCode = 1;
});
