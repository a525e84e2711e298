import { HttpResponse } from 'msw';
import { renderHook, waitFor } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';

import {
  XeroConnectionApiError,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionNetworkError,
  type XeroConnectionError,
} from '../../src/client';
import { useXeroConnection, type XeroConnectionState } from '../../src/react';
import type { ConnectionFixtureName } from '../../src/testing/fixtures';
import { clientWithoutRetry, providerWrapper, startFakeBackend, setUpWorker } from './support';

setUpWorker();

async function settledState(options: Parameters<typeof providerWrapper>[0] = {}) {
  const { Wrapper } = providerWrapper(options);
  const hook = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
  await waitFor(() => expect(hook.result.current.state.status).not.toBe('loading'));
  return hook;
}

function summary(state: XeroConnectionState): Record<string, unknown> {
  switch (state.status) {
    case 'needs_reauth':
    case 'disconnected':
      return { status: state.status, reason: state.reason };
    case 'error':
      return { status: state.status, reason: state.reason, error: state.error?.code ?? null };
    case 'expiring':
      return { status: state.status, expiresInDays: state.expiresInDays };
    default:
      return { status: state.status };
  }
}

describe('useXeroConnection shows what the backend reports', () => {
  const cases: [ConnectionFixtureName, Record<string, unknown>][] = [
    ['connected', { status: 'connected' }],
    ['expiring', { status: 'expiring', expiresInDays: 5 }],
    ['needsReauthExpired', { status: 'needs_reauth', reason: 'refresh_token_expired' }],
    ['needsReauthRevoked', { status: 'needs_reauth', reason: 'refresh_token_revoked' }],
    ['tenantRemovedInXero', { status: 'needs_reauth', reason: 'tenant_removed_in_xero' }],
    ['disconnected', { status: 'disconnected', reason: 'user_disconnected' }],
    ['neverConnected', { status: 'disconnected', reason: 'never_connected' }],
    ['rateLimited', { status: 'error', reason: 'rate_limited', error: null }],
    ['xeroUnavailable', { status: 'error', reason: 'xero_unavailable', error: null }],
  ];

  test.each(cases)('%s', async (fixtureName, expected) => {
    const backend = startFakeBackend(fixtureName);
    const { result } = await settledState();
    expect(summary(result.current.state)).toEqual(expected);
    expect(result.current.connection).toEqual(backend.getConnection());
  });

  test('is loading until the first answer arrives', async () => {
    const backend = startFakeBackend('connected');
    const release = backend.hold('getConnection');
    const { Wrapper } = providerWrapper();
    const { result } = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
    expect(result.current.state).toEqual({ status: 'loading' });
    expect(result.current.connection).toBeNull();
    release();
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
  });

  test('the connected state names the organisation', async () => {
    startFakeBackend('connected');
    const { result } = await settledState();
    const { state } = result.current;
    expect(state.status === 'connected' && state.tenant.tenantName).toBe('Sunrise Care Group');
  });

  test('a custom expiringWithinDays makes a 58-day token expiring', async () => {
    startFakeBackend('connected');
    const { Wrapper } = providerWrapper();
    const { result } = renderHook(() => useXeroConnection({ expiringWithinDays: 60 }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('expiring'));
    const { state } = result.current;
    expect(state.status === 'expiring' && state.expiresInDays).toBe(58);
  });
});

describe('when the backend cannot be read', () => {
  test('a problem answer is the error state with the typed error, and onError gets it once', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', 'INTERNAL');
    const onError = vi.fn<(error: XeroConnectionError) => void>();
    const { Wrapper } = providerWrapper({ client: clientWithoutRetry() });
    const { result } = renderHook(() => useXeroConnection({ onError }), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('error'));
    const { state } = result.current;
    if (state.status !== 'error') throw new Error('unreachable');
    expect(state.error).toBeInstanceOf(XeroConnectionApiError);
    expect(state.error?.message).toContain('GET /connection failed with INTERNAL (500)');
    expect(state.connection).toBeNull();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(isXeroConnectionApiError(onError.mock.calls[0]?.[0])).toBe(true);
  });

  test('retry() shows loading, then recovers', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', 'network_error');
    const { Wrapper } = providerWrapper({ client: clientWithoutRetry() });
    const { result } = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('error'));
    const { state } = result.current;
    if (state.status !== 'error') throw new Error('unreachable');
    expect(isXeroConnectionNetworkError(state.error)).toBe(true);

    const release = backend.hold('getConnection');
    state.retry();
    await waitFor(() => expect(result.current.state.status).toBe('loading'));
    release();
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    expect(backend.requestsTo('getConnection')).toHaveLength(2);
  });

  test('an HTML sign-in page instead of JSON is a contract violation', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', () => new HttpResponse('<!DOCTYPE html><title>Sign in</title>', { headers: { 'Content-Type': 'text/html' } }));
    const { result } = await settledState({ client: clientWithoutRetry() });
    const { state } = result.current;
    expect(state.status).toBe('error');
    expect(state.status === 'error' && isXeroConnectionContractError(state.error)).toBe(true);
  });

  test('the default client retries a transient failure before showing anything', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', 'XERO_UNAVAILABLE');
    const { result } = await settledState();
    expect(result.current.state.status).toBe('connected');
    expect(backend.requestsTo('getConnection')).toHaveLength(2);
  });
});
