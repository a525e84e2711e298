import { QueryClient } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { http, HttpResponse } from 'msw';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';
import '../../src/components/styles/card.css';
import '../../src/components/styles/notice.css';

import type { Problem } from '../../src/client';
import { XeroConnectionCard } from '../../src/components/xero-connection-card';
import { XeroReconnectNotice, type XeroReconnectNoticeProps } from '../../src/components/xero-reconnect-notice';
import { FAKE_AUTHORIZE_ORIGIN } from '../../src/testing/fake-backend';
import { buildProblem, demoTenant } from '../../src/testing/fixtures';
import { expectNoAxeViolations, setTheme } from '../support/axe';
import { BASE_URL, addHandlers, fixture, providerWrapper, setUpWorker, startFakeBackend } from '../react/support';

// The recovery where the export failed, walked as a person does: by keyboard, reading what is
// announced, and coming back from Xero to retry the export.

setUpWorker();

const ORIGINAL_URL = location.href;
afterEach(() => {
  cleanup();
  history.replaceState(null, '', ORIGINAL_URL);
  sessionStorage.clear();
  delete document.documentElement.dataset.theme;
  vi.restoreAllMocks();
});

const NEEDS_RECONNECT = 'Xero Billing needs reconnecting before this export can run.';
const EXPIRED =
  "The connection to Xero expired because it wasn't used for 60 days. Exports to Xero are paused until you reconnect.";
const REMOVED = 'Sunrise Care Group removed this app in Xero. Connect again to resume exports.';
const CONNECTED_AGAIN = 'Xero Billing is connected again.';

const invalidGrant = (): Problem => buildProblem('XERO_INVALID_GRANT', { detail: 'Xero answered invalid_grant' });

/**
 * An export page: an Export button that answers with `answer` (the problem the host's route
 * returned), the notice beside it, and optionally the integration's card.
 */
function ExportPage({ answer, withCard = false, ...props }: Partial<XeroReconnectNoticeProps> & { answer: Problem | null; withCard?: boolean }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  return (
    <main>
      <h1>Invoices</h1>
      <button type="button" onClick={() => setProblem(answer)}>
        Export 3 invoices to Xero
      </button>
      <XeroReconnectNotice title="Xero Billing" problem={problem} headingLevel={2} {...props} />
      {withCard ? <XeroConnectionCard title="Xero Billing" /> : null}
    </main>
  );
}

function renderPage(props: Parameters<typeof ExportPage>[0], options: Parameters<typeof providerWrapper>[0] = {}) {
  const { Wrapper, navigate } = providerWrapper(options);
  const view = render(<ExportPage {...props} />, { wrapper: Wrapper });
  return { ...view, navigate };
}

const notice = () => screen.getByRole('region', { name: NEEDS_RECONNECT, hidden: true });
const title = (name: string) => screen.getByRole('heading', { name });
const button = (name: string | RegExp) => screen.getByRole('button', { name });

/** Presses Export by keyboard, as the walk starts. */
async function exportByKeyboard(): Promise<void> {
  await userEvent.tab();
  expect(button('Export 3 invoices to Xero')).toHaveFocus();
  await userEvent.keyboard('{Enter}');
}

/** The page after a redirect back from Xero: the URL carries the outcome; a fresh cache and mount. */
function comeBackWith(search: string): void {
  const url = new URL(ORIGINAL_URL);
  url.search = `${url.search}&${search}&xeroIntegration=${encodeURIComponent(BASE_URL)}`;
  history.replaceState(null, '', url.href);
}

describe('a reconnect problem at the export', () => {
  test('nothing shows before the export fails; then the notice takes focus and its title is described by the reason', async () => {
    startFakeBackend('needsReauthExpired');
    renderPage({ answer: invalidGrant() });
    expect(screen.queryByRole('heading', { name: NEEDS_RECONNECT })).toBeNull();
    expect(document.activeElement).toBe(document.body);

    await exportByKeyboard();
    await waitFor(() => expect(title(NEEDS_RECONNECT)).toHaveFocus());
    // Focus reads the title and its description: the card's own reason sentence.
    await waitFor(() => expect(title(NEEDS_RECONNECT)).toHaveAccessibleDescription(EXPIRED));
    expect(within(notice()).getByRole('status')).toHaveTextContent(EXPIRED);
    expect(notice()).toHaveAttribute('data-state', 'needs_reconnect');
    expect(notice()).toHaveAttribute('data-code', 'XERO_INVALID_GRANT');
  });

  test('keyboard only: Tab to Reconnect, Enter: disconnect, then to Xero for the same organisation', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { navigate } = renderPage({ answer: invalidGrant() });
    await exportByKeyboard();
    await waitFor(() => expect(title(NEEDS_RECONNECT)).toHaveFocus());

    const release = backend.hold('connect');
    await userEvent.tab();
    expect(button('Reconnect')).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    // The same button stays, busy and focused, while the round trip starts.
    const working = await screen.findByRole('button', { name: 'Working…' });
    expect(working).toHaveFocus();
    expect(working).toHaveAttribute('aria-busy', 'true');
    release();

    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(navigate.mock.calls[0]?.[0].startsWith(FAKE_AUTHORIZE_ORIGIN)).toBe(true);
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'reauth', expectedTenantId: demoTenant.tenantId });
    // The marker that lets the notice recognise its own return after the redirect.
    expect(Object.keys(sessionStorage).some((key) => key.endsWith(BASE_URL))).toBe(true);
  });

  test('keyboard only: Disconnect my account → No keeps it (focus back) → Yes → Set up Xero Billing again', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { navigate } = renderPage({ answer: invalidGrant() });
    await exportByKeyboard();
    await waitFor(() => expect(title(NEEDS_RECONNECT)).toHaveFocus());

    await userEvent.tab();
    await userEvent.tab();
    expect(button('Disconnect my account')).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog).toHaveAccessibleName('Disconnect Sunrise Care Group from Xero Billing?');
    // The safe answer has focus first; Enter on it cancels.
    expect(within(dialog).getByRole('button', { name: 'No, keep it' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await waitFor(() => expect(button('Disconnect my account')).toHaveFocus());
    expect(backend.requestsTo('disconnect')).toHaveLength(0);

    await userEvent.keyboard('{Enter}');
    await screen.findByRole('alertdialog');
    await userEvent.tab();
    expect(screen.getByRole('button', { name: 'Yes, disconnect' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    expect(await screen.findByText('Your Xero account has been disconnected.')).toBeVisible();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(notice()).toHaveAttribute('data-state', 'disconnected');
    await waitFor(() => expect(button('Set up Xero Billing again')).toHaveFocus());
    expect(screen.queryByRole('button', { name: 'Disconnect my account' })).toBeNull();

    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'connect' });
  });

  test('the organisation removed the app in Xero: the reason says so, and the card on the page shows the recovery at once', async () => {
    const backend = startFakeBackend('connected');
    renderPage({ answer: buildProblem('XERO_TENANT_NOT_FOUND'), withCard: true });
    const card = await screen.findByRole('region', { name: 'Xero Billing' });
    await within(card).findByText('Connected to Sunrise Care Group');

    // What xeroFetch found meanwhile: the organisation removed the app in Xero.
    backend.setConnection({
      ...backend.getConnection(),
      status: 'needs_reauth',
      reason: 'tenant_removed_in_xero',
    } as never);
    await userEvent.click(button('Export 3 invoices to Xero'));
    await waitFor(() => expect(within(notice()).getByRole('status')).toHaveTextContent(REMOVED));
    // The notice read the connection again: the card shows the same recovery without a poll.
    await waitFor(() => expect(card).toHaveAttribute('data-state', 'needs_reauth'));
    expect(within(card).getByText(REMOVED)).toBeVisible();
  });

  test('canManage false: asks an administrator, no recovery buttons', async () => {
    startFakeBackend('needsReauthExpired');
    renderPage({ answer: invalidGrant(), canManage: false, adminContact: 'Priya Shah, practice manager' });
    await userEvent.click(button('Export 3 invoices to Xero'));
    expect(await screen.findByText('Ask an administrator to reconnect Xero Billing.')).toBeVisible();
    expect(within(notice()).getByText(/Priya Shah, practice manager/)).toBeVisible();
    expect(within(notice()).queryByRole('button', { name: 'Reconnect' })).toBeNull();
    expect(within(notice()).queryByRole('button', { name: 'Disconnect my account' })).toBeNull();
  });

  test('a failed Reconnect says why as an alert and keeps Reconnect', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    backend.failNext('connect', 'XERO_UNAVAILABLE');
    const { navigate } = renderPage({ answer: invalidGrant() });
    await userEvent.click(button('Export 3 invoices to Xero'));
    await userEvent.click(await screen.findByRole('button', { name: 'Reconnect' }));
    expect(await within(notice()).findByRole('alert')).toHaveTextContent("That didn't work: Xero is not answering right now.");
    expect(navigate).not.toHaveBeenCalled();
    expect(button('Reconnect')).toBeVisible();
  });
});

describe('an integration that is not connected at all', () => {
  const NOT_CONNECTED = 'Xero Billing is not connected: set it up before this export can run.';

  test('asks to connect, not to reconnect, and Connect to Xero starts a first connection', async () => {
    const backend = startFakeBackend('neverConnected');
    const { navigate } = renderPage({ answer: buildProblem('XERO_TENANT_NOT_FOUND', { detail: 'Xero is not connected for this account (never connected)' }) });
    await exportByKeyboard();
    await waitFor(() => expect(title(NOT_CONNECTED)).toHaveFocus());
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Disconnect my account' })).toBeNull();
    await userEvent.tab();
    expect(button('Connect to Xero')).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(backend.requestsTo('disconnect')).toHaveLength(0);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'connect' });
  });

  test('a viewer is asked to have an administrator connect it', async () => {
    startFakeBackend('neverConnected');
    renderPage({ answer: buildProblem('XERO_TENANT_NOT_FOUND'), canManage: false });
    await exportByKeyboard();
    await waitFor(() => expect(title(NOT_CONNECTED)).toHaveFocus());
    expect(screen.getByText('Ask an administrator to connect Xero Billing.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Connect to Xero' })).toBeNull();
  });
});

describe('back from Xero', () => {
  test('redirect: the marker and ?xero=connected say "connected again", focused, with the retry slot; onReconnected once', async () => {
    startFakeBackend('connected');
    sessionStorage.setItem(`@carevision/xero-connection:reconnect-notice:${BASE_URL}`, JSON.stringify({ until: Date.now() + 60_000 }));
    comeBackWith('xero=connected');
    const onReconnected = vi.fn();
    const retry = vi.fn();
    renderPage({
      answer: null,
      onReconnected,
      retryAction: (
        <button type="button" data-xc-button="primary" onClick={retry}>
          Retry export
        </button>
      ),
    });
    await waitFor(() => expect(title(CONNECTED_AGAIN)).toHaveFocus());
    expect(screen.getByRole('region', { name: CONNECTED_AGAIN })).toHaveAttribute('data-state', 'reconnected');
    expect(onReconnected).toHaveBeenCalledTimes(1);
    expect(onReconnected.mock.calls[0]?.[0]).toMatchObject({ status: 'connected' });
    expect(Object.keys(sessionStorage)).toEqual([]);

    await userEvent.tab();
    expect(button('Retry export')).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(retry).toHaveBeenCalledTimes(1);
    expect(onReconnected).toHaveBeenCalledTimes(1);
  });

  test('without the marker a return is not the notice\'s: it renders nothing', async () => {
    startFakeBackend('connected');
    comeBackWith('xero=connected');
    const onReconnected = vi.fn();
    renderPage({ answer: null, onReconnected });
    await waitFor(() => expect(new URLSearchParams(location.search).get('xero')).toBeNull());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screen.queryByRole('heading', { name: CONNECTED_AGAIN })).toBeNull();
    expect(onReconnected).not.toHaveBeenCalled();
  });

  test('cancelled in Xero: says so, without "Nothing changed" (the reconnect disconnected first), and keeps Reconnect', async () => {
    startFakeBackend('disconnected');
    sessionStorage.setItem(`@carevision/xero-connection:reconnect-notice:${BASE_URL}`, JSON.stringify({ until: Date.now() + 60_000 }));
    comeBackWith('xero=error&code=XERO_ACCESS_DENIED');
    renderPage({ answer: null });
    await waitFor(() => expect(title(NEEDS_RECONNECT)).toHaveFocus());
    await waitFor(() => expect(within(notice()).getByRole('status')).toHaveTextContent('You cancelled in Xero, so Xero Billing is not connected now: exports stay paused until you reconnect.'));
    expect(button('Reconnect')).toBeVisible();
  });

  test('popup mode: the page stays, the notice says connected again and offers the retry', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    // "Xero" is a page of this origin here, so the test can answer from inside the real pop-up.
    const fakeXero = `${location.origin}/mockServiceWorker.js?fake-xero=1`;
    addHandlers(
      http.post(`${BASE_URL}/connect`, () =>
        HttpResponse.json({ authorizeUrl: fakeXero, state: 'popup-state', expiresAt: new Date(Date.now() + 600_000).toISOString() }),
      ),
    );
    const open = vi.spyOn(window, 'open');
    const onReconnected = vi.fn();
    renderPage({ answer: invalidGrant(), mode: 'popup', onReconnected, retryAction: <button type="button">Retry export</button> });
    await userEvent.click(button('Export 3 invoices to Xero'));
    await userEvent.click(await screen.findByRole('button', { name: 'Reconnect' }));
    const popup = open.mock.results[0]?.value as Window;
    await waitFor(() => expect(popup.location.href).toBe(fakeXero));
    await waitFor(() => expect(popup.document.readyState).toBe('complete'));

    backend.setConnection(fixture('connected'));
    const message = { source: '@carevision/xero-connection', type: 'connect-result', baseUrl: BASE_URL, outcome: { kind: 'connected' } };
    (popup as Window & { eval: (code: string) => unknown }).eval(`opener.postMessage(${JSON.stringify(message)}, location.origin)`);
    await waitFor(() => expect(title(CONNECTED_AGAIN)).toHaveFocus());
    expect(onReconnected).toHaveBeenCalledTimes(1);
    expect(button('Retry export')).toBeVisible();
    popup.close();
  });
});

describe('try later', () => {
  test('rate limited: the time from retryAfterSeconds, and never the recovery', async () => {
    startFakeBackend('connected');
    const before = Date.now();
    renderPage({ answer: buildProblem('XERO_RATE_LIMITED', { retryAfterSeconds: 120 }) });
    await userEvent.click(button('Export 3 invoices to Xero'));
    const heading = await screen.findByRole('heading', { name: /^Xero is busy: try this export again at / });
    await waitFor(() => expect(heading).toHaveFocus());
    const time = new Intl.DateTimeFormat('en-AU', { timeStyle: 'short' });
    const candidates = [time.format(before + 120_000), time.format(Date.now() + 120_000)];
    expect(candidates.map((at) => `Xero is busy: try this export again at ${at}.`)).toContain(heading.textContent);
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Disconnect my account' })).toBeNull();
    expect(heading.closest('section')).toHaveAttribute('data-state', 'retry_later');
  });

  test('Xero unavailable without a time says "in a few minutes"', async () => {
    startFakeBackend('connected');
    renderPage({ answer: buildProblem('XERO_UNAVAILABLE') });
    await userEvent.click(button('Export 3 invoices to Xero'));
    expect(
      await screen.findByRole('heading', { name: 'Xero is not answering right now: try this export again in a few minutes.' }),
    ).toBeVisible();
  });

  test('other problems are the host\'s to show: nothing renders', async () => {
    startFakeBackend('connected');
    renderPage({ answer: buildProblem('XERO_FORBIDDEN') });
    await userEvent.click(button('Export 3 invoices to Xero'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(screen.queryByRole('region')).toBeNull();
  });
});

describe('accessibility (axe, real colours)', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`${theme}: needs reconnect, disconnected, and try later have no violations`, async () => {
      setTheme(theme);
      startFakeBackend('needsReauthExpired');
      const queryClient = new QueryClient();
      const { rerender } = renderPage({ answer: invalidGrant() }, { queryClient });
      await userEvent.click(button('Export 3 invoices to Xero'));
      await screen.findByText(EXPIRED);
      await expectNoAxeViolations();
      rerender(<ExportPage answer={buildProblem('XERO_RATE_LIMITED', { retryAfterSeconds: 60 })} />);
      await userEvent.click(button('Export 3 invoices to Xero'));
      await screen.findByRole('heading', { name: /Xero is busy/ });
      await expectNoAxeViolations();
    });
  }
});

