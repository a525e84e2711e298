import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { createRef } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';
import '../../src/components/styles/card.css';

import {
  XeroConnectionCardActions,
  XeroConnectionCardBadge,
  XeroConnectionCardHeader,
  XeroConnectionCardRoot,
  XeroConnectionCardStatus,
  XeroConnectionCardTitle,
  type XeroConnectionCardRootProps,
} from '../../src/components/xero-connection-card';
import { FAKE_AUTHORIZE_ORIGIN } from '../../src/testing/fake-backend';
import { expectNoAxeViolations } from '../support/axe';
import { expectedReturnTo, providerWrapper, startFakeBackend, setUpWorker } from '../react/support';

// A host's own composition of the card's parts: its own header around the title and badge, then
// the default status and actions. Whatever the layout, the card must still name itself, announce
// its status, manage focus and walk the recovery by keyboard alone.

setUpWorker();
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

// Xero answered invalid_grant: the card's reason for the recovery.
const EXPIRED = /wasn't used for 60 days/;

function RecomposedCard(props: Partial<XeroConnectionCardRootProps>) {
  return (
    <XeroConnectionCardRoot title="Xero Billing" headingLevel={2} {...props}>
      <header className="portal-integration-header">
        <XeroConnectionCardTitle />
        <p>Sends approved invoices to Xero every night.</p>
        <XeroConnectionCardBadge />
      </header>
      <XeroConnectionCardStatus />
      <XeroConnectionCardActions>
        <a href="#export-log">Export log</a>
      </XeroConnectionCardActions>
    </XeroConnectionCardRoot>
  );
}

function renderRecomposed(props: Partial<XeroConnectionCardRootProps> = {}) {
  const { Wrapper, navigate } = providerWrapper();
  const view = render(
    <main>
      <h1>Integrations</h1>
      <RecomposedCard {...props} />
    </main>,
    { wrapper: Wrapper },
  );
  const card = () => screen.getByRole('region', { name: 'Xero Billing', hidden: true });
  return { ...view, navigate, card };
}

describe('a card composed from its parts', () => {
  test("shows the host's header with the card's title, badge, status and actions", async () => {
    startFakeBackend('needsReauthExpired');
    const { card } = renderRecomposed();

    expect(await screen.findByText(EXPIRED)).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'needs_reauth');
    expect(within(card()).getByRole('heading', { level: 2, name: 'Xero Billing' })).toBeVisible();
    expect(within(card()).getByText('Sends approved invoices to Xero every night.')).toBeVisible();
    expect(within(card()).getByText('Action needed')).toHaveAttribute('data-slot', 'xero-connection-card-badge');
    expect(within(card()).getByRole('status')).toHaveTextContent(EXPIRED);
    // The parts left out render nothing of theirs; the host's own action follows the card's.
    expect(card().querySelector('[data-slot="xero-connection-card-details"]')).toBeNull();
    const actions = card().querySelector('[data-slot="xero-connection-card-actions"]');
    expect(Array.from(actions?.children ?? [], (element) => element.textContent)).toEqual([
      'Disconnect my account',
      'Reconnect',
      'Export log',
    ]);
    await expectNoAxeViolations();
  });

  test('walks the recovery by keyboard alone: Disconnect my account → Yes, disconnect → Set up Xero Billing again → Xero', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { card, navigate } = renderRecomposed();
    await screen.findByText(EXPIRED);

    // Tab from the top of the page to the first of the card's buttons.
    const disconnect = screen.getByRole('button', { name: 'Disconnect my account' });
    await userEvent.tab();
    expect(disconnect).toHaveFocus();

    await userEvent.keyboard('{Enter}');
    const dialog = await screen.findByRole('alertdialog', { name: 'Disconnect Sunrise Care Group from Xero Billing?' });
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'No, keep it' })).toHaveFocus());
    await userEvent.tab();
    expect(within(dialog).getByRole('button', { name: 'Yes, disconnect' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(within(card()).getByRole('status')).toHaveTextContent(/^Your Xero account has been disconnected\./);
    expect(card()).toHaveAttribute('data-state', 'disconnected');
    expect(within(card()).getByText('Not connected')).toBeVisible();
    expect(backend.requestsTo('disconnect')).toHaveLength(1);

    // Focus went to the next step, not to <body> with the trigger that went away.
    const setUpAgain = screen.getByRole('button', { name: 'Set up Xero Billing again' });
    await waitFor(() => expect(setUpAgain).toHaveFocus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'connect', returnTo: expectedReturnTo() });
    expect(navigate.mock.calls[0]?.[0].startsWith(FAKE_AUTHORIZE_ORIGIN)).toBe(true);
  });

  test('Reconnect by keyboard keeps focus on its busy button and goes to Xero expecting the same organisation', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { navigate } = renderRecomposed();
    await screen.findByText(EXPIRED);

    await userEvent.tab();
    await userEvent.tab();
    const reconnect = screen.getByRole('button', { name: 'Reconnect' });
    expect(reconnect).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'reauth' });
    expect(screen.getByRole('button', { name: 'Working…' })).toHaveFocus();
  });

  test('forwards refs and merges className on the parts', async () => {
    startFakeBackend('connected');
    const title = createRef<HTMLHeadingElement>();
    const { Wrapper } = providerWrapper();
    render(
      <XeroConnectionCardRoot title="Xero Billing" className="portal-card">
        <XeroConnectionCardTitle ref={title} className="portal-title">
          Xero Billing (Sunrise)
        </XeroConnectionCardTitle>
        <XeroConnectionCardStatus />
      </XeroConnectionCardRoot>,
      { wrapper: Wrapper },
    );
    expect(await screen.findByText('Connected to Sunrise Care Group')).toBeVisible();
    expect(screen.getByRole('region', { name: 'Xero Billing (Sunrise)' })).toHaveClass('portal-card');
    expect(title.current).toHaveClass('portal-title');
    expect(title.current?.tagName).toBe('H3');
  });

  test('the header holds the title and badge, or whatever the host puts in it', async () => {
    startFakeBackend('connected');
    const { Wrapper } = providerWrapper();
    render(
      <>
        <XeroConnectionCardRoot title="Xero Billing">
          <XeroConnectionCardHeader />
        </XeroConnectionCardRoot>
        <XeroConnectionCardRoot title="Xero Payroll">
          <XeroConnectionCardHeader data-testid="own-header">
            <img alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" />
            <XeroConnectionCardTitle />
          </XeroConnectionCardHeader>
        </XeroConnectionCardRoot>
      </>,
      { wrapper: Wrapper },
    );
    const billing = screen.getByRole('region', { name: 'Xero Billing' });
    expect(await within(billing).findByText('Connected')).toHaveAttribute('data-slot', 'xero-connection-card-badge');
    const payroll = screen.getByTestId('own-header');
    expect(payroll).toHaveAttribute('data-slot', 'xero-connection-card-header');
    expect(within(payroll).getByRole('heading', { name: 'Xero Payroll' })).toBeVisible();
    expect(payroll.querySelector('[data-slot="xero-connection-card-badge"]')).toBeNull();
  });

  test('says which part was used outside XeroConnectionCardRoot', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<XeroConnectionCardStatus />)).toThrow(
      '`XeroConnectionCardStatus` must be used within `XeroConnectionCardRoot`',
    );
  });
});
