import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';

import type { ConnectResponse, XeroConnectionError } from '../../src/client';
import {
  XeroConnectionProvider,
  useXeroConnection,
  type ConnectedConnection,
  type UseXeroConnectionOptions,
  type XeroConnectionEvent,
} from '../../src/react';
import { CHANNEL_NAME, MESSAGE_SOURCE } from '../../src/client/connect-messages';
import { BASE_URL, addHandlers, fixture, providerWrapper, setUpWorker, startFakeBackend } from './support';

// The opt-in pop-up round trip, with real pop-ups in Chromium: opened in the click, pointed at
// "Xero" (a page of this origin, so the test can speak from inside it), finished by postMessage,
// BroadcastChannel or polling, or ended by the user closing it or the browser blocking it.

setUpWorker();

const popups: Window[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const popup of popups.splice(0)) popup.close();
});

/** "Xero" for these tests: a page of this origin, so the test can post from inside the pop-up. */
const FAKE_XERO = `${location.origin}/mockServiceWorker.js?fake-xero=1`;

/** Answers POST /connect with {@link FAKE_XERO}; returns the bodies it received. */
function answerConnectWithSameOriginXero(): unknown[] {
  const bodies: unknown[] = [];
  addHandlers(
    http.post(`${BASE_URL}/connect`, async ({ request }) => {
      bodies.push(await request.json());
      return HttpResponse.json({
        authorizeUrl: FAKE_XERO,
        state: 'popup-state',
        expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      } satisfies ConnectResponse);
    }),
  );
  return bodies;
}

function spies() {
  const events: XeroConnectionEvent[] = [];
  const options = {
    mode: 'popup',
    onEvent: vi.fn((event: XeroConnectionEvent) => void events.push(event)),
    onError: vi.fn<(error: XeroConnectionError) => void>(),
    onConnected: vi.fn<(connection: ConnectedConnection) => void>(),
  } satisfies UseXeroConnectionOptions;
  const types = () => events.map((event) => event.type).filter((type) => type !== 'status_viewed');
  return { options, events, types };
}

async function renderSettled(options: UseXeroConnectionOptions) {
  const { Wrapper, navigate } = providerWrapper();
  const hook = renderHook(() => useXeroConnection(options), { wrapper: Wrapper });
  await waitFor(() => expect(hook.result.current.state.status).not.toBe('loading'));
  return { ...hook, navigate };
}

/** Starts connect() and returns the real pop-up it opened, once it shows "Xero". */
async function connectInPopup(result: { current: ReturnType<typeof useXeroConnection> }): Promise<Window> {
  const open = vi.spyOn(window, 'open');
  await act(() => result.current.connect());
  const popup = open.mock.results[0]?.value as Window | null;
  if (!popup) throw new Error('no pop-up opened');
  popups.push(popup);
  await waitFor(() => expect(popup.location.href).toBe(FAKE_XERO));
  await waitFor(() => expect(popup.document.readyState).toBe('complete'));
  return popup;
}

/** Runs `code` inside the pop-up, as its own page would. */
function runInPopup(popup: Window, code: string): void {
  (popup as Window & { eval: (code: string) => unknown }).eval(code);
}

const connectedMessage = { source: MESSAGE_SOURCE, type: 'connect-result', baseUrl: BASE_URL, outcome: { kind: 'connected' } };

describe('pop-up round trip', () => {
  test('the pop-up opens synchronously in the call, before the backend answers', async () => {
    const backend = startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const { result } = await renderSettled({ mode: 'popup' });
    const release = backend.hold('connect');
    const open = vi.spyOn(window, 'open');
    let pending: Promise<unknown> | undefined;
    act(() => {
      pending = result.current.connect();
      // Still inside the same task as the click would be: the window exists already.
      expect(open).toHaveBeenCalledTimes(1);
    });
    popups.push(open.mock.results[0]?.value as Window);
    release();
    await act(async () => {
      await pending;
    });
  });

  test('completed by postMessage from the pop-up: connected, pop-up closed, no longer connecting', async () => {
    const backend = startFakeBackend('disconnected');
    const bodies = answerConnectWithSameOriginXero();
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    const popup = await connectInPopup(result);
    expect(result.current.isConnecting).toBe(true);
    const body = bodies[0] as { returnTo: string } | undefined;
    expect(new URL(body?.returnTo ?? '').searchParams.get('xeroPopup')).toBe('1');

    backend.setConnection(fixture('connected'));
    runInPopup(popup, `opener.postMessage(${JSON.stringify(connectedMessage)}, location.origin)`);
    await waitFor(() => expect(result.current.returnOutcome).toEqual({ kind: 'connected' }));
    await waitFor(() => expect(popup.closed).toBe(true));
    expect(result.current.isConnecting).toBe(false);
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    expect(options.onConnected).toHaveBeenCalledTimes(1);
    expect(types()).toEqual(['connect_started', 'connected']);
  });

  test('a message from a look-alike origin, of the wrong shape, or not from the pop-up is ignored', async () => {
    startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const { result } = await renderSettled({ mode: 'popup' });
    const popup = await connectInPopup(result);

    // A look-alike origin that a prefix test would let through.
    window.dispatchEvent(
      new MessageEvent('message', { data: connectedMessage, origin: `${location.origin}.evil.test`, source: popup }),
    );
    // Our origin, but not from the pop-up.
    window.postMessage(connectedMessage, location.origin);
    // From the pop-up, but of the wrong shape or for another integration.
    runInPopup(popup, `opener.postMessage({ source: '${MESSAGE_SOURCE}', type: 'connect-result', baseUrl: '${BASE_URL}', outcome: { kind: 'hacked' } }, location.origin)`);
    runInPopup(popup, `opener.postMessage('connected', location.origin)`);
    runInPopup(popup, `opener.postMessage(${JSON.stringify({ ...connectedMessage, baseUrl: '/api/integrations/xero-payroll' })}, location.origin)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(result.current.returnOutcome).toBeNull();
    expect(result.current.isConnecting).toBe(true);
    expect(popup.closed).toBe(false);

    runInPopup(popup, `opener.postMessage(${JSON.stringify(connectedMessage)}, location.origin)`);
    await waitFor(() => expect(result.current.returnOutcome).toEqual({ kind: 'connected' }));
  });

  test('completed through the BroadcastChannel when the pop-up cannot reach its opener', async () => {
    startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    const popup = await connectInPopup(result);
    const returnPage = new BroadcastChannel(CHANNEL_NAME);
    try {
      returnPage.postMessage({ ...connectedMessage, outcome: { kind: 'cancelled', reason: 'consent_denied' } });
      await waitFor(() => expect(result.current.returnOutcome).toEqual({ kind: 'cancelled', reason: 'consent_denied' }));
    } finally {
      returnPage.close();
    }
    await waitFor(() => expect(popup.closed).toBe(true));
    expect(types()).toEqual(['connect_started', 'connect_cancelled']);
    expect(options.onError).not.toHaveBeenCalled();
  });

  test('completed by polling the status when no message comes at all', async () => {
    const backend = startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const { result } = await renderSettled({ mode: 'popup' });
    const popup = await connectInPopup(result);
    backend.setConnection(fixture('connected'));
    await waitFor(() => expect(result.current.returnOutcome).toEqual({ kind: 'connected' }), { timeout: 4000 });
    expect(popup.closed).toBe(true);
  });

  test('the user closing the pop-up is "cancelled", not an error', async () => {
    startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    const popup = await connectInPopup(result);
    popup.close();
    await waitFor(() => expect(result.current.returnOutcome).toEqual({ kind: 'cancelled', reason: 'popup_closed' }), {
      timeout: 4000,
    });
    expect(result.current.isConnecting).toBe(false);
    expect(types()).toEqual(['connect_started', 'connect_cancelled']);
    expect(options.onError).not.toHaveBeenCalled();
  });

  test('a blocked pop-up falls back to the redirect by default', async () => {
    const backend = startFakeBackend('disconnected');
    vi.spyOn(window, 'open').mockReturnValue(null);
    const { options, events } = spies();
    const { result, navigate } = await renderSettled(options);
    await act(() => result.current.connect());
    expect(events).toContainEqual({ type: 'popup_blocked', fallback: 'redirect' });
    expect(navigate).toHaveBeenCalledTimes(1);
    const body = backend.requestsTo('connect')[0]?.body as { returnTo: string } | undefined;
    expect(new URL(body?.returnTo ?? '').searchParams.get('xeroPopup')).toBeNull();
  });

  test('with popupFallback "none" a blocked pop-up starts nothing and says so', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    vi.spyOn(window, 'open').mockReturnValue(null);
    const { options, events } = spies();
    const { result, navigate } = await renderSettled({ ...options, popupFallback: 'none' });
    let answer: unknown = 'unset';
    await act(async () => {
      answer = await result.current.reconnect();
    });
    expect(answer).toBeNull();
    expect(result.current.returnOutcome).toEqual({ kind: 'popup_blocked' });
    expect(events).toContainEqual({ type: 'popup_blocked', fallback: 'none' });
    // Nothing was disconnected on the way to nowhere.
    expect(backend.requestsTo('disconnect')).toHaveLength(0);
    expect(backend.requestsTo('connect')).toHaveLength(0);
    expect(navigate).not.toHaveBeenCalled();
    expect(result.current.isReconnecting).toBe(false);
  });

  test("the provider's mode applies to every hook below it", async () => {
    startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const wrapper = ({ children }: { children?: ReactNode }) => (
      <XeroConnectionProvider baseUrl={BASE_URL} mode="popup" navigate={() => {}}>
        {children}
      </XeroConnectionProvider>
    );
    const { result } = renderHook(() => useXeroConnection(), { wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('disconnected'));
    const popup = await connectInPopup(result);
    expect(popup.closed).toBe(false);
  });

  test('unmounting stops watching: nothing is reported afterwards', async () => {
    startFakeBackend('disconnected');
    answerConnectWithSameOriginXero();
    const { options, types } = spies();
    const { result, unmount } = await renderSettled(options);
    const popup = await connectInPopup(result);
    unmount();
    popup.close();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(types()).toEqual(['connect_started']);
  });
});
