// The demo portal page for `npm start`: the SDK's card for Xero Billing and Xero Payroll against
// the stateful fake backend from src/testing (MSW in the page), with controls that make the
// failures happen, so anyone can watch invalid_grant and recover from it. Xero's consent screen is
// simulated in the page, but the return is a real full-page redirect to returnTo?xero=…, as a
// backend's GET /callback would send it, so the card's return handling runs for real. The fake
// backends' state survives that reload in sessionStorage. The reference backend and a local Xero
// emulator replace all of this later.
import '../src/components/styles/theme.css';
import '../src/components/styles/buttons.css';
import '../src/components/styles/dialog.css';
import '../src/components/styles/card.css';
import './demo.css';

import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { setupWorker } from 'msw/browser';
import { StrictMode, useCallback, useState } from 'react';
import { createRoot } from 'react-dom/client';

import {
  XeroConnectionCard,
  XeroConnectionProvider,
  createXeroConnectionClient,
  xeroConnectionKeys,
  type Connection,
  type XeroConnectionEvent,
} from '../src';
import { connectionSchema, withConnectOutcome } from '../src/client';
import { createFakeXeroBackend, type FakeXeroBackend } from '../src/testing/fake-backend';
import { buildConnection, type ConnectionFixtureName } from '../src/testing/fixtures';

interface Integration {
  title: string;
  baseUrl: string;
  backend: FakeXeroBackend;
}

const STORAGE_KEY = 'xero-connection-demo';

// What the fake backends held before the last full-page return, validated like any answer.
function savedConnection(baseUrl: string): Connection | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>;
    const parsed = connectionSchema.safeParse(saved[baseUrl]);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function saveConnections(): void {
  const all = Object.fromEntries(integrations.map((item) => [item.baseUrl, item.backend.getConnection()]));
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(all));
}

function integration(title: string, baseUrl: string, initial: Connection): Integration {
  return { title, baseUrl, backend: createFakeXeroBackend({ baseUrl, initial: savedConnection(baseUrl) ?? initial }) };
}

const integrations: Integration[] = [
  integration('Xero Billing', '/api/integrations/xero-billing', buildConnection('needsReauthExpired', {}, new Date())),
  integration('Xero Payroll', '/api/integrations/xero-payroll', buildConnection('expiring', {}, new Date())),
];

interface Consent {
  integration: Integration;
  state: string;
}

function ConsentScreen({ consent, onDone }: { consent: Consent; onDone: (allowed: boolean) => void }) {
  return (
    <div className="consent-backdrop">
      <div className="consent" role="dialog" aria-modal="true" aria-labelledby="consent-title">
        <h2 id="consent-title">Xero (simulated)</h2>
        <p>CareVision wants to access Sunrise Care Group for {consent.integration.title}.</p>
        <div className="consent-actions">
          <button type="button" onClick={() => onDone(false)}>
            Cancel
          </button>
          <button type="button" className="allow" onClick={() => onDone(true)} autoFocus>
            Allow access
          </button>
        </div>
      </div>
    </div>
  );
}

function Controls({ onChange }: { onChange: (text: string) => void }) {
  const queryClient = useQueryClient();
  const set = (integration: Integration, fixture: ConnectionFixtureName, text: string) => {
    integration.backend.setConnection(buildConnection(fixture, {}, new Date()));
    saveConnections();
    void queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.connection(integration.baseUrl) });
    onChange(`${integration.title}: ${text}`);
  };
  return (
    <section className="controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Demo controls (what happens on Xero's side)</h2>
      {integrations.map((integration) => (
        <fieldset key={integration.baseUrl}>
          <legend>{integration.title}</legend>
          <button type="button" onClick={() => set(integration, 'needsReauthExpired', 'token unused past its lifetime → invalid_grant')}>
            Let the token expire
          </button>
          <button type="button" onClick={() => set(integration, 'tenantRemovedInXero', 'the app was removed in Xero')}>
            Remove the app in Xero
          </button>
          <button type="button" onClick={() => set(integration, 'expiring', 'five days left unless used')}>
            Near expiry
          </button>
          <button
            type="button"
            onClick={() => {
              integration.backend.failNext('disconnect', 'XERO_UNAVAILABLE');
              onChange(`${integration.title}: the next disconnect will fail once`);
            }}
          >
            Fail the next disconnect
          </button>
          <button
            type="button"
            onClick={() => {
              integration.backend.failNext('getConnection', 'network_error', 3);
              void queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.connection(integration.baseUrl) });
              onChange(`${integration.title}: the portal's server is unreachable for the next read`);
            }}
          >
            Backend down
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() => {
          sessionStorage.removeItem(STORAGE_KEY);
          location.assign(location.pathname);
        }}
      >
        Start over
      </button>
    </section>
  );
}

function Portal() {
  const [consent, setConsent] = useState<Consent | null>(null);
  const [log, setLog] = useState<string[]>([]);
  const append = useCallback((line: string) => setLog((lines) => [`${new Date().toLocaleTimeString('en-AU')} ${line}`, ...lines].slice(0, 50)), []);

  // What the backend's GET /callback would do: finish (or not) and redirect the whole page to
  // returnTo with ?xero=connected or ?xero=error&code=XERO_ACCESS_DENIED.
  const finishConsent = async (allowed: boolean) => {
    if (!consent) return;
    const session = consent.integration.backend.connectSessions.find((item) => item.state === consent.state);
    const returnTo = session?.returnTo ?? location.href;
    if (allowed) {
      const client = createXeroConnectionClient({ baseUrl: consent.integration.baseUrl });
      await client.completeCallback({ code: 'demo-authorization-code', state: consent.state });
    }
    saveConnections();
    location.assign(withConnectOutcome(returnTo, allowed ? { kind: 'connected' } : { kind: 'cancelled', reason: 'consent_denied' }));
  };

  return (
    <>
      <header className="portal-header">
        <h1>CareVision portal · Integrations</h1>
      </header>
      <main>
        <div className="cards">
          {integrations.map((integration) => (
            <XeroConnectionProvider
              key={integration.baseUrl}
              baseUrl={integration.baseUrl}
              navigate={(url) => {
                const state = new URL(url).searchParams.get('state') ?? '';
                setConsent({ integration, state });
              }}
            >
              <XeroConnectionCard
                title={integration.title}
                onEvent={(event: XeroConnectionEvent) => {
                  append(`${integration.title}: ${event.type}`);
                  // A disconnect changes the fake's state too; keep it across the next full-page return.
                  if (event.type === 'disconnected' || event.type === 'verified') saveConnections();
                }}
              />
            </XeroConnectionProvider>
          ))}
        </div>
        <Controls onChange={append} />
        <section aria-labelledby="log-title">
          <h2 id="log-title">Events (onEvent)</h2>
          <ol className="log" reversed>
            {log.map((line, index) => (
              <li key={`${log.length - index}`}>{line}</li>
            ))}
          </ol>
        </section>
      </main>
      {consent ? <ConsentScreen consent={consent} onDone={(allowed) => void finishConsent(allowed)} /> : null}
    </>
  );
}

const worker = setupWorker(...integrations.flatMap((integration) => integration.backend.handlers));
await worker.start({ quiet: true, onUnhandledRequest: 'bypass' });

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
