// @vitest-environment jsdom
// The `./testing` example of docs/testing.md, as a host would run it: Vitest in jsdom, msw/node, Testing
// Library, the card on a page. If this breaks, that example is wrong.
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';

import { XeroConnectionCard, XeroConnectionProvider } from '../../src';
import { createScenarioBackend, createXeroConnectionHandlers } from '../../src/testing';

function IntegrationsPage() {
  return (
    <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">
      <XeroConnectionCard title="Xero Billing" />
    </XeroConnectionProvider>
  );
}

// --- from docs/testing.md ---
// msw/node matches absolute URLs: resolve the portal's path against the test page.
const baseUrl = new URL('/api/integrations/xero-billing', window.location.href).href;
const server = setupServer(...createXeroConnectionHandlers({ baseUrl })); // the happy path: connected

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test('shows the connected organisation', async () => {
  render(<IntegrationsPage />);
  expect(await screen.findByText('Connected to Sunrise Care Group')).toBeTruthy();
});

test('walks the recovery after invalid_grant', async () => {
  const backend = createScenarioBackend('needs_reauth_invalid_grant', { baseUrl });
  server.use(...backend.handlers);
  const user = userEvent.setup();
  render(<IntegrationsPage />);

  await user.click(await screen.findByRole('button', { name: 'Disconnect my account' }));
  await user.click(await screen.findByRole('button', { name: 'Yes, disconnect' }));

  expect(await screen.findByText('Your Xero account has been disconnected.')).toBeTruthy();
  expect(backend.getConnection().status).toBe('disconnected');
  expect(backend.requestsTo('disconnect')).toHaveLength(1);
});
// --- end of the README's example ---

afterEach(() => cleanup());
