import { QueryClient } from '@tanstack/react-query';
import { act, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { ReactNode } from 'react';
import { describe, expect, test } from 'vitest';

import { PROBLEM_CONTENT_TYPE } from '../../src/client';
import { XeroConnectionCard } from '../../src/components/xero-connection-card';
import { XeroConnectionProvider, notifyXeroProblem, useXeroConnection } from '../../src/react';
import { CHANNEL_NAME, MESSAGE_SOURCE } from '../../src/client/connect-messages';
import { buildProblem } from '../../src/testing/fixtures';
import { BASE_URL, addHandlers, clientWithoutRetry, fixture, providerWrapper, setUpWorker, startFakeBackend } from './support';

// The export page met a problem in its own route's answer: it tells the package once, and every
// card and hook for the integration, here and in the origin's other tabs, shows the recovery now,
// not at the next poll (the connection stays fresh for 30 s) or window focus.

setUpWorker();

const EXPIRED =
  "The connection to Xero expired because it wasn't used for 60 days. Exports to Xero are paused until you reconnect.";

/** Shows what a hook elsewhere on the page (a header badge, say) knows. */
function StatusBadge(): ReactNode {
  const { state } = useXeroConnection();
  return <p aria-label="Xero status">{state.status}</p>;
}

/** The settings column with two cards for one integration, and a hook in the page's header. */
function renderPage(queryClient: QueryClient) {
  render(
    <XeroConnectionProvider baseUrl={BASE_URL} queryClient={queryClient} navigate={() => {}}>
      <header>
        <StatusBadge />
      </header>
      <main>
        <XeroConnectionCard title="Xero Billing" />
        <aside>
          <XeroConnectionCard title="Invoices to Xero" />
        </aside>
      </main>
    </XeroConnectionProvider>,
  );
  const cards = () => [screen.getByRole('region', { name: 'Xero Billing' }), screen.getByRole('region', { name: 'Invoices to Xero' })];
  const badge = () => screen.getByLabelText('Xero status');
  return { cards, badge };
}

async function settledConnected(queryClient: QueryClient) {
  const page = renderPage(queryClient);
  await waitFor(() => expect(page.badge()).toHaveTextContent('connected'));
  return page;
}

/** A page read while connected, whose backend has since found the grant dead (as xeroFetch does). */
async function pageWhoseGrantDied() {
  const backend = startFakeBackend('connected');
  const queryClient = new QueryClient();
  const page = await settledConnected(queryClient);
  backend.setConnection(fixture('needsReauthExpired'));
  backend.clearRequests();
  return { ...page, backend, queryClient };
}

/** What the host's export route answers: the handler's problem, as `toResponse()` writes it. */
function problemResponse(code: Parameters<typeof buildProblem>[0]): Response {
  const problem = buildProblem(code, { instance: '/api/exports/invoices' });
  return new Response(JSON.stringify(problem), { status: problem.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE } });
}

describe('notifyXeroProblem', () => {
  test('a reconnect problem: both cards and the hook show the recovery at once, with one read', async () => {
    const { backend, queryClient, cards, badge } = await pageWhoseGrantDied();

    const response = problemResponse('XERO_INVALID_GRANT');
    await act(async () => {
      expect(await notifyXeroProblem(queryClient, BASE_URL, response)).toBe(true);
    });
    for (const card of cards()) {
      expect(card).toHaveAttribute('data-state', 'needs_reauth');
      expect(within(card).getByText(EXPIRED)).toBeVisible();
      expect(within(card).getByRole('button', { name: 'Reconnect' })).toBeVisible();
    }
    expect(badge()).toHaveTextContent('needs_reauth');
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    // The host can still read its own answer.
    expect(await response.json()).toMatchObject({ code: 'XERO_INVALID_GRANT' });
  });

  test('a try-later problem reads the status again too (Xero’s outage shows on the cards)', async () => {
    const backend = startFakeBackend('connected');
    const queryClient = new QueryClient();
    const { badge } = await settledConnected(queryClient);
    backend.setConnection(fixture('rateLimited'));
    await act(async () => {
      expect(await notifyXeroProblem(queryClient, BASE_URL, buildProblem('XERO_RATE_LIMITED', { retryAfterSeconds: 30 }))).toBe(true);
    });
    expect(badge()).toHaveTextContent('error');
  });

  test('any other problem, or junk, changes nothing and reads nothing', async () => {
    const { backend, queryClient, badge } = await pageWhoseGrantDied();
    for (const problem of [buildProblem('VALIDATION_FAILED'), problemResponse('FORBIDDEN'), new Error('offline'), null, 'XERO_INVALID_GRANT']) {
      expect(await notifyXeroProblem(queryClient, BASE_URL, problem)).toBe(false);
    }
    expect(backend.requestsTo('getConnection')).toHaveLength(0);
    expect(badge()).toHaveTextContent('connected');
  });

  test('only the integration named: another base URL’s cards stay as they are', async () => {
    const { backend, queryClient, badge } = await pageWhoseGrantDied();
    await notifyXeroProblem(queryClient, '/api/integrations/xero-payroll', buildProblem('XERO_INVALID_GRANT'));
    expect(backend.requestsTo('getConnection')).toHaveLength(0);
    expect(badge()).toHaveTextContent('connected');
  });
});

describe('useXeroConnection().refresh()', () => {
  test('keeps its identity between renders, and concurrent calls send one request', async () => {
    const backend = startFakeBackend('connected');
    const { Wrapper } = providerWrapper();
    const { result, rerender } = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    const refresh = result.current.refresh;
    rerender();
    expect(result.current.refresh).toBe(refresh);

    backend.setConnection(fixture('needsReauthExpired'));
    backend.clearRequests();
    await act(() => Promise.all([refresh(), refresh(), result.current.refresh()]));
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    expect(result.current.state).toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
    expect(result.current.refresh).toBe(refresh);
  });

  test('a read already in flight is restarted, not joined: it may predate the problem', async () => {
    const backend = startFakeBackend('connected');
    const queryClient = new QueryClient();
    const { Wrapper } = providerWrapper({ queryClient });
    const { result } = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    // A read that left while the grant still worked, and answers late with what it saw then.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const stale = fixture('connected');
    addHandlers(
      http.get(
        `${BASE_URL}/connection`,
        async () => {
          started = true;
          await gate;
          return HttpResponse.json(stale);
        },
        { once: true },
      ),
    );
    void queryClient.refetchQueries();
    await waitFor(() => expect(started).toBe(true));
    backend.setConnection(fixture('needsReauthExpired'));
    const refreshed = result.current.refresh();
    setTimeout(release, 50);
    await act(() => refreshed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(result.current.state.status).toBe('needs_reauth');
  });

  test('never rejects: a failed read shows as the error state', async () => {
    const backend = startFakeBackend('connected');
    const { Wrapper } = providerWrapper({ client: clientWithoutRetry() });
    const { result } = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    backend.failEvery('getConnection', 'INTERNAL');
    await act(() => result.current.refresh());
    await waitFor(() => expect(result.current.state.status).toBe('error'));
  });
});

describe('the origin’s other tabs', () => {
  test('one tab’s notice reaches another tab’s cards through the BroadcastChannel, without a poll', async () => {
    const backend = startFakeBackend('connected');
    // This page plays the other tab: its cards were read a moment ago and are fresh for 30 s.
    const { cards, badge } = await settledConnected(new QueryClient());
    // The exporting tab: the same channel, in another context of the origin.
    const exportingTab = new BroadcastChannel(CHANNEL_NAME);
    const heard = new BroadcastChannel(CHANNEL_NAME);
    const received = new Promise<unknown>((resolve) => heard.addEventListener('message', (event) => resolve(event.data), { once: true }));
    try {
      backend.setConnection(fixture('needsReauthExpired'));
      // The exporting tab's package sends what this page's refresh() sends: check the two agree.
      const { Wrapper } = providerWrapper();
      const other = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
      await waitFor(() => expect(other.result.current.state.status).not.toBe('loading'));
      await act(() => other.result.current.refresh());
      const message = await received;
      expect(message).toEqual({ source: MESSAGE_SOURCE, type: 'changed', baseUrl: BASE_URL });

      backend.setConnection(fixture('disconnected'));
      exportingTab.postMessage(message);
      await waitFor(() => expect(badge()).toHaveTextContent('disconnected'));
      for (const card of cards()) expect(card).toHaveAttribute('data-state', 'disconnected');
    } finally {
      exportingTab.close();
      heard.close();
    }
  });

  test('a tab that hears the message reads again without sending it on (no echo between tabs)', async () => {
    const backend = startFakeBackend('connected');
    const { badge } = await settledConnected(new QueryClient());
    const otherTab = new BroadcastChannel(CHANNEL_NAME);
    const echoes: unknown[] = [];
    otherTab.addEventListener('message', (event) => echoes.push(event.data));
    try {
      backend.setConnection(fixture('needsReauthExpired'));
      otherTab.postMessage({ source: MESSAGE_SOURCE, type: 'changed', baseUrl: BASE_URL });
      await waitFor(() => expect(badge()).toHaveTextContent('needs_reauth'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(echoes).toEqual([]);
    } finally {
      otherTab.close();
    }
  });
});
