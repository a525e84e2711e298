import { XeroConnectionCard, XeroConnectionProvider } from '@carevision/xero-connection';

import { ReactVersion } from './react-version';

// A server component rendering the package's components directly: the entry's "use client"
// makes them client components, server-rendered on every request and hydrated in the browser.
export const dynamic = 'force-dynamic';

export default function IntegrationsPage() {
  return (
    <main>
      <h1>Integrations</h1>
      <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">
        <XeroConnectionCard title="Xero Billing" headingLevel={2} />
      </XeroConnectionProvider>
      <ReactVersion />
    </main>
  );
}
