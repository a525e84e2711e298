// Invoice writes through `handler.xeroFetch` (dist/server.js, as shipped) against the local Xero
// emulator with its minute limit lowered: how fast calls go, how many 429s the handler met and
// waited out, how many reached the caller, and whether any invoice was created twice. Time is the
// emulator's clock, moved by the handler's own waits (its `sleep`), so a run that would take minutes
// at Xero's pace takes seconds; wall time is reported beside it.
import { benchHandler, connectAccounts, startFrozenEmulator, type Server } from './emulated-backend';

const INVOICES = '/api.xro/2.0/Invoices';

/** One scenario's figures. */
export interface ExportFigures {
  label: string;
  writes: number;
  /** How the writes were issued: one after another, or all at once. */
  issued: 'sequential' | 'concurrent';
  emulatorMinuteLimit: number;
  pacing: number;
  /** Writes answered 200 to the caller. */
  succeeded: number;
  /** Rejections the caller saw, by code. */
  rejected: Record<string, number>;
  /** 429s Xero (the emulator) answered, all waited out unless counted in `rejected`. */
  rateLimitedAtXero: number;
  /** Answers lost on purpose (502 after the write was applied), each sent again with its key. */
  lostAnswers: number;
  /** Write requests that reached Xero, resends included. */
  xeroRequests: number;
  /** Invoices Xero holds, and how many references appear more than once. */
  invoicesInXero: number;
  duplicates: number;
  /** Most calls Xero accepted in one of its fixed minute windows (emulated clock). */
  peakPerWindow: number;
  emulatedSeconds: number;
  wallSeconds: number;
}

interface Scenario {
  label: string;
  writes: number;
  issued: 'sequential' | 'concurrent';
  minuteLimit: number;
  pacing?: number;
  /** Every n-th write's answer is lost (0: none). */
  loseEvery?: number;
}

export const EXPORT_SCENARIOS: readonly Scenario[] = [
  { label: '100 writes, one after another, Xero limit lowered to 30/min, default pacing (60/min)', writes: 100, issued: 'sequential', minuteLimit: 30 },
  { label: '100 writes at once, same limit and pacing', writes: 100, issued: 'concurrent', minuteLimit: 30 },
  { label: '100 writes at once, pacing set to the limit (tenantCallsPerMinute: 30)', writes: 100, issued: 'concurrent', minuteLimit: 30, pacing: 30 },
  { label: '100 writes at once, every 10th answer lost after Xero applied it (502)', writes: 100, issued: 'concurrent', minuteLimit: 30, loseEvery: 10 },
];

/**
 * The most calls Xero accepted in one of its fixed windows. Xero's (and the emulator's) minute
 * window starts with an organisation's first call and the next one when it ends; calls here come
 * in every window, so the windows are `first + k × 60 s`.
 */
function peakPerWindow(times: readonly number[], windowMs: number): number {
  const first = Math.min(...times);
  const perWindow = new Map<number, number>();
  for (const time of times) {
    const window = Math.floor((time - first) / windowMs);
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
  }
  return Math.max(0, ...perWindow.values());
}

async function runScenario(scenario: Scenario): Promise<ExportFigures> {
  const server = (await import('../dist/server.js')) as Server;
  const { XeroConnectionHandlerError } = server;
  const emulator = await startFrozenEmulator();
  try {
    const handler = benchHandler(server, emulator, scenario.pacing === undefined ? {} : { xeroFetch: { tenantCallsPerMinute: scenario.pacing } });
    await connectAccounts(handler, emulator);
    emulator.setApiLimits({ minute: scenario.minuteLimit });
    const tenantId = emulator.organisations[0]?.tenantId ?? '';
    const lostAnswers = scenario.loseEvery === undefined ? 0 : Math.floor(scenario.writes / scenario.loseEvery);
    if (lostAnswers > 0) emulator.failNext(INVOICES, { status: 502, afterApplying: true }, lostAnswers);
    const firstRequest = emulator.requests.length;

    const rejected: Record<string, number> = {};
    let succeeded = 0;
    const write = async (index: number) => {
      try {
        const response = await handler.xeroFetch(INVOICES, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Invoices: [{ Type: 'ACCREC', Contact: { Name: `Resident ${index}` }, Reference: `bench-${index}`, LineItems: [{ Description: 'Care', Quantity: 1, UnitAmount: 100 }] }] }),
        });
        if (response.status === 200) succeeded += 1;
        else rejected[`HTTP ${response.status}`] = (rejected[`HTTP ${response.status}`] ?? 0) + 1;
        await response.body?.cancel();
      } catch (error) {
        const code = error instanceof XeroConnectionHandlerError ? error.code : String(error);
        rejected[code] = (rejected[code] ?? 0) + 1;
      }
    };

    const emulatedStart = emulator.now().getTime();
    const wallStart = performance.now();
    if (scenario.issued === 'sequential') for (let index = 0; index < scenario.writes; index += 1) await write(index);
    else await Promise.all(Array.from({ length: scenario.writes }, (_, index) => write(index)));
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const emulatedSeconds = (emulator.now().getTime() - emulatedStart) / 1000;

    const calls = emulator.requests.slice(firstRequest).filter((entry) => entry.path.toLowerCase() === INVOICES.toLowerCase());
    const started = calls.filter((entry) => entry.status !== 429).map((entry) => Date.parse(entry.at));
    const references = emulator.invoices(tenantId).map((invoice) => String(invoice.Reference));
    return {
      label: scenario.label,
      writes: scenario.writes,
      issued: scenario.issued,
      emulatorMinuteLimit: scenario.minuteLimit,
      pacing: scenario.pacing ?? 60,
      succeeded,
      rejected,
      rateLimitedAtXero: calls.filter((entry) => entry.status === 429).length,
      lostAnswers,
      xeroRequests: calls.length,
      invoicesInXero: references.length,
      duplicates: references.length - new Set(references).size,
      peakPerWindow: peakPerWindow(started, 60_000),
      emulatedSeconds,
      wallSeconds,
    };
  } finally {
    await emulator.close();
  }
}

/** Every scenario, one after another. */
export async function measureExports(log: (line: string) => void): Promise<ExportFigures[]> {
  const figures: ExportFigures[] = [];
  for (const scenario of EXPORT_SCENARIOS) {
    log(`xeroFetch: ${scenario.label}`);
    figures.push(await runScenario(scenario));
  }
  return figures;
}

/** The section of bench/results.md. */
export function exportSection(figures: readonly ExportFigures[]): string {
  const rejected = (row: ExportFigures) =>
    Object.entries(row.rejected)
      .map(([code, count]) => `${count} ${code}`)
      .join(', ') || '0';
  return [
    '## 4. Invoice writes through `handler.xeroFetch`',
    '',
    'dist/server.js against the local Xero emulator, one organisation, its minute limit lowered with',
    '`setApiLimits({ minute })`; one invoice per write, each with its own Idempotency-Key (made by',
    '`xeroFetch`). Time is the emulator’s clock, moved only by the handler’s own waits. "Peak per',
    'window" is the most writes Xero accepted in one of its fixed minute windows (resends included).',
    '"429s met" were answered by Xero and waited out by the handler; "rejected" is what reached the caller.',
    '',
    '| scenario | succeeded | rejected | 429s met | peak per window | writes sent (resends incl.) | invoices in Xero | duplicates | emulated time | wall time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (row) =>
        `| ${row.label} | ${row.succeeded}/${row.writes} | ${rejected(row)} | ${row.rateLimitedAtXero} | ${row.peakPerWindow} (limit ${row.emulatorMinuteLimit}) | ${row.xeroRequests} | ${row.invoicesInXero} | ${row.duplicates} | ${row.emulatedSeconds.toFixed(0)} s | ${row.wallSeconds.toFixed(2)} s |`,
    ),
  ].join('\n');
}

/** What stands out in these figures, for run.ts's list; still no pass/fail. */
export function exportNotes(figures: readonly ExportFigures[]): string[] {
  const notes: string[] = [];
  for (const row of figures) {
    if (row.duplicates > 0) notes.push(`xeroFetch "${row.label}": ${row.duplicates} invoice(s) created twice.`);
    if (row.succeeded < row.writes) notes.push(`xeroFetch "${row.label}": ${row.writes - row.succeeded} write(s) did not succeed.`);
    if (row.peakPerWindow > row.emulatorMinuteLimit) notes.push(`xeroFetch "${row.label}": ${row.peakPerWindow} calls in one minute window, over the limit of ${row.emulatorMinuteLimit}.`);
  }
  return notes;
}

// `tsx bench/export.ts`: this section alone (after `npm run build`).
if (process.argv[1]?.endsWith('bench/export.ts') === true) {
  measureExports((line) => console.log(`[bench] ${line}`))
    .then((figures) => console.log(`\n${exportSection(figures)}`))
    .catch((error: unknown) => {
      console.error('[bench] failed:', error);
      process.exitCode = 1;
    });
}
