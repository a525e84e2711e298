// The demo portal page for `npm start`: the SDK's card for Xero Billing and Xero Payroll against the
// reference backend (`./server`'s handler, served by demo/server.ts) and the local Xero emulator.
// Nothing is simulated in the page: "Connect" leaves for the emulator's consent page and comes
// back through the backend's GET /callback, exactly as with the real Xero. The demo controls play
// what happens on Xero's side (time passing, a revoke, the app removed in Xero), so anyone can
// watch invalid_grant happen and recover from it.
import '../src/components/styles/theme.css';
import '../src/components/styles/buttons.css';
import '../src/components/styles/dialog.css';
import '../src/components/styles/card.css';
import '../src/components/styles/notice.css';
import './demo.css';

import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { StrictMode, useCallback, useEffect, useId, useState } from 'react';
import { createRoot } from 'react-dom/client';

import { XeroConnectionCard, XeroConnectionProvider, type XeroConnectionEvent } from '../src';
import { DEMO_ADMIN_CONTACT, type DemoState, type DemoUserId } from './demo-api';
import { clientFor } from './clients';
import { DirectExport } from './direct-export';
import { OutboxPanel } from './outbox-panel';

type Theme = 'light' | 'dark';

// Served under a strict CSP (`buildDemoPage()`), the page carries its nonce in Vite's
// <meta property="csp-nonce">; the card hands it to the dialog's scroll-lock style. `.nonce`, not
// the attribute, which browsers blank once the page has loaded.
const cspNonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce || undefined;

async function demoRequest(path: string, body?: unknown): Promise<DemoState> {
  const response = await fetch(`/demo${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as DemoState | { error: string };
  if (!response.ok || 'error' in answer) throw new Error('error' in answer ? answer.error : `demo control answered ${response.status}`);
  return answer;
}

const dateFormat = new Intl.DateTimeFormat('en-AU', { dateStyle: 'medium', timeStyle: 'short' });

function daysAhead(now: string): number {
  return Math.round((Date.parse(now) - Date.now()) / 86_400_000);
}

function Controls({ state, onState, onLog }: { state: DemoState; onState: (next: DemoState) => void; onLog: (line: string) => void }) {
  const queryClient = useQueryClient();
  const switchId = useId();
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  // aria-disabled, not disabled, while a control runs: a disabled button drops the keyboard focus.
  const run = async (path: string, done: string | ((next: DemoState) => string), body: unknown = {}) => {
    if (busy) return;
    setBusy(true);
    try {
      const next = await demoRequest(path, body);
      onState(next);
      const said = typeof done === 'string' ? done : done(next);
      setAnnouncement(said);
      onLog(`Xero: ${said}`);
      // Every card reads its connection again, as a portal page would on its next visit.
      await queryClient.invalidateQueries();
    } catch (error) {
      setAnnouncement(`The demo control failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };

  if (state.mode === 'real-xero') {
    return (
      <section className="controls" aria-labelledby="controls-title">
        <h2 id="controls-title">Connected to the real Xero</h2>
        <p>The demo controls need the local emulator. Unset XERO_CLIENT_ID to use it.</p>
      </section>
    );
  }
  const ahead = daysAhead(state.now);
  // What a "time passes" control did: with keep-alive on, the backend refreshed the tokens as it went.
  const passed = (what: string, unkept: string) => (next: DemoState) =>
    next.keepAliveRefreshes === null
      ? `${what}: ${unkept}`
      : `${what}: keep-alive refreshed ${next.keepAliveRefreshes} ${next.keepAliveRefreshes === 1 ? 'time' : 'times'}, so nothing expired`;
  return (
    <section className="controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Demo controls: what happens on Xero&apos;s side</h2>
      <p>
        Xero&apos;s clock: <time dateTime={state.now}>{dateFormat.format(new Date(state.now))}</time>
        {ahead > 0 ? ` (${ahead} ${ahead === 1 ? 'day' : 'days'} ahead)` : ''}. Organisations connected in Xero:{' '}
        {state.xeroConnections.length === 0 ? 'none' : state.xeroConnections.map((item) => item.tenantName ?? 'a tenant without a name').join(', ')}.
      </p>
      <ul className="xero-holds" aria-label="What Xero holds">
        <li>Invoices in Xero: {state.xeroHolds.invoices}</li>
        <li>Timesheets in Xero: {state.xeroHolds.timesheets}</li>
      </ul>
      <p className="keep-alive-switch">
        <button
          type="button"
          role="switch"
          aria-checked={state.keepAlive}
          aria-describedby={`${switchId}-hint`}
          aria-disabled={busy}
          onClick={() =>
            void run('/keep-alive', state.keepAlive ? 'Keep-alive turned off' : 'Keep-alive turned on', { enabled: !state.keepAlive })
          }
        >
          Keep connections alive
        </button>{' '}
        <span id={`${switchId}-hint`}>
          {state.keepAlive
            ? 'On: the backend refreshes any token unused for 7 days, so it never reaches its 60-day expiry.'
            : "Off: a token unused for 60 days expires, as in the help article."}
        </span>
      </p>
      <div className="control-buttons">
        <button
          type="button"
          aria-disabled={busy}
          onClick={() => void run('/advance', passed('61 days pass unused', 'the refresh token expires'), { days: 61 })}
        >
          Leave unused for 61 days
        </button>
        <button type="button" aria-disabled={busy} onClick={() => void run('/advance', passed('A week passes', 'nothing refreshed'), { days: 7 })}>
          Advance a week
        </button>
        <button
          type="button"
          aria-disabled={busy}
          onClick={() => void run('/advance', passed('A year passes unused', 'the refresh token expires'), { days: 365 })}
        >
          Advance a year
        </button>
        <button type="button" aria-disabled={busy} onClick={() => void run('/revoke', 'Access was revoked in Xero')}>
          Revoke access in Xero
        </button>
        <button type="button" aria-disabled={busy} onClick={() => void run('/remove-app', 'The organisation removed the app in Xero (Check connection notices it)')}>
          Remove the app in Xero
        </button>
        <button type="button" aria-disabled={busy} onClick={() => void run('/xero-outage', 'Xero will fail its next call with 503')}>
          Xero outage (next call)
        </button>
        {state.apiLimitsLowered ? (
          <button type="button" aria-disabled={busy} onClick={() => void run('/restore-limits', "Xero's call limits are back to 5,000 a day")}>
            Restore Xero&apos;s call limits
          </button>
        ) : (
          <button type="button" aria-disabled={busy} onClick={() => void run('/use-up-calls', "Today's Xero calls are used up: Xero answers 429 until its day resets")}>
            Use up today&apos;s Xero calls
          </button>
        )}
        <button type="button" aria-disabled={busy} onClick={() => void run('/reset', 'Started over: nothing connected')}>
          Start over
        </button>
      </div>
      <p role="status" className="control-status">
        {announcement}
      </p>
    </section>
  );
}

function Toolbar({ state, theme, onTheme }: { state: DemoState; theme: Theme; onTheme: (theme: Theme) => void }) {
  const userId = useId();
  const themeId = useId();
  return (
    <div className="toolbar">
      <label htmlFor={userId}>Signed in as</label>
      <select
        id={userId}
        value={state.user ?? ''}
        onChange={(event) => {
          // The backend authenticates every request by the session cookie; a new user is a new page.
          void demoRequest('/user', { user: event.target.value as DemoUserId }).then(() => location.reload());
        }}
      >
        {state.users.map((user) => (
          <option key={user.id} value={user.id}>
            {user.name}
          </option>
        ))}
      </select>
      <label htmlFor={themeId}>Theme</label>
      <select id={themeId} value={theme} onChange={(event) => onTheme(event.target.value as Theme)}>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </div>
  );
}

function Portal() {
  const [state, setState] = useState<DemoState | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [log, setLog] = useState<string[]>([]);
  // Bumped by anything that may have changed a connection (a demo control, a card's event): the outbox reads again.
  const [outboxVersion, setOutboxVersion] = useState(0);
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('demo-theme') === 'dark' ? 'dark' : 'light'));
  const append = useCallback((line: string) => {
    setLog((lines) => [`${new Date().toLocaleTimeString('en-AU')} ${line}`, ...lines].slice(0, 50));
    setOutboxVersion((version) => version + 1);
  }, []);

  useEffect(() => {
    demoRequest('/state').then(setState, (error: unknown) => setFailure(String(error)));
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('demo-theme', theme);
  }, [theme]);

  return (
    <>
      <header className="portal-header">
        <h1>CareVision portal · Integrations</h1>
        {state ? <Toolbar state={state} theme={theme} onTheme={setTheme} /> : null}
      </header>
      <main>
        {failure ? <p role="alert">The demo server did not answer: {failure}</p> : null}
        <div className="workspace">
          <div className="cards">
            {state?.integrations.map((integration) => (
              <XeroConnectionProvider key={integration.basePath} client={clientFor(integration.basePath)}>
                <XeroConnectionCard
                  title={integration.title}
                  headingLevel={2}
                  nonce={cspNonce}
                  // The host knows the user's role; the backend enforces it again (403) either way.
                  canManage={state.users.find((user) => user.id === state.user)?.canManage ?? false}
                  adminContact={DEMO_ADMIN_CONTACT}
                  onEvent={(event: XeroConnectionEvent) => {
                    append(`${integration.title}: ${event.type}`);
                    // Only these change what Xero lists; status_viewed and the dialog's events do not.
                    if (event.type === 'connected' || event.type === 'disconnected' || event.type === 'verified') {
                      void demoRequest('/state').then(setState);
                    }
                  }}
                />
              </XeroConnectionProvider>
            ))}
          </div>
          {state ? <DirectExport state={state} nonce={cspNonce} onExported={() => void demoRequest('/state').then(setState)} /> : null}
        </div>
        {state ? <Controls state={state} onState={setState} onLog={append} /> : null}
        {state ? <OutboxPanel version={outboxVersion} /> : null}
        <section aria-labelledby="log-title">
          <h2 id="log-title">Events (onEvent)</h2>
          <ol className="log" reversed tabIndex={0} aria-labelledby="log-title">
            {log.map((line, index) => (
              <li key={`${log.length - index}`}>{line}</li>
            ))}
          </ol>
        </section>
      </main>
    </>
  );
}

const queryClient = new QueryClient();
const container = document.getElementById('root');
if (!container) throw new Error('demo: #root is missing from index.html');
createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Portal />
    </QueryClientProvider>
  </StrictMode>,
);
