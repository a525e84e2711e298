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

import { createXeroConnectionClient, type Connection, type Tenant } from '../../src/client';
import { XeroConnectionCard, type XeroConnectionCardProps } from '../../src/components/xero-connection-card';
import { XeroConnectionProvider, xeroConnectionKeys } from '../../src/react';
import { createScenarioBackend } from '../../src/testing';
import type { FakeXeroBackend } from '../../src/testing/fake-backend';
import { buildConnection, demoTenant, secondTenant } from '../../src/testing/fixtures';
import { expectNoAxeViolations, setTheme } from '../support/axe';
import { BASE_URL, addHandlers, fixture, providerWrapper, setUpWorker, startFakeBackend } from '../react/support';

// Contract 1.1 in the card, as a user meets it: a connection the backend keeps active (and one
// whose automatic refresh fails), and choosing the organisation when one consent in Xero covered
// several or a reconnect came back with another one. Keyboard alone where it matters.

setUpWorker();

const ORIGINAL_URL = location.href;
afterEach(() => {
  cleanup();
  history.replaceState(null, '', ORIGINAL_URL);
  delete document.documentElement.dataset.theme;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const DAY_MS = 86_400_000;
const LEGEND = 'Which organisation should Xero Billing use?';
const MULTIPLE =
  'You gave Xero Billing access to 2 organisations in Xero. Choose the one it should use; nothing is exported until you do.';
const MISMATCH = 'You connected Harbour View Homecare, but Xero Billing was connected to Sunrise Care Group.';
const WAITING = 'Waiting for an administrator to choose the organisation for Xero Billing. Nothing is exported until then.';

const practice: Tenant = {
  tenantId: '3f9d6b2e-8a41-4c7d-9e05-b2c81a6f4d93',
  tenantName: 'Bayside Accounting Practice',
  tenantType: 'PRACTICE',
  connectionId: '7a2c9e41-6b3d-4f8e-a1d5-0c9b8e7f6a32',
};

function Page({ children }: { children?: ReactNode }) {
  return (
    <main>
      <h1>Settings</h1>
      <h2>Integrations</h2>
      {/* Where the keyboard user comes from. */}
      <a href="#billing">Billing settings</a>
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
  // hidden: true, because a modal dialog hides the rest of the page from the accessibility tree.
  const card = () => screen.getByRole('region', { name: 'Xero Billing', hidden: true });
  const buttons = () => within(card()).queryAllByRole('button').map((element) => element.textContent);
  const sentences = () => Array.from(within(card()).getByRole('status').children, (element) => element.textContent);
  return { ...view, navigate, card, buttons, sentences };
}

/** A `choosing_organisation` connection with these organisations, built relative to now. */
function choosing(reason: 'multiple_organisations' | 'organisation_mismatch', organisations: Tenant[]): Connection {
  const base = fixture(reason === 'multiple_organisations' ? 'choosingOrganisation' : 'organisationMismatch');
  if (base.status !== 'choosing_organisation') throw new Error('expected a choosing_organisation fixture');
  return { ...base, organisations };
}

/** Every request but the reads: what the card asked the backend to change. */
function writes(backend: FakeXeroBackend) {
  return backend.requests.filter((request) => request.endpoint !== 'getConnection').map((request) => ({ endpoint: request.endpoint, body: request.body }));
}

const group = () => screen.getByRole('group', { name: LEGEND });
const radio = (name: string) => within(group()).getByRole('radio', { name });

describe('keep-alive (contract 1.1)', () => {
  test('kept alive: "Kept active automatically — last refreshed 2 days ago" instead of the expiry countdown', async () => {
    // Expires in 5 days unless used, but keep-alive refreshes it tomorrow: nothing to warn about.
    const now = new Date();
    startFakeBackend(
      buildConnection(
        'keptAlive',
        {
          refreshTokenExpiresAt: new Date(now.getTime() + 5 * DAY_MS).toISOString(),
          keepAlive: {
            enabled: true,
            lastRefreshedAt: new Date(now.getTime() - 2 * DAY_MS - 60_000).toISOString(),
            nextRefreshAt: new Date(now.getTime() + DAY_MS).toISOString(),
            failing: false,
          },
        },
        now,
      ),
    );
    const { card, buttons, sentences } = renderCard();
    expect(await screen.findByText('Kept active automatically — last refreshed 2 days ago')).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'connected');
    expect(sentences()).toEqual(['Connected to Sunrise Care Group', 'Kept active automatically — last refreshed 2 days ago']);
    expect(screen.queryByText(/unless used/)).toBeNull();
    expect(within(card()).getByText('Connected', { selector: '[data-slot="xero-connection-card-badge"]' })).toBeVisible();
    expect(buttons()).toEqual(['Check connection', 'Disconnect']);
  });

  test('before its first refresh it says only that the connection is kept active', async () => {
    startFakeBackend(buildConnection('keptAlive', { keepAlive: { enabled: true, lastRefreshedAt: null, nextRefreshAt: null, failing: false } }, new Date()));
    const { sentences } = renderCard();
    await screen.findByText('Connected to Sunrise Care Group');
    expect(sentences()).toEqual(['Connected to Sunrise Care Group', 'Kept active automatically']);
  });

  test('a backend clock a little ahead never reads "last refreshed in 3 minutes"', async () => {
    const now = new Date();
    startFakeBackend(
      buildConnection(
        'keptAlive',
        {
          keepAlive: {
            enabled: true,
            lastRefreshedAt: new Date(now.getTime() + 3 * 60_000).toISOString(),
            nextRefreshAt: new Date(now.getTime() + 7 * DAY_MS).toISOString(),
            failing: false,
          },
        },
        now,
      ),
    );
    const { sentences } = renderCard();
    await screen.findByText('Connected to Sunrise Care Group');
    expect(sentences()).toEqual(['Connected to Sunrise Care Group', 'Kept active automatically — last refreshed this minute']);
  });

  test('failing: names it and why, keeps the expiry, and says what to do; Check connection refreshes now', async () => {
    const backend = startFakeBackend('keepAliveFailing');
    const { card, sentences } = renderCard();
    expect(await screen.findByText('Automatic refresh is failing — Xero is not answering right now.')).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'expiring');
    expect(sentences()).toEqual([
      'Connected to Sunrise Care Group',
      'Automatic refresh is failing — Xero is not answering right now.',
      'Expires in 5 days unless used',
      'Check the connection now to keep it active.',
    ]);
    await userEvent.click(within(card()).getByRole('button', { name: 'Check connection' }));
    await waitFor(() => expect(backend.requestsTo('verify')).toHaveLength(1));
  });

  test('failing while the expiry is far off still warns, with the days left', async () => {
    const now = new Date();
    startFakeBackend(
      buildConnection(
        'keepAliveFailing',
        { refreshTokenExpiresAt: new Date(now.getTime() + 40 * DAY_MS - 60_000).toISOString() },
        now,
      ),
    );
    const { card, sentences } = renderCard();
    await screen.findByText('Automatic refresh is failing — Xero is not answering right now.');
    expect(card()).toHaveAttribute('data-state', 'connected');
    expect(sentences()).toEqual([
      'Connected to Sunrise Care Group',
      'Automatic refresh is failing — Xero is not answering right now.',
      'Expires in 40 days unless used',
      'Check the connection now to keep it active.',
    ]);
  });

  test('off or absent: today\'s expiry warning, and no keep-alive copy', async () => {
    const off = buildConnection('expiring', { keepAlive: { enabled: false, lastRefreshedAt: null, nextRefreshAt: null, failing: false } }, new Date());
    startFakeBackend(off);
    const { sentences } = renderCard();
    await screen.findByText('Expires in 5 days unless used');
    expect(sentences()).toEqual(['Connected to Sunrise Care Group', 'Expires in 5 days unless used']);
    cleanup();

    startFakeBackend('expiring');
    const absent = renderCard();
    await screen.findByText('Expires in 5 days unless used');
    expect(absent.sentences()).toEqual(['Connected to Sunrise Care Group', 'Expires in 5 days unless used']);
  });

  test('people who may not act see the warning without being told to press a button they do not have', async () => {
    startFakeBackend('keepAliveFailing');
    const { buttons, sentences } = renderCard({ canManage: false });
    await screen.findByText('Automatic refresh is failing — Xero is not answering right now.');
    expect(sentences()).not.toContain('Check the connection now to keep it active.');
    expect(buttons()).toEqual([]);
  });

  test('the copy can be overridden', async () => {
    startFakeBackend('keptAlive');
    renderCard({ messages: { 'status.keptAlive': ({ relative }) => `Refreshed for you ${relative}` } });
    expect(await screen.findByText('Refreshed for you 2 days ago')).toBeVisible();
  });

  test('"last refreshed 2 days ago" is measured from when the connection was read, so hydration a day later matches', async () => {
    const readAt = new Date('2026-11-26T09:30:00.000Z');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(readAt);
    const backend = startFakeBackend('keptAlive');
    const release = backend.hold('getConnection');
    const queryClient = new QueryClient();
    queryClient.setQueryData(xeroConnectionKeys.connection(BASE_URL), buildConnection('keptAlive', {}, readAt));
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    const tree = (
      <XeroConnectionProvider client={client} queryClient={queryClient}>
        <XeroConnectionCard title="Xero Billing" />
      </XeroConnectionProvider>
    );
    const container = document.createElement('div');
    container.innerHTML = renderToString(tree);
    document.body.append(container);
    expect(container.textContent).toContain('last refreshed 2 days ago');

    vi.setSystemTime(new Date(readAt.getTime() + DAY_MS));
    const onRecoverableError = vi.fn();
    const root = hydrateRoot(container, tree, { onRecoverableError });
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(onRecoverableError).not.toHaveBeenCalled();
    expect(container.textContent).toContain('last refreshed 2 days ago');
    act(() => root.unmount());
    container.remove();
    release();
  });
});

describe('choosing the organisation: one consent covered two', () => {
  test('a radio group asks which one, with nothing chosen up front; each option names the organisation and its kind', async () => {
    const backend = startFakeBackend(choosing('multiple_organisations', [demoTenant, secondTenant, practice]));
    const { card, buttons, sentences } = renderCard();
    expect(await screen.findByRole('group', { name: LEGEND })).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'choosing_organisation');
    expect(card()).toHaveAttribute('data-reason', 'multiple_organisations');
    expect(within(card()).getByText('Action needed')).toBeVisible();
    expect(sentences()).toEqual([
      'You gave Xero Billing access to 3 organisations in Xero. Choose the one it should use; nothing is exported until you do.',
    ]);
    const radios = within(group()).getAllByRole('radio');
    expect(radios).toHaveLength(3);
    for (const element of radios) expect(element).not.toBeChecked();
    expect(radio('Sunrise Care Group')).toHaveAccessibleDescription('Organisation');
    expect(radio('Harbour View Homecare')).toHaveAccessibleDescription('Organisation');
    expect(radio('Bayside Accounting Practice')).toHaveAccessibleDescription('Practice');
    expect(buttons()).toEqual(['Use this organisation', 'Disconnect']);
    expect(backend.requests.filter((request) => request.endpoint !== 'getConnection')).toEqual([]);
  });

  test('by keyboard alone: Tab into the group, arrows between radios, Space, Tab to the button, Enter: connected to the second', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    const { card } = renderCard();
    await screen.findByRole('group', { name: LEGEND });
    const region = within(card()).getByRole('status');
    screen.getByRole('link', { name: 'Billing settings' }).focus();

    await userEvent.keyboard('{Tab}');
    expect(radio('Sunrise Care Group')).toHaveFocus();
    expect(radio('Sunrise Care Group')).not.toBeChecked();
    await userEvent.keyboard('{ArrowDown}');
    expect(radio('Harbour View Homecare')).toHaveFocus();
    expect(radio('Harbour View Homecare')).toBeChecked();
    await userEvent.keyboard('{ArrowUp}');
    expect(radio('Sunrise Care Group')).toBeChecked();
    await userEvent.keyboard('{ArrowDown}');
    await userEvent.keyboard(' ');
    expect(radio('Harbour View Homecare')).toBeChecked();
    expect(radio('Sunrise Care Group')).not.toBeChecked();

    await userEvent.keyboard('{Tab}');
    expect(screen.getByRole('button', { name: 'Use this organisation' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    // Connected to it, said in the one live region, and focus on the card's heading (not <body>).
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'connected'));
    expect(region.isConnected).toBe(true);
    expect(region).toHaveTextContent('Connected to Harbour View HomecareYou connected Harbour View Homecare to Xero Billing.');
    await waitFor(() => expect(within(card()).getByRole('heading', { name: 'Xero Billing' })).toHaveFocus());
    expect(screen.queryByRole('group', { name: LEGEND })).toBeNull();
    expect(writes(backend)).toEqual([{ endpoint: 'chooseOrganisation', body: { tenantId: secondTenant.tenantId } }]);
  });

  test('Enter on a chosen radio submits the choice too', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    renderCard();
    await screen.findByRole('group', { name: LEGEND });
    screen.getByRole('link', { name: 'Billing settings' }).focus();
    await userEvent.keyboard('{Tab}{ArrowDown}{Enter}');
    expect(await screen.findByText('Connected to Harbour View Homecare')).toBeVisible();
    expect(writes(backend)).toEqual([{ endpoint: 'chooseOrganisation', body: { tenantId: secondTenant.tenantId } }]);
  });

  test('"Use this organisation" with nothing chosen says why and takes focus to the group; nothing is sent', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    renderCard();
    await screen.findByRole('group', { name: LEGEND });
    screen.getByRole('link', { name: 'Billing settings' }).focus();
    await userEvent.keyboard('{Tab}{Tab}');
    expect(screen.getByRole('button', { name: 'Use this organisation' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    expect(await within(group()).findByText('Choose an organisation first.')).toBeVisible();
    await waitFor(() => expect(radio('Sunrise Care Group')).toHaveFocus());
    expect(radio('Sunrise Care Group')).toHaveAccessibleDescription('Organisation Choose an organisation first.');
    expect(radio('Sunrise Care Group')).toBeInvalid();
    expect(writes(backend)).toEqual([]);

    // Choosing one takes the message away.
    await userEvent.keyboard('{ArrowDown}');
    expect(within(group()).queryByText('Choose an organisation first.')).toBeNull();
    expect(radio('Harbour View Homecare')).toHaveAccessibleDescription('Organisation');
  });

  test('while the choice is sent: "Working…", a second press sends nothing more, and the radios hold still', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    renderCard();
    await userEvent.click(await screen.findByRole('radio', { name: 'Harbour View Homecare' }));
    const release = backend.hold('chooseOrganisation');
    await userEvent.click(screen.getByRole('button', { name: 'Use this organisation' }));
    const busy = await screen.findByRole('button', { name: 'Working…' });
    expect(busy).toHaveAttribute('aria-disabled', 'true');
    // A plain DOM click: Playwright's refuses an aria-disabled button, which is the point here.
    act(() => busy.click());
    act(() => radio('Sunrise Care Group').click());
    expect(radio('Harbour View Homecare')).toBeChecked();
    release();
    expect(await screen.findByText('Connected to Harbour View Homecare')).toBeVisible();
    expect(backend.requestsTo('chooseOrganisation')).toHaveLength(1);
  });

  test.each([
    ['XERO_TENANT_NOT_FOUND', "Harbour View Homecare wasn't connected: Xero no longer lists that organisation for this app. Nothing changed."],
    ['network_error', "Harbour View Homecare wasn't connected: The portal's server couldn't be reached. Nothing changed."],
  ] as const)('a failure (%s) is an alert that keeps the choice; trying again works', async (failure, text) => {
    const backend = startFakeBackend('choosingOrganisation');
    const { card } = renderCard();
    await userEvent.click(await screen.findByRole('radio', { name: 'Harbour View Homecare' }));
    backend.failNext('chooseOrganisation', failure);
    const submit = screen.getByRole('button', { name: 'Use this organisation' });
    await userEvent.click(submit);

    expect(await within(card()).findByRole('alert')).toHaveTextContent(text);
    expect(card()).toHaveAttribute('data-state', 'choosing_organisation');
    expect(radio('Harbour View Homecare')).toBeChecked();
    expect(submit).toHaveFocus();

    await userEvent.click(submit);
    expect(await screen.findByText('Connected to Harbour View Homecare')).toBeVisible();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(backend.requestsTo('chooseOrganisation').map((request) => request.body)).toEqual([
      { tenantId: secondTenant.tenantId },
      { tenantId: secondTenant.tenantId },
    ]);
  });

  test('the way out is Disconnect, confirmed, naming every organisation the consent covered', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    renderCard();
    await userEvent.click(await screen.findByRole('button', { name: 'Disconnect' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveAccessibleName('Disconnect Sunrise Care Group and Harbour View Homecare from Xero Billing?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Yes, disconnect' }));
    expect(await screen.findByText('Your Xero account has been disconnected.')).toBeVisible();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Set up Xero Billing again' })).toHaveFocus());
    expect(writes(backend).map((request) => request.endpoint)).toEqual(['disconnect']);
  });

  test('a single organisation left to confirm is one button, not a group of one', async () => {
    const backend = startFakeBackend(choosing('multiple_organisations', [secondTenant]));
    const { buttons } = renderCard();
    await userEvent.click(await screen.findByRole('button', { name: 'Use Harbour View Homecare' }));
    expect(screen.queryByRole('group', { name: LEGEND })).toBeNull();
    expect(await screen.findByText('Connected to Harbour View Homecare')).toBeVisible();
    expect(buttons()).toEqual(['Check connection', 'Disconnect']);
    expect(writes(backend)).toEqual([{ endpoint: 'chooseOrganisation', body: { tenantId: secondTenant.tenantId } }]);
  });

  test('the whole round trip: Connect → Xero (two organisations ticked) → back: choose → connected to it', async () => {
    const backend = createScenarioBackend('consent_covers_two_organisations', { baseUrl: BASE_URL });
    addHandlers(...backend.handlers);
    const { navigate } = renderCard();
    await userEvent.click(await screen.findByRole('button', { name: 'Connect to Xero' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));

    // Xero redirects back to the page, which loads afresh and reads the return.
    history.replaceState(null, '', backend.returnFromXero());
    cleanup();
    const { card } = renderCard();
    expect(await screen.findByRole('group', { name: LEGEND })).toBeVisible();
    expect(within(card()).getByRole('status')).toHaveTextContent(MULTIPLE);
    expect(screen.queryByText(/You connected Sunrise Care Group/)).toBeNull();

    await userEvent.click(radio('Harbour View Homecare'));
    await userEvent.click(screen.getByRole('button', { name: 'Use this organisation' }));
    expect(await screen.findByText('Connected to Harbour View Homecare')).toBeVisible();
    expect(screen.getByText('You connected Harbour View Homecare to Xero Billing.')).toBeVisible();
    expect(writes(backend).map((request) => request.endpoint)).toEqual(['connect', 'chooseOrganisation']);
    expect(backend.requestsTo('chooseOrganisation')[0]?.body).toEqual({ tenantId: secondTenant.tenantId });
  });
});

describe('choosing the organisation: a reconnect came back with another one', () => {
  test('says so plainly, and "Use Harbour View Homecare instead" keeps it', async () => {
    const backend = startFakeBackend('organisationMismatch');
    const { card, buttons, sentences } = renderCard();
    expect(await screen.findByText(MISMATCH)).toBeVisible();
    expect(card()).toHaveAttribute('data-reason', 'organisation_mismatch');
    expect(sentences()).toEqual([
      MISMATCH,
      'Use Harbour View Homecare instead, or try again and choose Sunrise Care Group in Xero. Nothing is exported until you do.',
    ]);
    expect(buttons()).toEqual(['Use Harbour View Homecare instead', 'Try again']);

    await userEvent.click(screen.getByRole('button', { name: 'Use Harbour View Homecare instead' }));
    expect(await screen.findByText('Connected to Harbour View Homecare')).toBeVisible();
    await waitFor(() => expect(within(card()).getByRole('heading', { name: 'Xero Billing' })).toHaveFocus());
    expect(writes(backend)).toEqual([{ endpoint: 'chooseOrganisation', body: { tenantId: secondTenant.tenantId } }]);
  });

  test('"Try again" disconnects and goes back to Xero expecting Sunrise Care Group, keeping focus on the busy button', async () => {
    const backend = startFakeBackend('organisationMismatch');
    const { navigate } = renderCard();
    const tryAgain = await screen.findByRole('button', { name: 'Try again' });
    await userEvent.click(tryAgain);
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(writes(backend).map((request) => request.endpoint)).toEqual(['disconnect', 'connect']);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'reauth', expectedTenantId: demoTenant.tenantId });
    expect(tryAgain.isConnected).toBe(true);
    expect(tryAgain).toHaveFocus();
    expect(tryAgain).toHaveAccessibleName('Working…');
  });

  test('several other organisations: the same radio group, and Try again', async () => {
    const backend = startFakeBackend(choosing('organisation_mismatch', [secondTenant, practice]));
    const { buttons } = renderCard();
    expect(
      await screen.findByText(
        'You connected Harbour View Homecare and Bayside Accounting Practice, but Xero Billing was connected to Sunrise Care Group.',
      ),
    ).toBeVisible();
    expect(
      screen.getByText(
        'Use Harbour View Homecare or Bayside Accounting Practice instead, or try again and choose Sunrise Care Group in Xero. Nothing is exported until you do.',
      ),
    ).toBeVisible();
    expect(buttons()).toEqual(['Use this organisation', 'Try again']);
    await userEvent.click(radio('Bayside Accounting Practice'));
    await userEvent.click(screen.getByRole('button', { name: 'Use this organisation' }));
    expect(await screen.findByText('Connected to Bayside Accounting Practice')).toBeVisible();
    expect(writes(backend)).toEqual([{ endpoint: 'chooseOrganisation', body: { tenantId: practice.tenantId } }]);
  });
});

describe('choosing the organisation: people who may not choose', () => {
  test.each(['choosingOrganisation', 'organisationMismatch'] as const)('%s: what is awaited and who to ask, no controls', async (name) => {
    const backend = startFakeBackend(name);
    const { card, buttons, sentences } = renderCard({ canManage: false, adminContact: { name: 'Priya Shah', email: 'priya@sunrise.example' } });
    expect(await screen.findByText(WAITING)).toBeVisible();
    expect(sentences()).toEqual([WAITING]);
    expect(within(card()).queryByRole('radio')).toBeNull();
    expect(within(card()).queryByRole('group')).toBeNull();
    expect(buttons()).toEqual(['Copy link to this page']);
    expect(within(card()).getByText('Your administrator:', { exact: false })).toHaveTextContent('Your administrator: Priya Shah');
    expect(screen.queryByText('Ask an administrator to reconnect Xero.')).toBeNull();
    expect(writes(backend)).toEqual([]);
  });
});

describe('customising and structure', () => {
  test('the picker\'s copy can be overridden', async () => {
    startFakeBackend('choosingOrganisation');
    renderCard({
      messages: {
        'picker.legend': 'Where should {title} send invoices?',
        'picker.type.ORGANISATION': 'Xero organisation',
        'action.useThisOrganisation': 'Send them there',
      },
    });
    const overridden = await screen.findByRole('group', { name: 'Where should Xero Billing send invoices?' });
    expect(within(overridden).getByRole('radio', { name: 'Sunrise Care Group' })).toHaveAccessibleDescription('Xero organisation');
    expect(screen.getByRole('button', { name: 'Send them there' })).toBeVisible();
  });

  test.each(['choosingOrganisation', 'keepAliveFailing', 'keptAlive'] as const)('%s: every element carries data-slot', async (name) => {
    startFakeBackend(name);
    const { card } = renderCard();
    await waitFor(() => expect(card()).not.toHaveAttribute('data-state', 'loading'));
    const unslotted = [card(), ...card().querySelectorAll('*')].filter((element) => !element.hasAttribute('data-slot'));
    expect(unslotted.map((element) => element.outerHTML)).toEqual([]);
  });

  test('unstyled: no styling hooks in the picker either', async () => {
    startFakeBackend('choosingOrganisation');
    const { card } = renderCard({ unstyled: true });
    await screen.findByRole('group', { name: LEGEND });
    expect(card().querySelectorAll('[data-xc-styled], [data-xc-button]')).toHaveLength(0);
  });

  test('styled: each option is a 44 px target and a phone-width card does not overflow', async () => {
    startFakeBackend(choosing('organisation_mismatch', [secondTenant, practice]));
    const { card } = renderCard({ style: { width: '320px' } });
    await screen.findByRole('group', { name: LEGEND });
    for (const option of card().querySelectorAll('[data-slot="xero-connection-card-picker-option"]')) {
      expect(option.getBoundingClientRect().height).toBeGreaterThanOrEqual(44);
    }
    expect(card().scrollWidth).toBeLessThanOrEqual(card().clientWidth);
  });
});

describe('accessibility of the new states, light and dark', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`kept alive (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('keptAlive');
      renderCard();
      await screen.findByText(/Kept active automatically/);
      await expectNoAxeViolations();
    });

    test(`keep-alive failing (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('keepAliveFailing');
      renderCard();
      await screen.findByText(/Automatic refresh is failing/);
      await expectNoAxeViolations();
    });

    test(`picker with the "choose first" message, then a choice and a failure alert (${theme})`, async () => {
      setTheme(theme);
      const backend = startFakeBackend(choosing('multiple_organisations', [demoTenant, secondTenant, practice]));
      renderCard();
      await userEvent.click(await screen.findByRole('button', { name: 'Use this organisation' }));
      await screen.findByText('Choose an organisation first.');
      await expectNoAxeViolations();
      backend.failNext('chooseOrganisation', 'XERO_TENANT_NOT_FOUND');
      await userEvent.click(radio('Harbour View Homecare'));
      await userEvent.click(screen.getByRole('button', { name: 'Use this organisation' }));
      await screen.findByRole('alert');
      await expectNoAxeViolations();
    });

    test(`organisation mismatch (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('organisationMismatch');
      renderCard();
      await screen.findByText(MISMATCH);
      await expectNoAxeViolations();
    });

    test(`viewer while choosing (${theme})`, async () => {
      setTheme(theme);
      startFakeBackend('choosingOrganisation');
      renderCard({ canManage: false, adminContact: 'the practice manager' });
      await screen.findByText(WAITING);
      await expectNoAxeViolations();
    });
  }
});
