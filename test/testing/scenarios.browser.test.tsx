import { cleanup, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import { setupWorker } from 'msw/browser';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionContractError,
  isXeroConnectionNetworkError,
} from '../../src/client';
import { XeroConnectionCard } from '../../src/components/xero-connection-card';
import { XeroConnectionProvider, useXeroConnection, type XeroConnectionState } from '../../src/react';
import { SCENARIO_NAMES, createScenarioBackend, type XeroConnectionScenarioName } from '../../src/testing';

// Each scenario produces the state it promises in the headless hook, in real Chromium through
// msw's service worker: the same path Storybook's stories take.

const BASE_URL = '/api/integrations/xero-billing';
const worker = setupWorker();

beforeAll(async () => {
  await worker.start({ onUnhandledRequest: 'error', quiet: true });
});
afterEach(() => {
  cleanup();
  worker.resetHandlers();
});
afterAll(() => worker.stop());

function renderScenario(name: XeroConnectionScenarioName) {
  const backend = createScenarioBackend(name, { baseUrl: BASE_URL });
  worker.use(...backend.handlers);
  const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
  const wrapper = ({ children }: { children?: ReactNode }) => (
    <XeroConnectionProvider client={client} navigate={() => {}}>
      {children}
    </XeroConnectionProvider>
  );
  return { backend, ...renderHook(() => useXeroConnection(), { wrapper }) };
}

type Summary = { status: XeroConnectionState['status']; reason?: string | null; error?: string };

function summarise(state: XeroConnectionState): Summary {
  if (state.status === 'error') {
    const error = state.error === null ? 'none' : isXeroConnectionNetworkError(state.error) ? 'network' : isXeroConnectionContractError(state.error) ? 'contract' : 'other';
    return { status: state.status, reason: state.reason, error };
  }
  return 'reason' in state ? { status: state.status, reason: state.reason } : { status: state.status };
}

const promised: Record<XeroConnectionScenarioName, Summary> = {
  connected: { status: 'connected' },
  expiring: { status: 'expiring' },
  needs_reauth_invalid_grant: { status: 'needs_reauth', reason: 'refresh_token_expired' },
  needs_reauth_revoked: { status: 'needs_reauth', reason: 'refresh_token_revoked' },
  tenant_removed_in_xero: { status: 'needs_reauth', reason: 'tenant_removed_in_xero' },
  disconnected: { status: 'disconnected', reason: 'user_disconnected' },
  rate_limited: { status: 'error', reason: 'rate_limited', error: 'none' },
  backend_down: { status: 'error', reason: null, error: 'network' },
  slow: { status: 'connected' },
  disconnect_fails_once: { status: 'needs_reauth', reason: 'refresh_token_expired' },
  consent_cancelled: { status: 'disconnected', reason: 'user_disconnected' },
  contract_violation: { status: 'error', reason: null, error: 'contract' },
  kept_alive: { status: 'connected' },
  keep_alive_failing: { status: 'expiring' },
  choosing_organisation: { status: 'choosing_organisation', reason: 'multiple_organisations' },
  organisation_mismatch: { status: 'choosing_organisation', reason: 'organisation_mismatch' },
  consent_covers_two_organisations: { status: 'disconnected', reason: 'never_connected' },
};

// What the card's live status region says for each scenario (every sentence, in order).
const cardSays: Record<XeroConnectionScenarioName, string[]> = {
  connected: ['Connected to Sunrise Care Group'],
  expiring: ['Connected to Sunrise Care Group', 'Expires in 5 days unless used'],
  needs_reauth_invalid_grant: [
    "The connection to Xero expired because it wasn't used for 60 days. Exports to Xero are paused until you reconnect.",
  ],
  needs_reauth_revoked: ['Access to Sunrise Care Group was revoked in Xero. Exports to Xero are paused until you reconnect.'],
  tenant_removed_in_xero: ['Sunrise Care Group removed this app in Xero. Connect again to resume exports.'],
  disconnected: ['Not connected to Xero'],
  rate_limited: ['Xero is busy right now, so we couldn’t check the connection. Try again in a minute.'],
  backend_down: ["We couldn't check the connection to Xero Billing. Your connection hasn't changed."],
  slow: ['Connected to Sunrise Care Group'],
  disconnect_fails_once: [
    "The connection to Xero expired because it wasn't used for 60 days. Exports to Xero are paused until you reconnect.",
  ],
  consent_cancelled: ['Not connected to Xero'],
  contract_violation: ["The portal's server answered in a way this page doesn't understand, so we couldn't check Xero Billing."],
  kept_alive: ['Connected to Sunrise Care Group', 'Kept active automatically — last refreshed 2 days ago'],
  keep_alive_failing: [
    'Connected to Sunrise Care Group',
    'Automatic refresh is failing — Xero is not answering right now.',
    'Expires in 5 days unless used',
    'Check the connection now to keep it active.',
  ],
  choosing_organisation: [
    'You gave Xero Billing access to 2 organisations in Xero. Choose the one it should use; nothing is exported until you do.',
  ],
  organisation_mismatch: [
    'You connected Harbour View Homecare, but Xero Billing was connected to Sunrise Care Group.',
    'Use Harbour View Homecare instead, or try again and choose Sunrise Care Group in Xero. Nothing is exported until you do.',
  ],
  consent_covers_two_organisations: ['Not connected to Xero'],
};

describe('scenarios in the card', () => {
  test.each(SCENARIO_NAMES)('%s', async (name) => {
    const backend = createScenarioBackend(name, { baseUrl: BASE_URL });
    worker.use(...backend.handlers);
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    render(
      <XeroConnectionProvider client={client} navigate={() => {}}>
        <XeroConnectionCard title="Xero Billing" />
      </XeroConnectionProvider>,
    );
    const card = screen.getByRole('region', { name: 'Xero Billing' });
    await waitFor(() => expect(card).not.toHaveAttribute('data-state', 'loading'), { timeout: 4_000 });
    const sentences = Array.from(within(card).getByRole('status').children, (element) => element.textContent);
    expect(sentences).toEqual(cardSays[name]);
  });
});

describe('scenarios in the headless hook', () => {
  test.each(SCENARIO_NAMES)('%s', async (name) => {
    const { result } = renderScenario(name);
    expect(result.current.state.status).toBe('loading');
    await waitFor(() => expect(summarise(result.current.state)).toEqual(promised[name]), { timeout: 4_000 });
  });

  test('consent_covers_two_organisations: after the round trip through Xero the hook asks which organisation', async () => {
    const first = renderScenario('consent_covers_two_organisations');
    await waitFor(() => expect(first.result.current.state.status).toBe('disconnected'));
    await first.result.current.connect();
    const original = location.href;
    // The page Xero's redirect comes back to: a fresh hook reads the return from the URL.
    history.replaceState(null, '', first.backend.returnFromXero());
    first.unmount();
    try {
      const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
      const wrapper = ({ children }: { children?: ReactNode }) => (
        <XeroConnectionProvider client={client} navigate={() => {}}>
          {children}
        </XeroConnectionProvider>
      );
      const { result } = renderHook(() => useXeroConnection(), { wrapper });
      await waitFor(() => expect(summarise(result.current.state)).toEqual({ status: 'choosing_organisation', reason: 'multiple_organisations' }));
      if (result.current.state.status !== 'choosing_organisation') throw new Error('expected choosing_organisation');
      expect(result.current.state.organisations.map((tenant) => tenant.tenantName)).toEqual(['Sunrise Care Group', 'Harbour View Homecare']);
    } finally {
      history.replaceState(null, '', original);
    }
  });

  test('disconnect_fails_once: the first disconnect rejects, the second disconnects', async () => {
    const { result } = renderScenario('disconnect_fails_once');
    await waitFor(() => expect(result.current.state.status).toBe('needs_reauth'));
    await expect(result.current.disconnect()).rejects.toMatchObject({ code: 'XERO_UNAVAILABLE' });
    await expect(result.current.disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
    await waitFor(() => expect(result.current.state.status).toBe('disconnected'));
  });
});
