import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { createRef, StrictMode, type ReactNode } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';
import '../../src/components/styles/card.css';

import type { Connection } from '../../src/client';
import { XeroConnectionCard, type XeroConnectionCardProps } from '../../src/components/xero-connection-card';
import { xeroConnectionKeys, type XeroConnectionEvent } from '../../src/react';
import { buildConnection, type ConnectionFixtureName } from '../../src/testing/fixtures';
import { expectNoAxeViolations, setTheme } from '../support/axe';
import { clientWithoutRetry, fixture, providerWrapper, startFakeBackend, setUpWorker } from '../react/support';

// What the card shows in each state, how it is announced, themed, overridden and shared.

setUpWorker();
afterEach(() => {
  cleanup();
  delete document.documentElement.dataset.theme;
  vi.restoreAllMocks();
});

const DAY_MS = 86_400_000;

function Page({ children }: { children?: ReactNode }) {
  return (
    <main>
      <h1>Settings</h1>
      <h2>Integrations</h2>
      {children}
    </main>
  );
}

function renderCard(
  props: Partial<XeroConnectionCardProps> = {},
  options: Parameters<typeof providerWrapper>[0] & { strict?: boolean } = {},
) {
  const { Wrapper, navigate } = providerWrapper(options);
  const element = (
    <Page>
      <XeroConnectionCard title="Xero Billing" {...props} />
    </Page>
  );
  const view = render(options.strict ? <StrictMode>{element}</StrictMode> : element, { wrapper: Wrapper });
  // hidden: true, because a modal dialog hides the rest of the page from the accessibility tree.
  const card = () => screen.getByRole('region', { name: 'Xero Billing', hidden: true });
  return { ...view, navigate, card };
}

/** Waits for enter animations (the dialog's), so axe measures the colours at rest. */
async function settleAnimations(): Promise<void> {
  // allSettled: a cancelled animation rejects `finished` with an AbortError, which is not a failure.
  await Promise.allSettled(document.getAnimations().map((animation) => animation.finished));
}

function mediumDate(value: string | null): string {
  return new Intl.DateTimeFormat('en-AU', { dateStyle: 'medium' }).format(new Date(value ?? ''));
}

/** The text of each detail row, as "term: value". */
function detailRows(card: HTMLElement): string[] {
  return Array.from(card.querySelectorAll('[data-slot="xero-connection-card-detail"]'), (row) => {
    const term = row.querySelector('dt')?.textContent ?? '';
    const value = row.querySelector('dd')?.textContent ?? '';
    return `${term}: ${value}`;
  });
}

describe('each state: text, badge, organisation, dates', () => {
  test('loading: the card is busy and says it is checking', async () => {
    const backend = startFakeBackend('connected');
    const release = backend.hold('getConnection');
    const { card } = renderCard();
    expect(card()).toHaveAttribute('data-state', 'loading');
    expect(card()).toHaveAttribute('aria-busy', 'true');
    expect(within(card()).getByRole('status')).toHaveTextContent('Checking the connection to Xero Billing…');
    expect(within(card()).getByText('Checking…')).toBeVisible();
    expect(within(card()).queryByRole('button')).toBeNull();
    release();
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'connected'));
    expect(card()).not.toHaveAttribute('aria-busy');
  });

  test('connected: organisation, connected since and by whom, last used (en-AU, with how long ago)', async () => {
    const connection = buildConnection('connected', { connectedAt: '2026-07-29T09:30:00.000Z' }, new Date());
    startFakeBackend(connection);
    const { card } = renderCard();
    expect(await screen.findByText('Connected to Sunrise Care Group')).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'connected');
    expect(card()).not.toHaveAttribute('data-reason');
    const badge = card().querySelector('[data-slot="xero-connection-card-badge"]');
    expect(badge).toHaveTextContent('Connected');
    expect(badge).toHaveAttribute('data-state', 'connected');
    expect(within(card()).getByRole('heading', { name: 'Xero Billing' })).toBeVisible();
    expect(detailRows(card())).toEqual([
      'Organisation: Sunrise Care Group',
      'Connected since: 29 July 2026',
      'Connected by: Priya Shah',
      `Last used: ${mediumDate(connection.lastUsedAt)} (2 days ago)`,
    ]);
    expect(card().querySelector('time')).toHaveAttribute('datetime', '2026-07-29T09:30:00.000Z');
    // Check connection: the only way to learn that the organisation removed the app in Xero.
    expect(within(card()).getAllByRole('button').map((element) => element.textContent)).toEqual(['Check connection', 'Disconnect']);
  });

  test('a connection never used says "Never"; a bad date from the backend does not break the card', async () => {
    startFakeBackend(buildConnection('connected', { lastUsedAt: null, connectedBy: null }, new Date()));
    const { card } = renderCard({ locale: 'not a locale!' });
    await screen.findByText('Connected to Sunrise Care Group');
    const rows = detailRows(card());
    expect(rows).toContain('Last used: Never');
    expect(rows.some((row) => row.startsWith('Connected by'))).toBe(false);
    // An invalid locale falls back to en-AU rather than throwing.
    expect(rows.find((row) => row.startsWith('Connected since'))).toMatch(/^Connected since: \d{1,2} [A-Z][a-z]+ \d{4}$/);
  });

  test('another locale formats the dates', async () => {
    const connection = buildConnection('connected', { connectedAt: '2026-07-29T09:30:00.000Z' }, new Date());
    startFakeBackend(connection);
    const { card } = renderCard({ locale: 'en-US' });
    await screen.findByText('Connected to Sunrise Care Group');
    expect(detailRows(card())).toContain('Connected since: Jul 29, 2026');
  });

  test('expiring: "Expires in 5 days unless used" with a Check connection action', async () => {
    startFakeBackend('expiring');
    const { card } = renderCard();
    expect(await screen.findByText('Expires in 5 days unless used')).toBeVisible();
    expect(within(card()).getByRole('status')).toHaveTextContent('Connected to Sunrise Care GroupExpires in 5 days unless used');
    expect(card().querySelector('[data-slot="xero-connection-card-badge"]')).toHaveTextContent('Expiring soon');
    expect(within(card()).getAllByRole('button').map((element) => element.textContent)).toEqual([
      'Check connection',
      'Disconnect',
    ]);
  });

  test('expiringWithinDays is passed to the hook', async () => {
    startFakeBackend('expiring');
    const { card } = renderCard({ expiringWithinDays: 3 });
    await screen.findByText('Connected to Sunrise Care Group');
    expect(card()).toHaveAttribute('data-state', 'connected');
  });

  test('needs_reauth: the explanation uses the backend\'s refresh-token lifetime, not a hard-coded one', async () => {
    startFakeBackend(buildConnection('needsReauthExpired', { refreshTokenLifetimeDays: 30 }, new Date()));
    const { card } = renderCard();
    expect(
      await screen.findByText(
        "The connection to Xero expired because it wasn't used for 30 days. Exports to Xero are paused until you reconnect.",
      ),
    ).toBeVisible();
    expect(card().querySelector('[data-slot="xero-connection-card-badge"]')).toHaveTextContent('Action needed');
    expect(detailRows(card())[0]).toBe('Organisation: Sunrise Care Group');
    expect(within(card()).getAllByRole('button').map((element) => element.textContent)).toEqual([
      'Disconnect my account',
      'Reconnect',
    ]);
  });

  test('needs_reauth without a known organisation still reads well', async () => {
    startFakeBackend(buildConnection('tenantRemovedInXero', { tenant: null }, new Date()));
    const { card } = renderCard();
    expect(
      await screen.findByText('Your Xero organisation removed this app in Xero. Connect again to resume exports.'),
    ).toBeVisible();
    expect(detailRows(card()).some((row) => row.startsWith('Organisation'))).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Disconnect my account' }));
    expect(screen.getByRole('alertdialog')).toHaveAccessibleName('Disconnect your Xero organisation from Xero Billing?');
  });

  test('the stand-in for an unknown organisation reads mid-sentence and can be overridden', async () => {
    startFakeBackend(buildConnection('needsReauthRevoked', { tenant: null }, new Date()));
    renderCard({ messages: { 'detail.unknownOrganisation': 'the organisation' } });
    expect(
      await screen.findByText('Access to the organisation was revoked in Xero. Exports to Xero are paused until you reconnect.'),
    ).toBeVisible();
  });

  test('disconnected: "Not connected to Xero" and "Connect to Xero", no details', async () => {
    startFakeBackend('disconnected');
    const { card } = renderCard();
    expect(await screen.findByText('Not connected to Xero')).toBeVisible();
    expect(card()).toHaveAttribute('data-reason', 'user_disconnected');
    expect(card().querySelector('[data-slot="xero-connection-card-badge"]')).toHaveTextContent('Not connected');
    expect(card().querySelector('dl')).toBeNull();
    expect(within(card()).getAllByRole('button').map((element) => element.textContent)).toEqual(['Connect to Xero']);
  });

  test('error: Xero unavailable, with the last known organisation and "Try again"', async () => {
    startFakeBackend('xeroUnavailable');
    const { card } = renderCard();
    expect(await screen.findByText('Xero is not answering right now. Your connection hasn’t changed.')).toBeVisible();
    expect(card()).toHaveAttribute('data-reason', 'xero_unavailable');
    expect(card().querySelector('[data-slot="xero-connection-card-badge"]')).toHaveTextContent('Unavailable');
    expect(detailRows(card())[0]).toBe('Organisation: Sunrise Care Group');
    expect(within(card()).getAllByRole('button').map((element) => element.textContent)).toEqual(['Try again']);
  });

  test('error: an answer that breaks the contract says so', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', () => new Response('<html>Sign in</html>', { headers: { 'Content-Type': 'text/html' } }));
    renderCard({}, { client: clientWithoutRetry() });
    expect(
      await screen.findByText(
        "The portal's server answered in a way this page doesn't understand, so we couldn't check Xero Billing.",
      ),
    ).toBeVisible();
  });
});

describe('announcements', () => {
  test('one polite live region carries the status sentence and changes with it; the card itself is not live', async () => {
    const backend = startFakeBackend('expiring');
    const { card } = renderCard();
    await screen.findByText('Expires in 5 days unless used');
    const regions = within(card()).getAllByRole('status');
    expect(regions).toHaveLength(1);
    const region = regions[0] as HTMLElement;
    expect(card()).not.toHaveAttribute('aria-live');
    expect(card()).not.toHaveAttribute('role');

    await userEvent.click(screen.getByRole('button', { name: 'Check connection' }));
    await waitFor(() => expect(region).toHaveTextContent(/^Connected to Sunrise Care Group$/));
    expect(region.isConnected).toBe(true);

    backend.setConnection(fixture('needsReauthExpired'));
    await userEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, disconnect' }));
    await waitFor(() => expect(region).toHaveTextContent(/^Your Xero account has been disconnected\./));
    expect(region).toHaveTextContent('Settings › Connected apps');
  });

  test('the notice goes once the account is connected again, and does not come back with a later disconnection', async () => {
    const backend = startFakeBackend('connected');
    const queryClient = new QueryClient();
    const { card } = renderCard({}, { queryClient });
    await userEvent.click(await screen.findByRole('button', { name: 'Disconnect' }));
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, disconnect' }));
    await screen.findByText('Your Xero account has been disconnected.');
    backend.setConnection(fixture('connected'));
    // Connected again elsewhere (another tab's round trip invalidates the shared key).
    await act(() => queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all }));
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'connected'));
    expect(screen.queryByText('Your Xero account has been disconnected.')).toBeNull();

    // Then disconnected elsewhere: not this card's disconnection, so the plain status.
    backend.setConnection(fixture('disconnected'));
    await act(() => queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all }));
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'disconnected'));
    expect(screen.queryByText('Your Xero account has been disconnected.')).toBeNull();
    expect(screen.getByRole('button', { name: 'Connect to Xero' })).toBeVisible();
  });
});

describe('a failed action', () => {
  test('its message stays while the state is the same, goes once the status moves on, and does not come back with it', async () => {
    const backend = startFakeBackend('expiring');
    const queryClient = new QueryClient();
    const { card } = renderCard({}, { queryClient });
    backend.failNext('verify', 'XERO_UNAVAILABLE');
    await userEvent.click(await screen.findByRole('button', { name: 'Check connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("That didn't work: Xero is not answering right now.");

    // Meanwhile Xero's side changed and a refetch (window focus, another tab) brings it in.
    backend.setConnection(fixture('needsReauthExpired'));
    await act(() => queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all }));
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'needs_reauth'));
    expect(screen.queryByText(/That didn't work/)).toBeNull();

    // Back to the status it failed in: a new stretch of it, about which nothing failed.
    backend.setConnection(fixture('expiring'));
    await act(() => queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all }));
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'expiring'));
    expect(screen.queryByText(/That didn't work/)).toBeNull();
  });
});

describe('sharing and lifecycle', () => {
  test('ten cards under one provider make one GET', async () => {
    const backend = startFakeBackend('connected');
    const { Wrapper } = providerWrapper();
    render(
      <Page>
        {Array.from({ length: 10 }, (_, index) => (
          <XeroConnectionCard key={index} title={`Xero Billing ${index + 1}`} />
        ))}
      </Page>,
      { wrapper: Wrapper },
    );
    await waitFor(() => expect(screen.getAllByText('Connected to Sunrise Care Group')).toHaveLength(10));
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    // Each card is its own landmark, named by its own title.
    expect(screen.getAllByRole('region')).toHaveLength(10);
    expect(new Set(screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.id)).size).toBe(10);
  });

  test('StrictMode makes one GET and one status_viewed', async () => {
    const backend = startFakeBackend('connected');
    const onEvent = vi.fn<(event: XeroConnectionEvent) => void>();
    renderCard({ onEvent }, { strict: true });
    await screen.findByText('Connected to Sunrise Care Group');
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    expect(onEvent.mock.calls.filter(([event]) => event.type === 'status_viewed')).toHaveLength(1);
  });

  test('callbacks are always the latest ones passed', async () => {
    startFakeBackend('connected');
    const first = vi.fn<(event: XeroConnectionEvent) => void>();
    const second = vi.fn<(event: XeroConnectionEvent) => void>();
    const onDisconnected = vi.fn();
    const { rerender } = renderCard({ onEvent: first });
    await screen.findByText('Connected to Sunrise Care Group');
    rerender(
      <Page>
        <XeroConnectionCard title="Xero Billing" onEvent={second} onDisconnected={onDisconnected} />
      </Page>,
    );
    first.mockClear();
    await userEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, disconnect' }));
    await screen.findByText('Your Xero account has been disconnected.');
    expect(first).not.toHaveBeenCalled();
    expect(second.mock.calls.map(([event]) => event.type)).toEqual(
      expect.arrayContaining(['disconnect_requested', 'disconnect_confirmed', 'disconnected']),
    );
    expect(onDisconnected).toHaveBeenCalledExactlyOnceWith({ status: 'disconnected', remoteRemoved: true });
  });

  test('onConnected, onError are passed to the hook', async () => {
    const backend = startFakeBackend('neverConnected');
    const onError = vi.fn();
    backend.failNext('connect', 'XERO_UNAVAILABLE');
    renderCard({ onError });
    await userEvent.click(await screen.findByRole('button', { name: 'Connect to Xero' }));
    await screen.findByRole('alert');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'XERO_UNAVAILABLE' });
  });
});

describe('customising', () => {
  test('every string can be overridden through one messages object, the dialog included', async () => {
    startFakeBackend('connected');
    const { card } = renderCard({
      messages: {
        'badge.connected': 'Linked',
        'status.connected': ({ organisation }) => `Linked to ${organisation}`,
        'detail.organisation': 'Company',
        'detail.dateWithRelative': '{date} · {relative}',
        'action.disconnect': 'Unlink',
        'dialog.title': 'Unlink {organisation}?',
        'dialog.confirm': 'Unlink now',
      },
    });
    expect(await screen.findByText('Linked to Sunrise Care Group')).toBeVisible();
    expect(card().querySelector('[data-slot="xero-connection-card-badge"]')).toHaveTextContent('Linked');
    expect(detailRows(card())[0]).toBe('Company: Sunrise Care Group');
    expect(detailRows(card())[3]).toMatch(/ · 2 days ago$/);
    await userEvent.click(screen.getByRole('button', { name: 'Unlink' }));
    expect(screen.getByRole('alertdialog')).toHaveAccessibleName('Unlink Sunrise Care Group?');
    expect(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Unlink now' })).toBeVisible();
  });

  test('className merges onto the root; other props and the ref go to the root <section>', async () => {
    startFakeBackend('connected');
    const ref = createRef<HTMLElement>();
    const { Wrapper } = providerWrapper();
    render(<XeroConnectionCard title="Xero Billing" className="portal-card" id="xero-card" data-testid="card" ref={ref} />, {
      wrapper: Wrapper,
    });
    const card = () => screen.getByRole('region', { name: 'Xero Billing' });
    await screen.findByText('Connected to Sunrise Care Group');
    expect(card()).toHaveClass('portal-card');
    expect(card()).toHaveAttribute('id', 'xero-card');
    expect(screen.getByTestId('card')).toBe(card());
    expect(ref.current).toBe(card());
    expect(card().tagName).toBe('SECTION');
  });

  test('headingLevel sets the title\'s level', async () => {
    startFakeBackend('connected');
    renderCard({ headingLevel: 2 });
    expect(await screen.findByRole('heading', { level: 2, name: 'Xero Billing' })).toBeVisible();
  });

  test('every element carries data-slot', async () => {
    startFakeBackend('expiring');
    const { card } = renderCard();
    await screen.findByText('Expires in 5 days unless used');
    const unslotted = [card(), ...card().querySelectorAll('*')].filter((element) => !element.hasAttribute('data-slot'));
    expect(unslotted.map((element) => element.outerHTML)).toEqual([]);
  });

  test('unstyled drops the styling hooks (card and dialog); data-slot and data-state stay', async () => {
    startFakeBackend('connected');
    const { card } = renderCard({ unstyled: true });
    await screen.findByText('Connected to Sunrise Care Group');
    expect(card().querySelectorAll('[data-xc-styled], [data-xc-button]')).toHaveLength(0);
    expect(card()).not.toHaveAttribute('data-xc-styled');
    expect(card()).toHaveAttribute('data-slot', 'xero-connection-card');
    expect(card()).toHaveAttribute('data-state', 'connected');
    expect(getComputedStyle(card()).paddingTop).toBe('0px');
    await userEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    const dialogElement = screen.getByRole('alertdialog');
    expect(dialogElement).not.toHaveAttribute('data-xc-styled');
    expect(dialogElement.querySelectorAll('[data-xc-styled], [data-xc-button]')).toHaveLength(0);
  });

  test('styled: the default stylesheet applies, long organisation names wrap, and a phone-width card does not overflow', async () => {
    const longName = 'The Extraordinarily Long-Named Sunrise Residential Aged Care and Community Services Group Incorporated';
    startFakeBackend(
      buildConnection('connected', { tenant: { ...fixture('connected').tenant, tenantName: longName } }, new Date()),
    );
    const { card } = renderCard({ style: { width: '320px' } });
    await screen.findByText(`Connected to ${longName}`);
    expect(getComputedStyle(card()).paddingTop).not.toBe('0px');
    expect(getComputedStyle(card()).overflowWrap).toBe('anywhere');
    expect(card().scrollWidth).toBeLessThanOrEqual(card().clientWidth);
    for (const button of within(card()).getAllByRole('button')) {
      expect(button.getBoundingClientRect().height).toBeGreaterThanOrEqual(44);
    }
  });
});

describe('accessibility: axe in every state, light and dark', () => {
  const states: Array<[string, ConnectionFixtureName | Connection, ((card: HTMLElement) => Promise<void>) | null]> = [
    ['connected', 'connected', null],
    ['expiring', 'expiring', null],
    ['needs_reauth (expired)', 'needsReauthExpired', null],
    ['needs_reauth (removed in Xero)', 'tenantRemovedInXero', null],
    ['disconnected', 'neverConnected', null],
    ['error', 'xeroUnavailable', null],
    [
      'confirm dialog open',
      'needsReauthExpired',
      async () => {
        await userEvent.click(screen.getByRole('button', { name: 'Disconnect my account' }));
        await screen.findByRole('alertdialog');
        await settleAnimations();
      },
    ],
    [
      'just disconnected, with the Xero settings hint',
      'needsReauthExpired',
      async () => {
        await userEvent.click(screen.getByRole('button', { name: 'Disconnect my account' }));
        await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, disconnect' }));
        await screen.findByText('Your Xero account has been disconnected.');
        await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
      },
    ],
  ];

  for (const theme of ['light', 'dark'] as const) {
    for (const [name, initial, act] of states) {
      test(`${name} (${theme})`, async () => {
        setTheme(theme);
        startFakeBackend(initial);
        const { card } = renderCard();
        await waitFor(() => expect(card()).not.toHaveAttribute('data-state', 'loading'));
        if (act) await act(card());
        await expectNoAxeViolations();
      });
    }

    test(`loading (${theme})`, async () => {
      setTheme(theme);
      const backend = startFakeBackend('connected');
      const release = backend.hold('getConnection');
      const { card } = renderCard();
      expect(card()).toHaveAttribute('data-state', 'loading');
      await expectNoAxeViolations();
      release();
    });

    test(`action failed alert and pending button (${theme})`, async () => {
      setTheme(theme);
      const backend = startFakeBackend('neverConnected');
      backend.failNext('connect', 'XERO_UNAVAILABLE');
      renderCard();
      await userEvent.click(await screen.findByRole('button', { name: 'Connect to Xero' }));
      await screen.findByRole('alert');
      const release = backend.hold('connect');
      await userEvent.click(screen.getByRole('button', { name: 'Connect to Xero' }));
      await screen.findByRole('button', { name: 'Working…' });
      await expectNoAxeViolations();
      release();
    });
  }
});

describe('dates', () => {
  test('"2 days ago" is measured from now', async () => {
    const lastUsedAt = new Date(Date.now() - 2 * DAY_MS - 60_000).toISOString();
    startFakeBackend(buildConnection('connected', { lastUsedAt }, new Date()));
    const { card } = renderCard();
    await screen.findByText('Connected to Sunrise Care Group');
    expect(detailRows(card())).toContain(`Last used: ${mediumDate(lastUsedAt)} (2 days ago)`);
  });
});
