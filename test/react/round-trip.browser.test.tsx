import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';

import {
  XeroConnectionApiError,
  completeXeroConnection,
  createXeroConnectionClient,
} from '../../src/client';
import {
  useXeroConnection,
  xeroConnectionKeys,
  type UseXeroConnectionOptions,
  type XeroConnectionEvent,
} from '../../src/react';
import { CHANNEL_NAME, MESSAGE_SOURCE } from '../../src/client/connect-messages';
import { demoTenant } from '../../src/testing/fixtures';
import {
  BASE_URL,
  clientWithoutRetry,
  fixture,
  providerWrapper,
  rejectionOf,
  setUpWorker,
  spies,
  startFakeBackend,
} from './support';

// The round trip through Xero as the headless hook sees it: the return read from the URL, the
// URL cleaned, cross-tab updates, focus, and the callback page of hosts that route it themselves.

setUpWorker();

const ORIGINAL_URL = location.href;
afterEach(() => {
  history.replaceState(null, '', ORIGINAL_URL);
  vi.restoreAllMocks();
});

/** The test page's URL with `search` added (and an optional hash), as if the backend redirected here. */
function comeBackWith(search: string, hash = ''): string {
  const url = new URL(ORIGINAL_URL);
  url.search = `${url.search}&tab=billing&${search}&page=2`;
  url.hash = hash;
  history.replaceState(null, '', url.href);
  return url.href;
}

const FOR_BILLING = `xeroIntegration=${encodeURIComponent(BASE_URL)}`;

async function renderSettled(options: UseXeroConnectionOptions = {}, wrapperOptions: Parameters<typeof providerWrapper>[0] = {}) {
  const { Wrapper, navigate } = providerWrapper(wrapperOptions);
  const hook = renderHook(() => useXeroConnection(options), { wrapper: Wrapper });
  await waitFor(() => expect(hook.result.current.state.status).not.toBe('loading'));
  return { ...hook, navigate };
}

/** The search part of the test page without vitest's own parameters. */
function ourSearch(): string {
  const params = new URLSearchParams(location.search);
  params.delete('sessionId');
  params.delete('iframeId');
  return params.toString();
}

describe('coming back from Xero (redirect)', () => {
  test('?xero=connected: outcome, one connected event and onConnected with the new connection, URL cleaned', async () => {
    startFakeBackend('connected');
    comeBackWith(`xero=connected&${FOR_BILLING}`, '#section');
    const { options, types } = spies();
    const { result } = await renderSettled(options);

    expect(result.current.returnOutcome).toEqual({ kind: 'connected' });
    await waitFor(() => expect(options.onConnected).toHaveBeenCalledTimes(1));
    expect(options.onConnected.mock.calls[0]?.[0]).toMatchObject({ status: 'connected', tenant: demoTenant });
    expect(types()).toEqual(['connected']);
    // Every other parameter and the hash kept; no reload (the test page would have been lost).
    expect(ourSearch()).toBe('tab=billing&page=2');
    expect(location.hash).toBe('#section');
  });

  test('?xero=error&code=XERO_ACCESS_DENIED is a cancel, not an error', async () => {
    startFakeBackend('disconnected');
    comeBackWith(`xero=error&code=XERO_ACCESS_DENIED&${FOR_BILLING}`);
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    expect(result.current.returnOutcome).toEqual({ kind: 'cancelled', reason: 'consent_denied' });
    expect(types()).toEqual(['connect_cancelled']);
    expect(options.onError).not.toHaveBeenCalled();
    expect(ourSearch()).toBe('tab=billing&page=2');
  });

  test.each(['CONNECT_SESSION_EXPIRED', 'STATE_MISMATCH', 'XERO_TENANT_MISMATCH', 'XERO_CONNECTION_LIMIT'] as const)(
    '?xero=error&code=%s: failed with that code, onError with a typed error',
    async (code) => {
      startFakeBackend('disconnected');
      comeBackWith(`xero=error&code=${code}&${FOR_BILLING}`);
      const { options, events } = spies();
      const { result } = await renderSettled(options);
      expect(result.current.returnOutcome).toEqual({ kind: 'failed', code });
      const [error] = options.onError.mock.calls[0] ?? [];
      expect(error).toBeInstanceOf(XeroConnectionApiError);
      expect(error).toMatchObject({ code, endpoint: 'POST /callback' });
      expect(events).toContainEqual({ type: 'connect_failed', error });
      expect(ourSearch()).toBe('tab=billing&page=2');
    },
  );

  test('refreshes the status rather than trusting a connection cached before the round trip', async () => {
    const backend = startFakeBackend('connected');
    const queryClient = new QueryClient();
    queryClient.setQueryData(xeroConnectionKeys.connection(BASE_URL), fixture('disconnected'));
    comeBackWith(`xero=connected&${FOR_BILLING}`);
    const { options } = spies();
    const { Wrapper } = providerWrapper({ queryClient });
    const { result } = renderHook(() => useXeroConnection(options), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    expect(backend.requestsTo('getConnection').length).toBeGreaterThanOrEqual(1);
    // Once, although the hook also saw disconnected → connected.
    expect(options.onConnected).toHaveBeenCalledTimes(1);
  });

  test('read once per page: StrictMode and three hooks on the integration report it once, all see it', async () => {
    startFakeBackend('disconnected');
    comeBackWith(`xero=error&code=XERO_ACCESS_DENIED&${FOR_BILLING}`);
    const onEvent = vi.fn<(event: XeroConnectionEvent) => void>();
    const { Wrapper } = providerWrapper();
    const { result } = renderHook(() => [useXeroConnection({ onEvent }), useXeroConnection({ onEvent }), useXeroConnection({ onEvent })], {
      wrapper: ({ children }: { children?: ReactNode }) => (
        <StrictMode>
          <Wrapper>{children}</Wrapper>
        </StrictMode>
      ),
    });
    await waitFor(() => expect(result.current[0]?.state.status).toBe('disconnected'));
    expect(onEvent.mock.calls.filter(([event]) => event.type === 'connect_cancelled')).toHaveLength(1);
    expect(result.current.map((hook) => hook.returnOutcome)).toEqual(Array(3).fill({ kind: 'cancelled', reason: 'consent_denied' }));
  });

  test('a return for another integration is left alone for that integration', async () => {
    startFakeBackend('disconnected');
    comeBackWith('xero=connected&xeroIntegration=%2Fapi%2Fintegrations%2Fxero-payroll');
    const { result } = await renderSettled();
    expect(result.current.returnOutcome).toBeNull();
    expect(new URLSearchParams(location.search).get('xero')).toBe('connected');
  });

  test('a return without the integration marker (an older host) goes to the first integration that reads it', async () => {
    startFakeBackend('connected');
    comeBackWith('xero=connected');
    const { result } = await renderSettled();
    expect(result.current.returnOutcome).toEqual({ kind: 'connected' });
    expect(ourSearch()).toBe('tab=billing&page=2');
  });

  test('a reload after the clean-up shows no outcome', async () => {
    startFakeBackend('connected');
    comeBackWith(`xero=connected&${FOR_BILLING}`);
    const first = await renderSettled();
    expect(first.result.current.returnOutcome).toEqual({ kind: 'connected' });
    first.unmount();
    // A reload: a fresh QueryClient, the same (now clean) URL.
    const second = await renderSettled();
    expect(second.result.current.returnOutcome).toBeNull();
  });

  test('dismissReturnOutcome() and the next action clear the outcome', async () => {
    startFakeBackend('disconnected');
    comeBackWith(`xero=error&code=STATE_MISMATCH&${FOR_BILLING}`);
    const { result } = await renderSettled();
    expect(result.current.returnOutcome).not.toBeNull();
    act(() => result.current.dismissReturnOutcome());
    expect(result.current.returnOutcome).toBeNull();
  });

  test('inside the pop-up, the return page hands the outcome to its opener (exact origin) and closes', async () => {
    startFakeBackend('connected');
    const postMessage = vi.fn();
    const opener = { postMessage } as unknown as Window;
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true });
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    const onEvent = vi.fn<(event: XeroConnectionEvent) => void>();
    try {
      comeBackWith(`xero=connected&${FOR_BILLING}&xeroPopup=1`);
      await renderSettled({ onEvent });
      expect(postMessage).toHaveBeenCalledExactlyOnceWith(
        { source: MESSAGE_SOURCE, type: 'connect-result', baseUrl: BASE_URL, outcome: { kind: 'connected' } },
        location.origin,
      );
      expect(close).toHaveBeenCalled();
      // The opener reports it; the pop-up does not.
      expect(onEvent.mock.calls.filter(([event]) => event.type === 'connected')).toHaveLength(0);
      expect(ourSearch()).toBe('tab=billing&page=2');
    } finally {
      Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true });
    }
  });
});

describe('connect() sends a clean returnTo and stays busy until the page is left', () => {
  test('returnTo is this page without an earlier return, plus the integration marker', async () => {
    const backend = startFakeBackend('disconnected');
    comeBackWith(`xero=error&code=XERO_ACCESS_DENIED&${FOR_BILLING}`, '#s');
    const { result } = await renderSettled();
    await act(() => result.current.connect());
    const returnTo = new URL((backend.requestsTo('connect')[0]?.body as { returnTo: string }).returnTo);
    expect(returnTo.searchParams.get('xero')).toBeNull();
    expect(returnTo.searchParams.get('code')).toBeNull();
    expect(returnTo.searchParams.get('xeroIntegration')).toBe(BASE_URL);
    expect(returnTo.searchParams.get('tab')).toBe('billing');
    expect(returnTo.hash).toBe('#s');
  });

  test('after navigating away isConnecting stays true and a second click sends no second POST /connect', async () => {
    const backend = startFakeBackend('disconnected');
    const { result, navigate } = await renderSettled();
    let first: unknown;
    await act(async () => {
      first = await result.current.connect();
    });
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(result.current.isConnecting).toBe(true);
    let second: unknown;
    await act(async () => {
      second = await result.current.connect();
    });
    expect(second).toBe(first);
    expect(backend.requestsTo('connect')).toHaveLength(1);
    expect(navigate).toHaveBeenCalledTimes(1);
  });

  test('coming back through the back/forward cache (pageshow persisted) makes it idle again', async () => {
    startFakeBackend('disconnected');
    const { result } = await renderSettled();
    await act(() => result.current.connect());
    expect(result.current.isConnecting).toBe(true);
    act(() => {
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    });
    await waitFor(() => expect(result.current.isConnecting).toBe(false));
  });

  test('leaving the page (pagehide) ends it too, and reconnect() behaves the same', async () => {
    startFakeBackend('needsReauthExpired');
    const { result } = await renderSettled();
    await act(() => result.current.reconnect());
    expect(result.current.isReconnecting).toBe(true);
    act(() => {
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    });
    await waitFor(() => expect(result.current.isReconnecting).toBe(false));
  });
});

describe('reconnect() reuses disconnect()', () => {
  test('a failed DELETE rejects with its own error (DELETE /connection), reports once, and connects nothing', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    backend.failNext('disconnect', 'XERO_UNAVAILABLE');
    const { options, events } = spies();
    const { result, navigate } = await renderSettled(options);
    let error: unknown;
    await act(async () => {
      error = await rejectionOf(result.current.reconnect());
    });
    expect(error).toMatchObject({ code: 'XERO_UNAVAILABLE', endpoint: 'DELETE /connection' });
    expect(options.onError).toHaveBeenCalledExactlyOnceWith(error);
    expect(events.filter((event) => event.type.endsWith('_failed'))).toEqual([{ type: 'reconnect_failed', error }]);
    expect(backend.requestsTo('connect')).toHaveLength(0);
    expect(navigate).not.toHaveBeenCalled();
    expect(result.current.state.status).toBe('needs_reauth');
  });

  test("a host client's own failure in the DELETE is labelled DELETE /connection, not POST /connect", async () => {
    startFakeBackend('needsReauthExpired');
    const base = createXeroConnectionClient({ baseUrl: BASE_URL });
    const client = { ...base, disconnect: () => Promise.reject(new Error('proxy said no')) };
    const { result } = await renderSettled({}, { client });
    let error: unknown;
    await act(async () => {
      error = await rejectionOf(result.current.reconnect());
    });
    expect(error).toMatchObject({ name: 'XeroConnectionUsageError', endpoint: 'DELETE /connection' });
  });

  test('joining a disconnect in flight: one DELETE, one disconnected event, onDisconnected once', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    const release = backend.hold('disconnect');
    let both: Promise<unknown>[] = [];
    act(() => {
      both = [result.current.disconnect(), result.current.reconnect()];
    });
    await waitFor(() => expect(result.current.isDisconnecting).toBe(true));
    release();
    await act(() => Promise.all(both));
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(backend.requestsTo('connect')).toHaveLength(1);
    expect(types().filter((type) => type === 'disconnected')).toHaveLength(1);
    expect(options.onDisconnected).toHaveBeenCalledTimes(1);
  });
});

describe('after a successful DELETE', () => {
  test('the cache says disconnected at once: a read that fails afterwards does not turn it into an error', async () => {
    const backend = startFakeBackend('connected');
    const { result } = await renderSettled({}, { client: clientWithoutRetry() });
    backend.failNext('getConnection', 'network_error', 3);
    await act(() => result.current.disconnect());
    expect(result.current.state).toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(result.current.state.status).toBe('disconnected');
  });
});

describe('cross-tab and freshness', () => {
  test("another tab's change is read at once (BroadcastChannel), and only for the same integration", async () => {
    const backend = startFakeBackend('connected');
    const { result } = await renderSettled();
    const otherTab = new BroadcastChannel(CHANNEL_NAME);
    try {
      backend.setConnection(fixture('disconnected'));
      otherTab.postMessage({ source: MESSAGE_SOURCE, type: 'changed', baseUrl: '/api/integrations/xero-payroll' });
      otherTab.postMessage({ source: 'someone-else', type: 'changed', baseUrl: BASE_URL });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(result.current.state.status).toBe('connected');
      otherTab.postMessage({ source: MESSAGE_SOURCE, type: 'changed', baseUrl: BASE_URL });
      await waitFor(() => expect(result.current.state.status).toBe('disconnected'));
    } finally {
      otherTab.close();
    }
  });

  test('a disconnect here tells the other tabs', async () => {
    startFakeBackend('connected');
    const { result } = await renderSettled();
    const otherTab = new BroadcastChannel(CHANNEL_NAME);
    const heard = new Promise<unknown>((resolve) => otherTab.addEventListener('message', (event) => resolve(event.data), { once: true }));
    try {
      await act(() => result.current.disconnect());
      expect(await heard).toEqual({ source: MESSAGE_SOURCE, type: 'changed', baseUrl: BASE_URL });
    } finally {
      otherTab.close();
    }
  });

  test('the status is read again when the window regains focus (once it is stale)', async () => {
    const backend = startFakeBackend('connected');
    const queryClient = new QueryClient();
    const { result } = await renderSettled({}, { queryClient });
    backend.setConnection(fixture('needsReauthExpired'));
    await act(() => queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all, refetchType: 'none' }));
    expect(result.current.state.status).toBe('connected');
    act(() => {
      // What the browser sends when the tab or window comes back (react-query listens on window).
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await waitFor(() => expect(result.current.state.status).toBe('needs_reauth'));
  });

  test('canManage is returned as given, default true', async () => {
    startFakeBackend('connected');
    expect((await renderSettled()).result.current.canManage).toBe(true);
    expect((await renderSettled({ canManage: false })).result.current.canManage).toBe(false);
  });
});

describe('completeXeroConnection() on a page of the host', () => {
  async function startRoundTrip() {
    const backend = startFakeBackend('disconnected');
    comeBackWith('from=settings');
    const { result } = await renderSettled();
    await act(() => result.current.connect());
    const session = backend.connectSessions[0];
    if (!session) throw new Error('no connect session');
    return { backend, session };
  }

  test('success: POST /callback with code and state, then back to where the user started with ?xero=connected', async () => {
    const { backend, session } = await startRoundTrip();
    const navigate = vi.fn<(url: string) => void>();
    const result = await completeXeroConnection({
      baseUrl: BASE_URL,
      location: `${location.origin}/integrations/xero/callback?code=auth-code&state=${session.state}`,
      navigate,
    });
    expect(backend.requestsTo('completeCallback')[0]?.body).toEqual({ code: 'auth-code', state: session.state });
    expect(result.outcome).toEqual({ kind: 'connected' });
    expect(result.connection).toMatchObject({ status: 'connected' });
    const back = new URL(navigate.mock.calls[0]?.[0] ?? '');
    expect(back.searchParams.get('from')).toBe('settings');
    expect(back.searchParams.get('xero')).toBe('connected');
    expect(back.searchParams.get('xeroIntegration')).toBe(BASE_URL);
    expect(back.origin).toBe(location.origin);
  });

  test('failure: the backend says why, and the user goes back with ?xero=error&code=…', async () => {
    const { backend, session } = await startRoundTrip();
    backend.failNext('completeCallback', 'CONNECT_SESSION_EXPIRED');
    const navigate = vi.fn<(url: string) => void>();
    const result = await completeXeroConnection({
      client: createXeroConnectionClient({ baseUrl: BASE_URL }),
      location: `${location.origin}/cb?code=auth-code&state=${session.state}`,
      navigate,
    });
    expect(result.outcome).toEqual({ kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' });
    expect(result.error).toMatchObject({ code: 'CONNECT_SESSION_EXPIRED', endpoint: 'POST /callback' });
    const back = new URL(navigate.mock.calls[0]?.[0] ?? '');
    expect(back.searchParams.get('xero')).toBe('error');
    expect(back.searchParams.get('code')).toBe('CONNECT_SESSION_EXPIRED');
    expect(back.searchParams.get('from')).toBe('settings');
  });

  test("Xero's error=access_denied goes back as a cancel without calling the backend", async () => {
    const { backend, session } = await startRoundTrip();
    const navigate = vi.fn<(url: string) => void>();
    const result = await completeXeroConnection({
      baseUrl: BASE_URL,
      location: `${location.origin}/cb?error=access_denied&state=${session.state}`,
      navigate,
    });
    expect(result.outcome).toEqual({ kind: 'cancelled', reason: 'consent_denied' });
    expect(backend.requestsTo('completeCallback')).toHaveLength(0);
    expect(new URL(navigate.mock.calls[0]?.[0] ?? '').searchParams.get('code')).toBe('XERO_ACCESS_DENIED');
  });

  test('an unknown state, or a cross-origin fallback, never leads off the origin', async () => {
    startFakeBackend('disconnected');
    const navigate = vi.fn<(url: string) => void>();
    const result = await completeXeroConnection({
      baseUrl: BASE_URL,
      location: `${location.origin}/cb?code=auth-code&state=never-seen`,
      fallbackReturnTo: 'https://portal.example.evil.test/phish',
      navigate,
    });
    expect(result.outcome).toEqual({ kind: 'failed', code: 'STATE_MISMATCH' });
    expect(navigate).toHaveBeenCalledExactlyOnceWith(`${location.origin}/?xero=error&code=STATE_MISMATCH`);
  });

  test('a remembered returnTo on another origin (tampered storage) is not followed', async () => {
    const { session } = await startRoundTrip();
    const key = `@carevision/xero-connection:connect:${session.state}`;
    const record = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, string>;
    localStorage.setItem(key, JSON.stringify({ ...record, returnTo: 'https://evil.test/' }));
    const result = await completeXeroConnection({
      baseUrl: BASE_URL,
      location: `${location.origin}/cb?code=c&state=${session.state}`,
      fallbackReturnTo: '/settings',
      navigate: false,
    });
    expect(result.returnTo).toBe(`${location.origin}/settings?xero=connected`);
  });

  test('without a client or base URL it says what to pass', async () => {
    const error = await rejectionOf(completeXeroConnection({} as Parameters<typeof completeXeroConnection>[0]));
    expect(error).toMatchObject({ name: 'XeroConnectionUsageError' });
    expect((error as Error).message).toMatch(/pass either \{ client \} or \{ baseUrl/);
  });
});
