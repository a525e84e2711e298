// The Direct Export panel: what the portal's export page does with the connection. Each button
// posts to the demo's own export route (demo/exports.ts, `handler.xeroFetch` behind it) with an
// export id made for that click, and shows the host's result: what Xero saved, or the problem in
// `<XeroReconnectNotice>` (the recovery at the point of failure, or "try again at …"). The id of
// an export waiting for a reconnect is kept in sessionStorage, so it survives the round trip
// through Xero's consent page and **Retry export** sends the same export, which Xero applies once.
import { useId, useState } from 'react';

import { XeroConnectionProvider, XeroReconnectNotice } from '../src';
import { isXeroReconnectProblem, isXeroRetryLaterProblem, readXeroProblem } from '../src/client';
import type { Problem } from '../src/contract';
import { clientFor } from './clients';
import { DEMO_ADMIN_CONTACT, DEMO_EXPORTS, type DemoExportKind, type DemoState } from './demo-api';

type DemoExport = (typeof DEMO_EXPORTS)[number];

/** What one export came to, as the panel shows it. */
type ExportResult =
  | { kind: 'done'; text: string }
  /** Xero, or the route, refused it: the same export again would be refused too. */
  | { kind: 'refused'; text: string }
  /** A reconnect or try-later problem: the notice's to show. */
  | { kind: 'problem'; problem: Problem };

interface ExportRun {
  exportId: string;
  result: ExportResult | null;
}

const STORAGE_KEY = 'demo-direct-export';

const money = new Intl.NumberFormat('en-AU', { style: 'currency', currency: 'AUD' });

/** The ids of the exports waiting for a reconnect, by kind. */
function waitingExports(): Partial<Record<DemoExportKind, string>> {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Record<DemoExportKind, string>>;
  } catch {
    return {};
  }
}

function rememberRun(kind: DemoExportKind, run: ExportRun): void {
  const waiting = run.result?.kind === 'problem' && isXeroReconnectProblem(run.result.problem);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ ...waitingExports(), [kind]: waiting ? run.exportId : undefined }));
}

/** "Exported 3 invoices to Xero: …": what Xero's answer says it saved. */
function describeSaved(kind: DemoExportKind, body: unknown): string {
  if (kind === 'invoices') {
    const invoices = (body as { Invoices?: { InvoiceNumber?: string; Total?: number }[] }).Invoices ?? [];
    const total = invoices.reduce((sum, invoice) => sum + (invoice.Total ?? 0), 0);
    const numbers = invoices.map((invoice) => invoice.InvoiceNumber).filter(Boolean);
    return `Exported ${invoices.length} ${invoices.length === 1 ? 'invoice' : 'invoices'} to Xero: ${numbers.join(', ')}, ${money.format(total)} in all, saved as drafts.`;
  }
  const timesheets = (body as { Timesheets?: { Hours?: number }[] }).Timesheets ?? [];
  const hours = timesheets.reduce((sum, timesheet) => sum + (timesheet.Hours ?? 0), 0);
  return `Sent ${timesheets.length} ${timesheets.length === 1 ? 'timesheet' : 'timesheets'} to Xero: ${hours} hours, saved as drafts.`;
}

/** Xero's validation messages (400 ValidationException), or the status. */
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
    return { kind: 'refused', text: 'The portal did not answer: try this export again in a moment.' };
  }
  const problem = await readXeroProblem(response);
  if (isXeroReconnectProblem(problem) || isXeroRetryLaterProblem(problem)) return { kind: 'problem', problem };
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return { kind: 'done', text: describeSaved(item.kind, body) };
  return { kind: 'refused', text: problem?.title ?? describeRefusal(response.status, body) };
}

interface ExportActionProps {
  item: DemoExport;
  title: string;
  canManage: boolean;
  /** The page's CSP nonce, for the notice's dialog. */
  nonce: string | undefined;
  onExported: () => void;
}

function ExportAction({ item, title, canManage, nonce, onExported }: ExportActionProps) {
  const headingId = useId();
  // After the round trip through Xero the page is new: the export that waited for it is still here.
  const [run, setRun] = useState<ExportRun | null>(() => {
    const exportId = waitingExports()[item.kind];
    return exportId === undefined ? null : { exportId, result: null };
  });
  const [busy, setBusy] = useState(false);

  const send = async (exportId: string) => {
    if (busy) return;
    setBusy(true);
    try {
      const next = { exportId, result: await runExport(item, exportId) };
      rememberRun(item.kind, next);
      setRun(next);
      if (next.result.kind === 'done') onExported();
    } finally {
      setBusy(false);
    }
  };

  const result = run?.result ?? null;
  const problem = result?.kind === 'problem' ? result.problem : null;
  return (
    <div className="export-action" role="group" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {item.kind === 'invoices' ? 'Invoices' : 'Timesheets'} <span className="export-integration">· {title}</span>
      </h3>
      {/* aria-disabled, not disabled, while it runs: a disabled button drops the keyboard focus. */}
      <button type="button" data-xc-button="secondary" aria-disabled={busy} data-pending={busy ? '' : undefined} onClick={() => void send(crypto.randomUUID())}>
        {item.label}
      </button>
      {/* Polite, and there from the start, so every result is announced. */}
      <p role="status" className="export-result" data-result={result?.kind}>
        {busy ? 'Sending to Xero…' : result?.kind === 'done' || result?.kind === 'refused' ? result.text : ''}
      </p>
      {/* Rendered even without a problem: after a reconnect it started, it says the connection is back. */}
      <XeroReconnectNotice
        title={title}
        problem={problem}
        canManage={canManage}
        headingLevel={4}
        adminContact={DEMO_ADMIN_CONTACT}
        nonce={nonce}
        retryAction={
          run === null || result?.kind === 'done' ? null : (
            <button type="button" data-xc-button="primary" aria-disabled={busy} onClick={() => void send(run.exportId)}>
              Retry export
            </button>
          )
        }
      />
    </div>
  );
}

/** The panel beside the cards: one export per integration the demo has. */
export function DirectExport({ state, nonce, onExported }: { state: DemoState; nonce: string | undefined; onExported: () => void }) {
  const canManage = state.users.find((user) => user.id === state.user)?.canManage ?? false;
  return (
    <section className="direct-export" aria-labelledby="direct-export-title">
      <h2 id="direct-export-title">Direct Export</h2>
      <p className="export-hint">The portal&apos;s own export page: its backend sends to Xero through the connection.</p>
      {DEMO_EXPORTS.map((item) => {
        const integration = state.integrations.find((candidate) => candidate.id === item.integrationId);
        return integration === undefined ? null : (
          <XeroConnectionProvider key={item.kind} client={clientFor(integration.basePath)}>
            <ExportAction item={item} title={integration.title} canManage={canManage} nonce={nonce} onExported={onExported} />
          </XeroConnectionProvider>
        );
      })}
    </section>
  );
}
