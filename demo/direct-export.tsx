// The Direct Export panel: what the portal's export page does with the connection. Each button
// posts to the demo's own export route (demo/exports.ts, `handler.xeroFetch` behind it) with an
// export id made for that click, and shows the host's result: what Xero saved, the recovery at
// the point of failure (a reconnect problem), or "try again at …" (a rate limit or an outage).
// A failed export is kept in sessionStorage with its id, so it survives the round trip through
// Xero's consent page and **Retry export** sends the same export, which Xero applies once.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useState, type ReactNode } from 'react';

import { XeroConnectionProvider, useXeroConnection, xeroConnectionKeys } from '../src';
import { isXeroReconnectProblem, isXeroRetryLaterProblem, readXeroProblem } from '../src/client';
import type { Problem } from '../src/contract';
import { DEMO_EXPORTS, type DemoExportKind, type DemoState } from './demo-api';

type DemoExport = (typeof DEMO_EXPORTS)[number];

/** What one export came to, as the panel shows it. */
type ExportResult =
  | { kind: 'done'; text: string }
  /** Xero, or the route, refused it: no point retrying the same export. */
  | { kind: 'refused'; text: string }
  /** Xero cannot take it now: the same export later will. */
  | { kind: 'later'; text: string }
  /** The connection needs the recovery; `phase` says whether the user went to reconnect. */
  | { kind: 'reconnect'; problem: Problem; phase: 'failed' | 'reconnecting' };

interface ExportRun {
  exportId: string;
  result: ExportResult | null;
}

const STORAGE_KEY = 'demo-direct-export';

const dateTime = new Intl.DateTimeFormat('en-AU', { dateStyle: 'medium', timeStyle: 'short' });
const money = new Intl.NumberFormat('en-AU', { style: 'currency', currency: 'AUD' });

/** The run of each export kept across the round trip through Xero: only those that wait for a reconnect. */
function loadRuns(): Partial<Record<DemoExportKind, ExportRun>> {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Record<DemoExportKind, ExportRun>>;
  } catch {
    return {};
  }
}

function saveRun(kind: DemoExportKind, run: ExportRun): void {
  const runs = { ...loadRuns(), [kind]: run.result?.kind === 'reconnect' ? run : undefined };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(runs));
}

/** "Exported 3 invoices to Xero": what Xero's answer says it saved. */
function describeSaved(kind: DemoExportKind, body: unknown): string {
  if (kind === 'invoices') {
    const invoices = (body as { Invoices?: { InvoiceNumber?: string; Total?: number; Status?: string }[] }).Invoices ?? [];
    const total = invoices.reduce((sum, invoice) => sum + (invoice.Total ?? 0), 0);
    const numbers = invoices.map((invoice) => invoice.InvoiceNumber).filter(Boolean);
    return `Exported ${invoices.length} ${invoices.length === 1 ? 'invoice' : 'invoices'} to Xero: ${numbers.join(', ')}, ${money.format(total)} in all, saved as drafts.`;
  }
  const timesheets = (body as { Timesheets?: { Hours?: number }[] }).Timesheets ?? [];
  const hours = timesheets.reduce((sum, timesheet) => sum + (timesheet.Hours ?? 0), 0);
  return `Sent ${timesheets.length} ${timesheets.length === 1 ? 'timesheet' : 'timesheets'} to Xero: ${hours} hours, saved as drafts.`;
}

/** Xero's validation messages (400 ValidationException), or its title. */
function describeRefusal(status: number, body: unknown): string {
  const elements = (body as { Elements?: { ValidationErrors?: { Message?: string }[] }[] } | null)?.Elements ?? [];
  const messages = elements.flatMap((element) => element.ValidationErrors ?? []).map((error) => error.Message);
  return messages.length > 0 ? `Xero refused the export: ${[...new Set(messages)].join(' ')}` : `The export failed: the portal answered ${status}.`;
}

async function runExport(item: DemoExport, exportId: string): Promise<ExportResult> {
  let response: Response;
  try {
    response = await fetch(`/api/exports/${item.kind}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ exportId }),
    });
  } catch {
    return { kind: 'later', text: 'The portal did not answer: try this export again in a moment.' };
  }
  const problem = await readXeroProblem(response);
  if (isXeroReconnectProblem(problem)) return { kind: 'reconnect', problem, phase: 'failed' };
  if (isXeroRetryLaterProblem(problem)) {
    // "At" on the backend's clock (its Date header), which is Xero's: the browser's may differ.
    const serverNow = Date.parse(response.headers.get('date') ?? '') || Date.now();
    const seconds = problem.retryAfterSeconds;
    return {
      kind: 'later',
      text:
        seconds === undefined
          ? 'Xero is busy: try this export again in a few minutes.'
          : `Xero is busy: try this export again at ${dateTime.format(new Date(serverNow + seconds * 1000))}.`,
    };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return { kind: 'done', text: describeSaved(item.kind, body) };
  return { kind: 'refused', text: problem?.detail ?? describeRefusal(response.status, body) };
}

/**
 * Stands in for `<XeroReconnectNotice>` until it lands: the problem's code, a Reconnect, and once
 * the connection is back, the host's retry.
 */
function ReconnectPlaceholder({
  title,
  problem,
  phase,
  canManage,
  onReconnecting,
  retryAction,
}: {
  title: string;
  problem: Problem;
  phase: 'failed' | 'reconnecting';
  canManage: boolean;
  onReconnecting: () => void;
  retryAction: ReactNode;
}) {
  const { state, reconnect, isReconnecting } = useXeroConnection({ canManage });
  const back = phase === 'reconnecting' && (state.status === 'connected' || state.status === 'expiring');
  if (back) {
    return (
      <div role="status" className="export-notice" data-state="reconnected">
        <p>{title} is reconnected. The export can run now.</p>
        {retryAction}
      </div>
    );
  }
  // Why, as far as the connection says (the card beside it says the same, at length).
  const why =
    state.status !== 'needs_reauth'
      ? ''
      : state.reason === 'tenant_removed_in_xero'
        ? ` ${state.tenant?.tenantName ?? 'The organisation'} removed the app in Xero.`
        : state.reason === 'refresh_token_revoked'
          ? ' Access was revoked in Xero.'
          : ' The connection expired unused.';
  return (
    <div role="alert" className="export-notice">
      <p>
        {title} needs reconnecting before this export can run ({problem.code}).{why}
      </p>
      {canManage ? (
        <button
          type="button"
          data-xc-button="primary"
          aria-disabled={isReconnecting}
          onClick={() => {
            if (isReconnecting) return;
            onReconnecting();
            void reconnect();
          }}
        >
          Reconnect
        </button>
      ) : (
        <p>Ask an administrator to reconnect it.</p>
      )}
    </div>
  );
}

function ExportAction({ item, title, basePath, canManage, onExported }: { item: DemoExport; title: string; basePath: string; canManage: boolean; onExported: () => void }) {
  const queryClient = useQueryClient();
  const headingId = useId();
  const [run, setRun] = useState<ExportRun | null>(() => loadRuns()[item.kind] ?? null);
  const [busy, setBusy] = useState(false);

  const update = useCallback(
    (next: ExportRun) => {
      saveRun(item.kind, next);
      setRun(next);
    },
    [item.kind],
  );

  const send = async (exportId: string) => {
    if (busy) return;
    setBusy(true);
    update({ exportId, result: null });
    try {
      const result = await runExport(item, exportId);
      update({ exportId, result });
      // The host tells the package what it met: every card for this integration reads the connection again.
      if (result.kind === 'reconnect') await queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.connection(basePath) });
      if (result.kind === 'done') onExported();
    } finally {
      setBusy(false);
    }
  };

  const result = run?.result ?? null;
  const retry =
    run === null ? null : (
      <button type="button" data-xc-button="primary" aria-disabled={busy} onClick={() => void send(run.exportId)}>
        Retry export
      </button>
    );
  return (
    <div className="export-action" aria-labelledby={headingId} role="group">
      <h3 id={headingId}>
        {item.kind === 'invoices' ? 'Invoices' : 'Timesheets'} <span className="export-integration">· {title}</span>
      </h3>
      <button type="button" data-xc-button="secondary" aria-disabled={busy} data-pending={busy ? '' : undefined} onClick={() => void send(crypto.randomUUID())}>
        {item.label}
      </button>
      {/* Polite, and there from the start, so every result is announced. */}
      <p role="status" className="export-result" data-result={result?.kind}>
        {busy ? 'Sending to Xero…' : result !== null && result.kind !== 'reconnect' ? result.text : ''}
      </p>
      {result?.kind === 'reconnect' && run !== null ? (
        <ReconnectPlaceholder
          title={title}
          problem={result.problem}
          phase={result.phase}
          canManage={canManage}
          onReconnecting={() => update({ exportId: run.exportId, result: { ...result, phase: 'reconnecting' } })}
          retryAction={retry}
        />
      ) : null}
    </div>
  );
}

/** The panel beside the cards: one export per integration the demo has. */
export function DirectExport({ state, onExported }: { state: DemoState; onExported: () => void }) {
  const canManage = state.users.find((user) => user.id === state.user)?.canManage ?? false;
  return (
    <section className="direct-export" aria-labelledby="direct-export-title">
      <h2 id="direct-export-title">Direct Export</h2>
      <p className="export-hint">The portal&apos;s own export page: its backend sends to Xero through the connection.</p>
      {DEMO_EXPORTS.map((item) => {
        const integration = state.integrations.find((candidate) => candidate.id === item.integrationId);
        return integration === undefined ? null : (
          <XeroConnectionProvider key={item.kind} baseUrl={integration.basePath}>
            <ExportAction item={item} title={integration.title} basePath={integration.basePath} canManage={canManage} onExported={onExported} />
          </XeroConnectionProvider>
        );
      })}
    </section>
  );
}
