import { cleanup, renderHook, waitFor } from '@testing-library/react';
import { setupWorker } from 'msw/browser';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionContractError,
  isXeroConnectionNetworkError,
} from '../../src/client';
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
};

describe('scenarios in the headless hook', () => {
  test.each(SCENARIO_NAMES)('%s', async (name) => {
    const { result } = renderScenario(name);
    expect(result.current.state.status).toBe('loading');
    await waitFor(() => expect(summarise(result.current.state)).toEqual(promised[name]), { timeout: 4_000 });
  });

  test('disconnect_fails_once: the first disconnect rejects, the second disconnects', async () => {
    const { result } = renderScenario('disconnect_fails_once');
    await waitFor(() => expect(result.current.state.status).toBe('needs_reauth'));
    await expect(result.current.disconnect()).rejects.toMatchObject({ code: 'XERO_UNAVAILABLE' });
    await expect(result.current.disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
    await waitFor(() => expect(result.current.state.status).toBe('disconnected'));
  });
});
