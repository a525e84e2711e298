// `npm run bench:server` (after `npm run build`): the reference backend (dist/server.js, as shipped)
// under load against the local Xero emulator, with the SQLite and PostgreSQL stores. Figures, not
// tests: it prints them and writes bench/server-results.md, and exits non-zero only when something
// broke. PostgreSQL is a throwaway cluster of Debian's package (as the tests use), or the server in
// XERO_CONNECTION_TEST_DATABASE_URL.
//
//   1. 1,000 concurrent GET /connection over 100 connections, whose access tokens expire mid-run:
//      latency, errors, refresh calls at Xero (one per connection is right);
//   2. two handler instances on one PostgreSQL, 200 connections due, keep-alive run on both at
//      once: refresh calls at Xero (200 is right: none twice);
//   3. keep-alive over 10,000 due connections (SQLite, PostgreSQL): wall time, peak memory, and the
//      most refresh calls Xero saw in any minute (never above the configured pace is right).
//      `BENCH_KEEP_ALIVE_CONNECTIONS` sets another count.
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { XeroEmulator } from '../src/server/emulator/xero-emulator';
import { startTestDatabase } from '../test/server/postgres-cluster';
import { as, BASE_PATH, benchHandler, connectAccounts, ORIGIN, startFrozenEmulator, type Server } from './emulated-backend';

const RESULTS = fileURLToPath(new URL('./server-results.md', import.meta.url));
const KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const log = (line: string) => console.log(`[bench:server] ${line}`);

type Store = NonNullable<Parameters<Server['createXeroConnectionHandler']>[0]['store']>;

const refreshCalls = (emulator: XeroEmulator) => emulator.tokenCalls('refresh_token');

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface ReadFigures {
  store: string;
  requests: number;
  errors: number;
  expired: number;
  refreshCalls: number;
  p50: number;
  p99: number;
  max: number;
  wallSeconds: number;
}

/** 1,000 reads over 100 connections: 500 while tokens are fresh, then the clock passes their expiry, then 500 more. */
async function readsUnderExpiry(server: Server, storeName: string, store: Store): Promise<ReadFigures> {
  const emulator = await startFrozenEmulator();
  try {
    const handler = benchHandler(server, emulator, { store });
    const accounts = Array.from({ length: 100 }, (_, index) => `account-${String(index).padStart(3, '0')}`);
    await connectAccounts(handler, emulator, accounts);
    const before = refreshCalls(emulator);
    const latencies: number[] = [];
    let errors = 0;
    const read = async (accountId: string) => {
      const started = performance.now();
      const response = await handler(new Request(`${ORIGIN}${BASE_PATH}/connection`, { headers: as(accountId) }));
      const body = (await response.json()) as { status?: string };
      latencies.push(performance.now() - started);
      if (response.status !== 200 || body.status !== 'connected') errors += 1;
    };
    const wave = () => Promise.all(accounts.flatMap((accountId) => Array.from({ length: 5 }, () => read(accountId))));
    const wallStart = performance.now();
    emulator.advance(25 * MINUTE_MS);
    const first = wave();
    emulator.advance(6 * MINUTE_MS); // every access token is now past its 30 minutes
    await Promise.all([first, wave()]);
    return {
      store: storeName,
      requests: latencies.length,
      errors,
      expired: accounts.length,
      refreshCalls: refreshCalls(emulator) - before,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      wallSeconds: (performance.now() - wallStart) / 1000,
    };
  } finally {
    await emulator.close();
  }
}

interface KeepAliveFigures {
  due: number;
  refreshCalls: number;
  refreshedA: number;
  refreshedB: number;
  skipped: number;
  wallSeconds: number;
}

/** Two instances on one PostgreSQL, 200 connections due, keep-alive on both at once. */
async function keepAliveOnTwoInstances(server: Server, connectionString: string): Promise<KeepAliveFigures> {
  const emulator = await startFrozenEmulator();
  const schema = `bench_${Date.now()}`;
  const storeA = await server.createPostgresConnectionStore({ connectionString, schema, encryptionKey: KEY });
  const storeB = await server.createPostgresConnectionStore({ connectionString, schema, encryptionKey: KEY });
  try {
    const a = benchHandler(server, emulator, { store: storeA, keepAlive: true });
    const b = benchHandler(server, emulator, { store: storeB, keepAlive: true });
    const accounts = Array.from({ length: 200 }, (_, index) => `due-${String(index).padStart(3, '0')}`);
    await connectAccounts(a, emulator, accounts);
    emulator.advance(8 * DAY_MS);
    const before = refreshCalls(emulator);
    const wallStart = performance.now();
    const [runA, runB] = await Promise.all([a.refreshDueConnections(), b.refreshDueConnections()]);
    return {
      due: accounts.length,
      refreshCalls: refreshCalls(emulator) - before,
      refreshedA: runA.refreshed,
      refreshedB: runB.refreshed,
      skipped: runA.skipped + runB.skipped,
      wallSeconds: (performance.now() - wallStart) / 1000,
    };
  } finally {
    await storeA.close();
    await storeB.close();
    await emulator.close();
  }
}

interface ScaleFigures {
  store: string;
  due: number;
  refreshed: number;
  xeroCalls: number;
  callsPerMinute: number;
  busiestMinute: number;
  emulatedMinutes: number;
  wallSeconds: number;
  connectSeconds: number;
  heapBeforeMiB: number;
  heapPeakMiB: number;
  rssPeakMiB: number;
}

/** The most of `times` (ms, any order) that fall within any 60-second window. */
function busiestMinute(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= MINUTE_MS) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const MIB = 1024 * 1024;

/**
 * Keep-alive over `count` due connections on one store, 50 to an organisation (care providers'
 * organisations, 200 per 10,000), at the default pace (300 calls a minute). Memory is sampled
 * every 50 ms of real time over the run; the emulator runs in this process and counts too.
 */
async function keepAliveAtScale(server: Server, storeName: string, store: Store, count: number): Promise<ScaleFigures> {
  const organisations = Math.max(1, Math.ceil(count / 50));
  const emulator = await startFrozenEmulator(organisations);
  try {
    const handler = benchHandler(server, emulator, { store, keepAlive: true });
    const accounts = Array.from({ length: count }, (_, index) => `provider-${String(index).padStart(5, '0')}`);
    const connectStart = performance.now();
    // Each provider's own Xero user: Xero keeps connections per user, as care providers have theirs.
    await connectAccounts(handler, emulator, accounts, (accountId, index) => ({ xeroUserId: `xero-${accountId}`, tenantIds: [`org-${index % organisations}`] }));
    const connectSeconds = (performance.now() - connectStart) / 1000;
    emulator.advance(8 * DAY_MS);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let rssPeak = process.memoryUsage().rss;
    const sample = setInterval(() => {
      const usage = process.memoryUsage();
      heapPeak = Math.max(heapPeak, usage.heapUsed);
      rssPeak = Math.max(rssPeak, usage.rss);
    }, 50);
    const firstCall = emulator.requests.length;
    const emulatedStart = emulator.now().getTime();
    const wallStart = performance.now();
    const summary = await handler.refreshDueConnections();
    const wallSeconds = (performance.now() - wallStart) / 1000;
    clearInterval(sample);
    const calls = emulator.requests.slice(firstCall).filter((entry) => entry.grantType === 'refresh_token').map((entry) => Date.parse(entry.at));
    return {
      store: storeName,
      due: summary.due,
      refreshed: summary.refreshed,
      xeroCalls: calls.length,
      callsPerMinute: 300,
      busiestMinute: busiestMinute(calls),
      emulatedMinutes: (emulator.now().getTime() - emulatedStart) / MINUTE_MS,
      wallSeconds,
      connectSeconds,
      heapBeforeMiB: heapBefore / MIB,
      heapPeakMiB: heapPeak / MIB,
      rssPeakMiB: rssPeak / MIB,
    };
  } finally {
    await emulator.close();
  }
}

async function main(): Promise<void> {
  const startLoad = loadavg()[0] ?? 0;
  const server = (await import('../dist/server.js')) as Server;
  const database = await startTestDatabase(log);
  const directory = mkdtempSync(join(tmpdir(), 'bench-server-'));
  try {
    log('1,000 reads over 100 connections, tokens expiring mid-run: SQLite');
    const sqlite = await server.createSqliteConnectionStore({ filename: join(directory, 'bench.db'), encryptionKey: KEY });
    const reads = [await readsUnderExpiry(server, 'SQLite', sqlite)];
    sqlite.close();
    log('the same with PostgreSQL');
    const postgres = await server.createPostgresConnectionStore({ connectionString: database.connectionString, schema: `bench_reads_${Date.now()}`, encryptionKey: KEY });
    reads.push(await readsUnderExpiry(server, 'PostgreSQL', postgres));
    await postgres.close();
    log('keep-alive on two instances, 200 connections due');
    const keepAlive = await keepAliveOnTwoInstances(server, database.connectionString);
    const scaleCount = Number(process.env.BENCH_KEEP_ALIVE_CONNECTIONS ?? 10_000);
    log(`keep-alive over ${scaleCount} due connections: SQLite`);
    const scaleSqlite = await server.createSqliteConnectionStore({ filename: join(directory, 'scale.db'), encryptionKey: KEY });
    const scale = [await keepAliveAtScale(server, 'SQLite', scaleSqlite, scaleCount)];
    scaleSqlite.close();
    log('the same with PostgreSQL');
    const scalePostgres = await server.createPostgresConnectionStore({ connectionString: database.connectionString, schema: `bench_scale_${Date.now()}`, encryptionKey: KEY });
    scale.push(await keepAliveAtScale(server, 'PostgreSQL', scalePostgres, scaleCount));
    await scalePostgres.close();

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const report = [
      '# Server bench results (`npm run bench:server`, one run)',
      '',
      `- ${cpus().length} cores, Node ${process.version}; dist/server.js against the local Xero emulator on loopback; run ${new Date().toISOString()}`,
      `- Load average (1 min) at the start and the end: ${startLoad.toFixed(1)} / ${loadavg()[0]?.toFixed(1) ?? '?'}: latencies and wall times are this machine's at that load; the counts (errors, refresh calls, calls per minute) do not depend on it.`,
      '',
      '## 1. 1,000 concurrent `GET /connection` over 100 connections, access tokens expiring mid-run',
      '',
      '500 reads (5 per connection) start with fresh tokens; the emulator’s clock then passes every token’s 30 minutes and 500 more start while the first are in flight. Right is: 0 errors, one refresh per connection.',
      '',
      '| store | requests | errors | connections expired | refresh calls at Xero | p50 | p99 | max | wall |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...reads.map((row) => `| ${row.store} | ${row.requests} | ${row.errors} | ${row.expired} | ${row.refreshCalls} | ${ms(row.p50)} | ${ms(row.p99)} | ${ms(row.max)} | ${row.wallSeconds.toFixed(2)} s |`),
      '',
      '## 2. Keep-alive on two instances sharing one PostgreSQL',
      '',
      'Two handlers with their own stores (pools) on one schema; 200 connections due (8 days unused); `refreshDueConnections()` on both at once. Right is: 200 refresh calls, none twice (the advisory lock and the re-read under it).',
      '',
      '| due | refresh calls at Xero | refreshed by A | refreshed by B | skipped (refreshed by the other) | wall |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${keepAlive.due} | ${keepAlive.refreshCalls} | ${keepAlive.refreshedA} | ${keepAlive.refreshedB} | ${keepAlive.skipped} | ${keepAlive.wallSeconds.toFixed(2)} s |`,
      '',
      `## 3. Keep-alive over ${scaleCount.toLocaleString('en')} due connections`,
      '',
      `${scaleCount.toLocaleString('en')} care providers, each its own Xero user, 50 to an organisation, connected through the emulator’s consent page and left 8 days; one \`refreshDueConnections()\` at the default pace (300 calls a minute, 30 per organisation). Due connections are read 500 at a time. The emulator’s clock moves only by keep-alive’s own waits, so the emulated minutes are what the run would take against Xero; the wall time is this machine’s. Memory: \`process.memoryUsage()\` every 50 ms over the run, emulator included (it runs in this process and keeps every grant); “before” is after connecting${typeof (globalThis as { gc?: unknown }).gc === 'function' ? ' and a full GC' : ' (no --expose-gc: without a full GC)'}. Right is: every due connection refreshed once, and no minute above 300 calls.`,
      '',
      '| store | due | refreshed | refresh calls at Xero | busiest minute (calls) | pace | emulated run | wall (run) | wall (connecting) | heap before → peak | RSS peak |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...scale.map(
        (row) =>
          `| ${row.store} | ${row.due} | ${row.refreshed} | ${row.xeroCalls} | ${row.busiestMinute} | ${row.callsPerMinute}/min | ${row.emulatedMinutes.toFixed(1)} min | ${row.wallSeconds.toFixed(1)} s | ${row.connectSeconds.toFixed(1)} s | ${row.heapBeforeMiB.toFixed(0)} → ${row.heapPeakMiB.toFixed(0)} MiB | ${row.rssPeakMiB.toFixed(0)} MiB |`,
      ),
      '',
    ].join('\n');
    await writeFile(RESULTS, report);
    console.log(`\n${report}`);
    const broken =
      reads.some((row) => row.errors > 0 || row.refreshCalls !== row.expired) ||
      keepAlive.refreshCalls !== keepAlive.due ||
      scale.some((row) => row.due !== scaleCount || row.refreshed !== scaleCount || row.xeroCalls !== scaleCount || row.busiestMinute > row.callsPerMinute);
    if (broken) {
      console.error('[bench:server] a figure is not what is right (see above)');
      process.exitCode = 1;
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
    database.stop();
  }
}

main().catch((error: unknown) => {
  console.error('[bench:server] failed:', error);
  process.exitCode = 1;
});
