import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';
import '../../src/components/styles/card.css';

import { XeroConnectionCard, type XeroConnectionCardProps } from '../../src/components/xero-connection-card';
import type { XeroConnectionEvent } from '../../src/react';
import { FAKE_AUTHORIZE_ORIGIN } from '../../src/testing/fake-backend';
import { demoTenant } from '../../src/testing/fixtures';
import { clientWithoutRetry, expectedReturnTo, fixture, providerWrapper, startFakeBackend, setUpWorker } from '../react/support';

// The recovery path from the portal's help page, and every other action, as a user walks them:
// what they see, what they press, what the backend receives.

setUpWorker();
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const EXPIRED =
  "The connection to Xero expired because it wasn't used for 60 days. Exports to Xero are paused until you reconnect.";
const DISCONNECTED_NOTICE = 'Your Xero account has been disconnected.';
const REMOVE_IN_XERO =
  'Xero could not be told about the disconnection. To remove the app in Xero too, go to Settings › Connected apps in Xero.';

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
  const events: XeroConnectionEvent[] = [];
  const onEvent = vi.fn((event: XeroConnectionEvent) => void events.push(event));
  const { Wrapper, navigate } = providerWrapper(options);
  const view = render(
    <Page>
      <XeroConnectionCard title="Xero Billing" onEvent={onEvent} {...props} />
    </Page>,
    { wrapper: Wrapper },
  );
  // hidden: true, because a modal dialog hides the rest of the page from the accessibility tree.
  const card = () => screen.getByRole('region', { name: 'Xero Billing', hidden: true });
  const eventTypes = () => events.map((event) => event.type).filter((type) => type !== 'status_viewed');
  return { ...view, navigate, card, events, eventTypes, onEvent };
}

const button = (name: string | RegExp) => screen.getByRole('button', { name });
const findButton = (name: string | RegExp) => screen.findByRole('button', { name });
const dialog = () => screen.getByRole('alertdialog');
const queryDialog = () => screen.queryByRole('alertdialog');

describe('needs_reauth after invalid_grant: the help page path', () => {
  test('explain → Disconnect my account → No keeps it → Yes disconnects → Set up Xero Billing again connects', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { card, navigate, eventTypes } = renderCard();

    expect(await screen.findByText(EXPIRED)).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'needs_reauth');
    expect(card()).toHaveAttribute('data-reason', 'refresh_token_expired');
    expect(within(card()).getByText('Action needed')).toBeVisible();

    // "No, keep it" keeps the connection: no DELETE, same state, focus back on the trigger.
    await userEvent.click(button('Disconnect my account'));
    expect(dialog()).toHaveAccessibleName('Disconnect Sunrise Care Group from Xero Billing?');
    await userEvent.click(within(dialog()).getByRole('button', { name: 'No, keep it' }));
    await waitFor(() => expect(queryDialog()).toBeNull());
    expect(backend.requestsTo('disconnect')).toHaveLength(0);
    expect(card()).toHaveAttribute('data-state', 'needs_reauth');
    await waitFor(() => expect(button('Disconnect my account')).toHaveFocus());

    // "Yes, disconnect" disconnects; the card says so, and where to remove the app in Xero.
    await userEvent.click(button('Disconnect my account'));
    await userEvent.click(within(dialog()).getByRole('button', { name: 'Yes, disconnect' }));
    expect(await screen.findByText(DISCONNECTED_NOTICE)).toBeVisible();
    await waitFor(() => expect(queryDialog()).toBeNull());
    expect(screen.getByText(REMOVE_IN_XERO)).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'disconnected');
    expect(within(card()).getByText('Not connected')).toBeVisible();
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Disconnect my account' })).toBeNull();

    // "Set up Xero Billing again" starts a connect and sends the browser to Xero.
    const setUpAgain = button('Set up Xero Billing again');
    await waitFor(() => expect(setUpAgain).toHaveFocus());
    await userEvent.click(setUpAgain);
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const [connectRequest] = backend.requestsTo('connect');
    expect(connectRequest?.body).toMatchObject({ mode: 'connect', returnTo: expectedReturnTo() });
    const authorizeUrl = navigate.mock.calls[0]?.[0] ?? '';
    expect(authorizeUrl.startsWith(`${FAKE_AUTHORIZE_ORIGIN}/identity/connect/authorize?`)).toBe(true);
    expect(new URL(authorizeUrl).searchParams.get('state')).toBe(backend.connectSessions[0]?.state);

    expect(eventTypes()).toEqual([
      'disconnect_requested',
      'disconnect_cancelled',
      'disconnect_requested',
      'disconnect_confirmed',
      'disconnected',
      'connect_started',
    ]);
  });

  test('a failed "Yes, disconnect" shows why inside the dialog, and trying again works', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    backend.failNext('disconnect', 'XERO_UNAVAILABLE');
    const { card } = renderCard();

    await userEvent.click(await findButton('Disconnect my account'));
    await userEvent.click(within(dialog()).getByRole('button', { name: 'Yes, disconnect' }));
    const alert = await within(dialog()).findByRole('alert');
    expect(alert).toHaveTextContent(
      "The disconnection didn't go through: Xero is not answering right now. Nothing changed. Try again.",
    );
    expect(card()).toHaveAttribute('data-state', 'needs_reauth');

    await userEvent.click(within(dialog()).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(DISCONNECTED_NOTICE)).toBeVisible();
    await waitFor(() => expect(queryDialog()).toBeNull());
    expect(backend.requestsTo('disconnect')).toHaveLength(2);
  });

  test('a double click on "Yes, disconnect" sends one DELETE and shows progress meanwhile', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    renderCard();
    await userEvent.click(await findButton('Disconnect my account'));
    const release = backend.hold('disconnect');
    await userEvent.dblClick(within(dialog()).getByRole('button', { name: 'Yes, disconnect' }));
    expect(await within(dialog()).findByRole('button', { name: 'Disconnecting…' })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    release();
    expect(await screen.findByText(DISCONNECTED_NOTICE)).toBeVisible();
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
  });

  test('"Reconnect" does it in one step: disconnect, then connect again for the same organisation', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { navigate, eventTypes } = renderCard();
    const release = backend.hold('connect');
    await userEvent.click(await findButton('Reconnect'));
    const working = await findButton('Working…');
    expect(working).toHaveAttribute('aria-busy', 'true');
    expect(working).toHaveAttribute('aria-disabled', 'true');
    release();
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'reauth', expectedTenantId: demoTenant.tenantId });
    expect(navigate.mock.calls[0]?.[0].startsWith(FAKE_AUTHORIZE_ORIGIN)).toBe(true);
    expect(eventTypes()).toContain('reconnect_started');
  });

  test('a failed Reconnect says what went wrong (role=alert) and leaves a way on', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    backend.failNext('connect', 'XERO_UNAVAILABLE');
    const { navigate, card } = renderCard();
    await userEvent.click(await findButton('Reconnect'));
    expect(await screen.findByRole('alert')).toHaveTextContent("That didn't work: Xero is not answering right now.");
    expect(navigate).not.toHaveBeenCalled();
    // The disconnect half went through, so the card offers to connect.
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'disconnected'));
    expect(button('Connect to Xero')).toBeVisible();
  });

  test('tenant_removed_in_xero has its own wording and the same ways back', async () => {
    startFakeBackend('tenantRemovedInXero');
    const { card } = renderCard();
    expect(
      await screen.findByText('Sunrise Care Group removed this app in Xero. Connect again to resume exports.'),
    ).toBeVisible();
    expect(card()).toHaveAttribute('data-reason', 'tenant_removed_in_xero');
    expect(button('Disconnect my account')).toBeVisible();
    expect(button('Reconnect')).toBeVisible();
  });

  test('refresh_token_revoked names the organisation', async () => {
    startFakeBackend('needsReauthRevoked');
    renderCard();
    expect(
      await screen.findByText(
        'Access to Sunrise Care Group was revoked in Xero. Exports to Xero are paused until you reconnect.',
      ),
    ).toBeVisible();
  });
});

describe('connected, disconnected, expiring, error', () => {
  test('connected → Disconnect through the dialog → disconnected, and Xero was told (no settings hint)', async () => {
    const backend = startFakeBackend('connected');
    const { card, onEvent } = renderCard();
    await userEvent.click(await findButton('Disconnect'));
    await userEvent.click(within(dialog()).getByRole('button', { name: 'Yes, disconnect' }));
    expect(await screen.findByText(DISCONNECTED_NOTICE)).toBeVisible();
    expect(screen.queryByText(REMOVE_IN_XERO)).toBeNull();
    expect(card()).toHaveAttribute('data-state', 'disconnected');
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(onEvent).toHaveBeenCalledWith({ type: 'disconnected', remoteRemoved: true });
    await waitFor(() => expect(button('Set up Xero Billing again')).toHaveFocus());
  });

  test('disconnected → "Connect to Xero" posts /connect and navigates to the authorize URL', async () => {
    const backend = startFakeBackend('neverConnected');
    const { navigate, card } = renderCard();
    expect(await screen.findByText('Not connected to Xero')).toBeVisible();
    expect(card()).toHaveAttribute('data-reason', 'never_connected');
    await userEvent.click(button('Connect to Xero'));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'connect' });
    expect(navigate.mock.calls[0]?.[0].startsWith(FAKE_AUTHORIZE_ORIGIN)).toBe(true);
  });

  test('a failed connect is announced as an alert, and the next try clears it', async () => {
    const backend = startFakeBackend('neverConnected');
    backend.failNext('connect', 'network_error');
    const { navigate } = renderCard();
    await userEvent.click(await findButton('Connect to Xero'));
    expect(await screen.findByRole('alert')).toHaveTextContent("That didn't work: The portal's server couldn't be reached.");
    await userEvent.click(button('Connect to Xero'));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  test('expiring → "Check connection" asks the backend, and the card shows the new status', async () => {
    const backend = startFakeBackend('expiring');
    const { card } = renderCard();
    expect(await screen.findByText('Expires in 5 days unless used')).toBeVisible();
    expect(within(card()).getByText('Expiring soon')).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'expiring');

    const release = backend.hold('verify');
    await userEvent.click(button('Check connection'));
    expect(await findButton('Working…')).toHaveAttribute('aria-busy', 'true');
    release();
    await waitFor(() => expect(card()).toHaveAttribute('data-state', 'connected'));
    expect(screen.queryByText('Expires in 5 days unless used')).toBeNull();
    expect(within(card()).getByText('Connected')).toBeVisible();
    expect(backend.requestsTo('verify')).toHaveLength(1);
    // The check is on offer in both states, so the button that was pressed keeps the focus.
    expect(button('Check connection')).toHaveFocus();
  });

  test('error (backend unreachable) says what failed; "Try again" reads again and recovers', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('getConnection', 'network_error');
    const { card } = renderCard({}, { client: clientWithoutRetry() });
    expect(
      await screen.findByText("We couldn't check the connection to Xero Billing. Your connection hasn't changed."),
    ).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'error');
    expect(within(card()).getByText('Unavailable')).toBeVisible();

    await userEvent.click(button('Try again'));
    expect(await screen.findByText('Connected to Sunrise Care Group')).toBeVisible();
    expect(backend.requestsTo('getConnection')).toHaveLength(2);
  });

  test('error reported by the backend (rate limited) → "Try again" asks Xero again', async () => {
    const backend = startFakeBackend('rateLimited');
    const { card } = renderCard();
    expect(
      await screen.findByText('Xero is busy right now, so we couldn’t check the connection. Try again in a minute.'),
    ).toBeVisible();
    expect(card()).toHaveAttribute('data-reason', 'rate_limited');
    backend.setConnection(fixture('connected'));
    await userEvent.click(button('Try again'));
    expect(await screen.findByText('Connected to Sunrise Care Group')).toBeVisible();
    expect(backend.requestsTo('verify')).toHaveLength(1);
  });
});

describe('keyboard only', () => {
  test('Tab, Enter and Space walk the whole recovery path; focus ends on "Set up Xero Billing again"', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { navigate } = renderCard();
    await screen.findByText(EXPIRED);
    (document.activeElement as HTMLElement | null)?.blur();

    await userEvent.tab();
    expect(button('Disconnect my account')).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    const noKeepIt = await within(await screen.findByRole('alertdialog')).findByRole('button', { name: 'No, keep it' });
    await waitFor(() => expect(noKeepIt).toHaveFocus());
    await userEvent.keyboard(' ');
    await waitFor(() => expect(queryDialog()).toBeNull());
    await waitFor(() => expect(button('Disconnect my account')).toHaveFocus());
    expect(backend.requestsTo('disconnect')).toHaveLength(0);

    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(within(dialog()).getByRole('button', { name: 'No, keep it' })).toHaveFocus());
    await userEvent.tab();
    expect(within(dialog()).getByRole('button', { name: 'Yes, disconnect' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByText(DISCONNECTED_NOTICE)).toBeVisible();
    await waitFor(() => expect(queryDialog()).toBeNull());
    await waitFor(() => expect(button('Set up Xero Billing again')).toHaveFocus());

    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
  });
});
