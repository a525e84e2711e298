import { act, render, screen, waitFor, within } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';

import '../../src/components/styles/theme.css';
import '../../src/components/styles/buttons.css';
import '../../src/components/styles/dialog.css';
import '../../src/components/styles/card.css';

import { withReconnectRequest } from '../../src/client';
import { XeroConnectionCard } from '../../src/components/xero-connection-card';
import { XeroReconnectNotice } from '../../src/components/xero-reconnect-notice';
import { XeroConnectionProvider } from '../../src/react';
import { createFakeXeroBackend } from '../../src/testing/fake-backend';
import { BASE_URL, addHandlers, fixture, providerWrapper, setUpWorker, startFakeBackend } from '../react/support';

// A page opened from a connection event's reconnectUrl (the portal's email or webhook): the named
// card comes into view with Reconnect focused and says why; nothing goes to Xero by itself.

setUpWorker();

const ORIGINAL_URL = location.href;
const PAYROLL_URL = '/api/integrations/xero-payroll';
afterEach(() => {
  history.replaceState(null, '', ORIGINAL_URL);
  vi.restoreAllMocks();
});

/** The page as the email's link opens it: a host parameter of its own and a hash, kept afterwards. */
function openFromLink(integration: string = BASE_URL): void {
  const page = new URL(ORIGINAL_URL);
  page.searchParams.set('tab', 'integrations');
  page.hash = 'xero';
  history.replaceState(null, '', withReconnectRequest(page, integration));
}

function Spacer() {
  // Pushes the cards below the fold, so "into view" means something.
  return <div style={{ height: '3000px' }} />;
}

function renderCard(children?: ReactNode) {
  const { Wrapper, navigate } = providerWrapper();
  render(
    <StrictMode>
      <main>
        <h1>Settings</h1>
        <Spacer />
        <Wrapper>
          <XeroConnectionCard title="Xero Billing" headingLevel={2} />
        </Wrapper>
        {children}
      </main>
    </StrictMode>,
  );
  const card = () => screen.getByRole('region', { name: 'Xero Billing' });
  return { navigate, card };
}

const REQUESTED = 'You followed a link asking you to reconnect Xero Billing.';

describe('a page opened from a reconnect link', () => {
  test('needs_reauth: Reconnect is focused, the card is in view and the status says why', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink();
    const { card, navigate } = renderCard();
    const reconnect = await within(card()).findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    const status = within(card()).getByRole('status');
    expect(status).toHaveTextContent(REQUESTED);
    expect(status.firstElementChild).toHaveAttribute('data-slot', 'xero-connection-card-reconnect-link');
    const box = card().getBoundingClientRect();
    expect(box.top).toBeLessThan(window.innerHeight);
    expect(box.bottom).toBeGreaterThan(0);
    // Nothing started by itself.
    expect(navigate).not.toHaveBeenCalled();
    expect(reconnect).not.toHaveAttribute('aria-busy');
  });

  test('the parameters leave the URL; the host parameter and the hash stay', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink();
    const { card } = renderCard();
    await within(card()).findByText(REQUESTED);
    const url = new URL(location.href);
    expect(url.searchParams.get('xero')).toBeNull();
    expect(url.searchParams.get('xeroIntegration')).toBeNull();
    expect(url.searchParams.get('tab')).toBe('integrations');
    expect(url.hash).toBe('#xero');
  });

  test('Enter on the focused Reconnect starts the round trip (and only then)', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink();
    const { card, navigate } = renderCard();
    const reconnect = await within(card()).findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    expect(navigate).not.toHaveBeenCalled();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(navigate.mock.calls[0]?.[0]).toContain('authorize');
    // The line was about before the action: it goes once the person acted.
    expect(within(card()).queryByText(REQUESTED)).toBeNull();
  });

  test('disconnected: Connect is focused, with the same line', async () => {
    startFakeBackend('disconnected');
    openFromLink();
    const { card, navigate } = renderCard();
    const connect = await within(card()).findByRole('button', { name: 'Connect to Xero' });
    await waitFor(() => expect(connect).toHaveFocus());
    expect(within(card()).getByRole('status')).toHaveTextContent(REQUESTED);
    expect(navigate).not.toHaveBeenCalled();
  });

  test('already connected: says there is nothing to do, and focuses nothing', async () => {
    startFakeBackend('connected');
    openFromLink();
    const { card, navigate } = renderCard();
    expect(
      await within(card()).findByText('You followed a link asking you to reconnect Xero Billing. It is connected now: there is nothing to do.'),
    ).toBeVisible();
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(document.activeElement === document.body || document.activeElement === null).toBe(true);
    expect(navigate).not.toHaveBeenCalled();
    expect(new URL(location.href).searchParams.get('xero')).toBeNull();
  });

  test('a link for another integration leaves this card alone and the URL as it is', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink('/api/integrations/xero-elsewhere');
    const { card } = renderCard();
    await within(card()).findByRole('button', { name: 'Reconnect' });
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(within(card()).queryByText(REQUESTED)).toBeNull();
    expect(within(card()).getByRole('button', { name: 'Reconnect' })).not.toHaveFocus();
    expect(new URL(location.href).searchParams.get('xero')).toBe('reconnect');
  });
});

describe('two integrations on one page', () => {
  function renderBoth(link: string) {
    startFakeBackend('needsReauthExpired');
    const payroll = createFakeXeroBackend({ baseUrl: PAYROLL_URL, initial: fixture('needsReauthExpired') });
    addHandlers(...payroll.handlers);
    openFromLink(link);
    const navigate = vi.fn<(url: string) => void>();
    render(
      <StrictMode>
        <main>
          <XeroConnectionProvider baseUrl={BASE_URL} navigate={navigate}>
            <XeroConnectionCard title="Xero Billing" headingLevel={2} />
          </XeroConnectionProvider>
          <Spacer />
          <XeroConnectionProvider baseUrl={PAYROLL_URL} navigate={navigate}>
            <XeroConnectionCard title="Xero Payroll" headingLevel={2} />
          </XeroConnectionProvider>
        </main>
      </StrictMode>,
    );
    const billing = () => screen.getByRole('region', { name: 'Xero Billing' });
    const payrollCard = () => screen.getByRole('region', { name: 'Xero Payroll' });
    return { billing, payroll: payrollCard, navigate };
  }

  test('a Payroll link: only Payroll reacts, below the fold, and the URL is cleaned', async () => {
    const { billing, payroll, navigate } = renderBoth(PAYROLL_URL);
    const reconnect = await within(payroll()).findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    expect(within(payroll()).getByRole('status')).toHaveTextContent('You followed a link asking you to reconnect Xero Payroll.');
    const box = payroll().getBoundingClientRect();
    expect(box.top).toBeLessThan(window.innerHeight);
    expect(box.bottom).toBeGreaterThan(0);
    await within(billing()).findByRole('button', { name: 'Reconnect' });
    expect(within(billing()).getByRole('status')).not.toHaveTextContent('You followed a link');
    expect(new URL(location.href).searchParams.get('xero')).toBeNull();
    expect(navigate).not.toHaveBeenCalled();
  });

  test('a Billing link: only Billing reacts', async () => {
    const { billing, payroll } = renderBoth(BASE_URL);
    const reconnect = await within(billing()).findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    expect(within(billing()).getByRole('status')).toHaveTextContent(REQUESTED);
    await within(payroll()).findByRole('button', { name: 'Reconnect' });
    expect(within(payroll()).getByRole('status')).not.toHaveTextContent('You followed a link');
  });
});

describe('<XeroReconnectNotice> on the page the link opens', () => {
  test('it shows the recovery, says why and focuses Reconnect; nothing starts', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink();
    const { Wrapper, navigate } = providerWrapper();
    render(
      <StrictMode>
        <Wrapper>
          <Spacer />
          <XeroReconnectNotice title="Xero Billing" problem={null} />
        </Wrapper>
      </StrictMode>,
    );
    const notice = await screen.findByRole('region', { name: 'Xero Billing needs reconnecting before this export can run.' });
    const reconnect = within(notice).getByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    expect(within(notice).getByRole('status')).toHaveTextContent(REQUESTED);
    expect(new URL(location.href).searchParams.get('xero')).toBeNull();
    expect(navigate).not.toHaveBeenCalled();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
  });

  test('connected: the notice stays away (there is nothing to fix)', async () => {
    startFakeBackend('connected');
    openFromLink();
    const { Wrapper } = providerWrapper();
    const { container } = render(
      <Wrapper>
        <XeroReconnectNotice title="Xero Billing" problem={null} />
      </Wrapper>,
    );
    await waitFor(() => expect(new URL(location.href).searchParams.get('xero')).toBeNull());
    await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(container.querySelector('[data-slot="xero-reconnect-notice"]')).toBeNull();
  });
});

describe('what the card focuses when Reconnect is not on offer', () => {
  test('canManage={false}: the title takes focus; the line stays beside "ask an administrator"', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink();
    const { Wrapper, navigate } = providerWrapper();
    render(
      <Wrapper>
        <XeroConnectionCard title="Xero Billing" headingLevel={2} canManage={false} />
      </Wrapper>,
    );
    const card = screen.getByRole('region', { name: 'Xero Billing' });
    const heading = within(card).getByRole('heading', { name: 'Xero Billing' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(within(card).getByRole('status')).toHaveTextContent(REQUESTED);
    expect(within(card).getByText('Ask an administrator to reconnect Xero.')).toBeVisible();
    expect(navigate).not.toHaveBeenCalled();
  });

  test('two cards of one integration: both say why, one takes focus', async () => {
    startFakeBackend('needsReauthExpired');
    openFromLink();
    const { Wrapper } = providerWrapper();
    render(
      <StrictMode>
        <Wrapper>
          <XeroConnectionCard title="Xero Billing" headingLevel={2} />
          <XeroConnectionCard title="Xero Billing (again)" headingLevel={2} />
        </Wrapper>
      </StrictMode>,
    );
    const first = screen.getByRole('region', { name: 'Xero Billing' });
    const second = screen.getByRole('region', { name: 'Xero Billing (again)' });
    const reconnect = await within(first).findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    expect(within(first).getByRole('status')).toHaveTextContent(REQUESTED);
    expect(within(second).getByRole('status')).toHaveTextContent('You followed a link asking you to reconnect Xero Billing (again).');
  });
});
