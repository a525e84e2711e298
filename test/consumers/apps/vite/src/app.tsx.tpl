import { version } from 'react';
import { XeroConnectionCard, XeroConnectionProvider, useXeroConnection } from '@carevision/xero-connection';

export const BASE_URL = '/api/integrations/xero-billing';

/** The headless hook under the same provider: its own UI, the card's cache. */
function HeadlessStatus() {
  const { state } = useXeroConnection();
  return <p>Headless hook says: {state.status}</p>;
}

export function App() {
  return (
    <main>
      <h1>Integrations</h1>
      <p>Running React {version}</p>
      <XeroConnectionProvider baseUrl={BASE_URL}>
        <XeroConnectionCard title="Xero Billing" headingLevel={2} />
        <HeadlessStatus />
      </XeroConnectionProvider>
    </main>
  );
}
