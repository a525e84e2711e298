import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';
import '../../src/components/styles/card.css';

import { createXeroConnectionClient } from '../../src/client';
import { XeroConnectionCard, type XeroConnectionCardProps } from '../../src/components/xero-connection-card';
import { XeroConnectionProvider, xeroConnectionKeys } from '../../src/react';
import { buildConnection } from '../../src/testing/fixtures';
import { expectNoAxeViolations, setTheme } from '../support/axe';
import { BASE_URL, clientWithoutRetry, providerWrapper, setUpWorker, startFakeBackend } from '../react/support';

// What the card shows when the user comes back from Xero, what people who may not change the
// connection see, and the review findings on the card (busy trigger, kept notice, stable dates).

setUpWorker();

const ORIGINAL_URL = location.href;
afterEach(() => {
  cleanup();
  history.replaceState(null, '', ORIGINAL_URL);
  delete document.documentElement.dataset.theme;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function comeBackWith(search: string): void {
  const url = new URL(ORIGINAL_URL);
  url.search = `${url.search}&tab=billing&${search}&xeroIntegration=${encodeURIComponent(BASE_URL)}`;
  history.replaceState(null, '', url.href);
}

function Page({ children }: { children?: ReactNode }) {
  return (
    <main>
      <h1>Settings</h1>
      <h2>Integrations</h2>
      {children}
    </main>
  );
}

function renderCard(props: Partial<XeroConnectionCardProps> = {}, options: Parameters<typeof providerWrapper>[0] = {}) {
  const { Wrapper, navigate } = providerWrapper(options);
  const view = render(
    <Page>
      <XeroConnectionCard title="Xero Billing" {...props} />
    </Page>,
    { wrapper: Wrapper },
  );
  const card = () => screen.getByRole('region', { name: 'Xero Billing', hidden: true });
  const buttons = () => within(card()).queryAllByRole('button').map((element) => element.textContent);
  return { ...view, navigate, card, buttons };
}

const button = (name: string | RegExp) => screen.getByRole('button', { name });

describe('back from Xero: the card says how it went', () => {
  test('connected: "You connected Sunrise Care Group to Xero Billing." with the status', async () => {
    startFakeBackend('connected');
    comeBackWith('xero=connected');
    const { card } = renderCard();
    expect(await screen.findByText('You connected Sunrise Care Group to Xero Billing.')).toBeVisible();
    expect(within(card()).getByRole('status')).toHaveTextContent('Connected to Sunrise Care Group');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(new URLSearchParams(location.search).get('xero')).toBeNull();
    expect(new URLSearchParams(location.search).get('tab')).toBe('billing');
  });

  test('consent cancelled is said politely, not as an error', async () => {
    startFakeBackend('disconnected');
    comeBackWith('xero=error&code=XERO_ACCESS_DENIED');
    const { card } = renderCard();
    expect(await screen.findByText('You cancelled the connection in Xero. Nothing changed.')).toBeVisible();
    expect(within(card()).getByRole('status')).toHaveTextContent('You cancelled the connection in Xero.');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(button('Connect to Xero')).toBeVisible();
  });

  test.each([
    ['CONNECT_SESSION_EXPIRED', 'Connecting to Xero took too long, so nothing was connected. Try again.'],
    [
      'STATE_MISMATCH',
      "We couldn't confirm that the connection was started from this page, so nothing was connected. Try again from here.",
    ],
    [
      'XERO_TENANT_MISMATCH',
      'In Xero you chose a different organisation from the one connected before, so nothing was connected. Try again and choose the same organisation. To switch organisations, disconnect first, then connect.',
    ],
    [
      'XERO_CONNECTION_LIMIT',
      "Xero didn't allow the connection: this app has reached its limit of connected organisations. Disconnect one you no longer use, or contact support.",
    ],
    ['XERO_UNAVAILABLE', "Connecting to Xero didn't finish: Xero is not answering right now. Nothing changed. Try again."],
  ])('%s is an alert that says what happened and what to do', async (code, text) => {
    startFakeBackend('disconnected');
    comeBackWith(`xero=error&code=${code}`);
    renderCard();
    expect(await screen.findByRole('alert')).toHaveTextContent(text);
    expect(button('Connect to Xero')).toBeVisible();
  });

  test('the message goes when the user starts again', async () => {
    startFakeBackend('disconnected');
    comeBackWith('xero=error&code=STATE_MISMATCH');
    const { navigate } = renderCard();
    await screen.findByRole('alert');
    await userEvent.click(button('Connect to Xero'));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  test('a blocked pop-up (no fallback) and a closed pop-up say so', async () => {
    startFakeBackend('disconnected');
    vi.spyOn(window, 'open').mockReturnValue(null);
    renderCard({ mode: 'popup', popupFallback: 'none' });
    await userEvent.click(await screen.findByRole('button', { name: 'Connect to Xero' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Your browser blocked the Xero window. Allow pop-ups for this site, then try again.',
    );
  });

  test('the user closing the pop-up: "The Xero window was closed…", not an error', async () => {
    startFakeBackend('disconnected');
    const open = vi.spyOn(window, 'open');
    renderCard({ mode: 'popup' });
    await userEvent.click(await screen.findByRole('button', { name: 'Connect to Xero' }));
    const popup = open.mock.results[0]?.value as Window;
    expect(await screen.findByRole('button', { name: 'Working…' })).toHaveAttribute('aria-busy', 'true');
    popup.close();
    expect(
      await screen.findByText('The Xero window was closed before the connection finished. Nothing changed.', undefined, {
        timeout: 4000,
      }),
    ).toBeVisible();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(button('Connect to Xero')).toBeVisible();
  });
});

describe('canManage={false}: ask an administrator', () => {
  test('needs_reauth: no actions; says who to ask, with a mailto link and a copy-link button', async () => {
    startFakeBackend('needsReauthExpired');
    const { card, buttons } = renderCard({
      canManage: false,
      adminContact: { name: 'Priya Shah', email: 'priya@sunrise.example' },
    });
    expect(await screen.findByText('Ask an administrator to reconnect Xero.')).toBeVisible();
    expect(buttons()).toEqual(['Copy link to this page']);
    const link = within(card()).getByRole('link', { name: 'Priya Shah' });
    expect(link.parentElement).toHaveTextContent('Your administrator: Priya Shah');
    const href = new URL(link.getAttribute('href') ?? '');
    expect(href.protocol).toBe('mailto:');
    expect(href.pathname).toBe('priya@sunrise.example');
    expect(href.searchParams.get('subject')).toBe('Please reconnect Xero Billing to Xero');
    expect(href.searchParams.get('body')).toBe(location.href);
  });

  test('an address that could smuggle headers is shown as text, not as a link', async () => {
    startFakeBackend('disconnected');
    const { card } = renderCard({ canManage: false, adminContact: { name: 'IT desk', email: 'it@x.example?bcc=evil@x.test' } });
    expect(await screen.findByText('Your administrator: IT desk')).toBeVisible();
    expect(within(card()).queryByRole('link')).toBeNull();
  });

  test('"Copy link to this page" copies the address and says so', async () => {
    startFakeBackend('disconnected');
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    renderCard({ canManage: false, adminContact: 'the practice manager' });
    expect(await screen.findByText('Your administrator: the practice manager')).toBeVisible();
    await userEvent.click(button('Copy link to this page'));
    expect(writeText).toHaveBeenCalledExactlyOnceWith(location.href);
    expect(await screen.findByText('Link copied.')).toHaveAttribute('role', 'status');
  });

  test('without a clipboard the link appears selected in a field to copy by hand', async () => {
    startFakeBackend('disconnected');
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    renderCard({ canManage: false });
    await userEvent.click(await screen.findByRole('button', { name: 'Copy link to this page' }));
    expect(await screen.findByText("The link couldn't be copied automatically. Select it below and copy it.")).toBeVisible();
    const field = screen.getByRole('textbox', { name: 'Link to this page' });
    expect(field).toHaveValue(location.href);
    await waitFor(() => expect(field).toHaveFocus());
    expect((field as HTMLInputElement).selectionEnd).toBe(location.href.length);
  });

  test('connected and expiring: the status, no actions and no request to ask anyone', async () => {
    startFakeBackend('expiring');
    const { buttons } = renderCard({ canManage: false });
    expect(await screen.findByText('Expires in 5 days unless used')).toBeVisible();
    expect(buttons()).toEqual([]);
    expect(screen.queryByText('Ask an administrator to reconnect Xero.')).toBeNull();
  });

  test('a failed read can still be tried again: reading is not managing', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', 'network_error');
    const { buttons } = renderCard({ canManage: false }, { client: clientWithoutRetry() });
    await screen.findByText(/We couldn't check the connection/);
    expect(buttons()).toEqual(['Try again']);
  });
});

describe('review findings on the card', () => {
  test('while Reconnect runs, the "Disconnect my account" trigger is busy and does not open the dialog', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    renderCard();
    const release = backend.hold('disconnect');
    await userEvent.click(await screen.findByRole('button', { name: 'Reconnect' }));
    const trigger = screen.getAllByRole('button', { name: 'Working…' })[0] as HTMLElement;
    expect(trigger).toHaveAttribute('data-action', 'disconnect-my-account');
    expect(trigger).toHaveAttribute('aria-busy', 'true');
    // A plain DOM click: Playwright's refuses an aria-disabled button, which is the point here.
    act(() => trigger.click());
    expect(screen.queryByRole('alertdialog')).toBeNull();
    release();
    await waitFor(() => expect(backend.requestsTo('connect')).toHaveLength(1));
  });

  test('the "disconnected" notice survives a read that fails right after the DELETE', async () => {
    const backend = startFakeBackend('connected');
    renderCard({}, { client: clientWithoutRetry() });
    await userEvent.click(await screen.findByRole('button', { name: 'Disconnect' }));
    backend.failNext('getConnection', 'network_error', 3);
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, disconnect' }));
    expect(await screen.findByText('Your Xero account has been disconnected.')).toBeVisible();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screen.getByText('Your Xero account has been disconnected.')).toBeVisible();
    expect(screen.queryByText(/We couldn't check/)).toBeNull();
  });

  test('"2 days ago" is measured from when the connection was read, so hydration a day later matches', async () => {
    const readAt = new Date('2026-11-26T09:30:00.000Z');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(readAt);
    const backend = startFakeBackend('connected');
    const release = backend.hold('getConnection');
    const connection = buildConnection('connected', {}, readAt);
    const queryClient = new QueryClient();
    queryClient.setQueryData(xeroConnectionKeys.connection(BASE_URL), connection);
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    const tree = (
      <XeroConnectionProvider client={client} queryClient={queryClient}>
        <XeroConnectionCard title="Xero Billing" />
      </XeroConnectionProvider>
    );
    const container = document.createElement('div');
    container.innerHTML = renderToString(tree);
    document.body.append(container);
    expect(container.textContent).toContain('(2 days ago)');

    // The browser hydrates a day later (a cached page, a slow network).
    vi.setSystemTime(new Date(readAt.getTime() + 86_400_000));
    const onRecoverableError = vi.fn();
    const root = hydrateRoot(container, tree, { onRecoverableError });
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(onRecoverableError).not.toHaveBeenCalled();
    expect(container.textContent).toContain('(2 days ago)');
    act(() => root.unmount());
    container.remove();
    release();
  });
});

describe('accessibility of the new states, light and dark', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`connected after the return (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('connected');
      comeBackWith('xero=connected');
      renderCard();
      await screen.findByText('You connected Sunrise Care Group to Xero Billing.');
      await expectNoAxeViolations();
    });

    test(`a failed return (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('disconnected');
      comeBackWith('xero=error&code=XERO_TENANT_MISMATCH');
      renderCard();
      await screen.findByRole('alert');
      await expectNoAxeViolations();
    });

    test(`ask an administrator, with contact and the copy-by-hand field (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('needsReauthExpired');
      vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('no'));
      renderCard({ canManage: false, adminContact: { name: 'Priya Shah', email: 'priya@sunrise.example' } });
      await userEvent.click(await screen.findByRole('button', { name: 'Copy link to this page' }));
      await screen.findByRole('textbox', { name: 'Link to this page' });
      await expectNoAxeViolations();
    });
  }
});
