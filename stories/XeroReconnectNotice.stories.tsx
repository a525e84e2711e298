import '../src/components/styles/notice.css';

import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, waitFor } from 'storybook/test';

import { XeroReconnectNotice } from '../src';
import { buildProblem } from '../src/testing';
import { installXeroBackend, withXeroConnection, xeroConnectionLoader, xeroOf, type XeroConnectionStoryParameters } from './support/xero-connection';

// Every state of the notice an export page shows after its export to Xero failed, each against
// its own stateful fake backend. Every story is also an axe check in light and dark.

function backend(parameters: XeroConnectionStoryParameters) {
  return { xeroConnection: parameters };
}

/** What the notice leaves behind when it sends the person to Xero (a redirect reloads the page). */
function markReconnectStarted(context: { loaded: Record<string, unknown> }): () => void {
  const key = `@carevision/xero-connection:reconnect-notice:${xeroOf(context).baseUrl}`;
  sessionStorage.setItem(key, JSON.stringify({ until: Date.now() + 60_000 }));
  return () => sessionStorage.removeItem(key);
}

const NEEDS_RECONNECT = 'Xero Billing needs reconnecting before this export can run.';

const meta = {
  title: 'XeroReconnectNotice',
  component: XeroReconnectNotice,
  args: {
    title: 'Xero Billing',
    problem: buildProblem('XERO_INVALID_GRANT'),
    onReconnected: fn(),
    retryAction: (
      <button type="button" data-xc-button="primary">
        Retry export
      </button>
    ),
  },
  argTypes: {
    headingLevel: { control: { type: 'inline-radio' }, options: [2, 3, 4, 5, 6] },
    locale: { control: 'text' },
    messages: { control: 'object' },
  },
  loaders: [xeroConnectionLoader],
  beforeEach: installXeroBackend,
  decorators: [withXeroConnection],
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
} satisfies Meta<typeof XeroReconnectNotice>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The export met `invalid_grant`: the token went unused for 60 days. Reconnect, or the help page's path. */
export const ReconnectExpired: Story = {
  name: 'Reconnect needed: expired unused',
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('heading', { name: NEEDS_RECONNECT })).toBeVisible();
    await expect(await canvas.findByText(/wasn't used for 60 days/)).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Reconnect' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Disconnect my account' })).toBeVisible();
  },
};

/** The organisation removed the app in Xero (`XERO_TENANT_NOT_FOUND`). */
export const ReconnectRemovedInXero: Story = {
  name: 'Reconnect needed: removed in Xero',
  args: { problem: buildProblem('XERO_TENANT_NOT_FOUND') },
  parameters: backend({ scenario: 'tenant_removed_in_xero' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Sunrise Care Group removed this app in Xero. Connect again to resume exports.')).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  },
};

/** The export met an integration that was never connected: nothing to reconnect, only to connect. */
export const NotConnected: Story = {
  name: 'Not connected at all',
  args: { problem: buildProblem('XERO_TENANT_NOT_FOUND') },
  parameters: backend({ scenario: 'disconnected' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('heading', { name: 'Xero Billing is not connected: set it up before this export can run.' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Connect to Xero' })).toBeVisible();
    await expect(canvas.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  },
};

/** People who may not change the connection are told who can, and get no recovery buttons. */
export const Viewer: Story = {
  args: { canManage: false, adminContact: { name: 'Priya Shah', email: 'priya@sunrise.example' } },
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Ask an administrator to reconnect Xero Billing.')).toBeVisible();
    await expect(canvas.queryByRole('button', { name: 'Reconnect' })).toBeNull();
    await expect(canvas.queryByRole('button', { name: 'Disconnect my account' })).toBeNull();
  },
};

/** Xero's rate limit: when to try again, from `retryAfterSeconds`. Never the recovery. */
export const RateLimited: Story = {
  name: 'Try later: rate limited',
  args: { problem: buildProblem('XERO_RATE_LIMITED', { retryAfterSeconds: 300 }) },
  parameters: backend({ scenario: 'connected' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('heading', { name: /^Xero is busy: try this export again at .+\.$/ })).toBeVisible();
    await expect(canvas.queryByRole('button')).toBeNull();
  },
};

/** Xero is not answering: try again in a few minutes. */
export const Unavailable: Story = {
  name: 'Try later: Xero unavailable',
  args: { problem: buildProblem('XERO_UNAVAILABLE') },
  parameters: backend({ scenario: 'connected' }),
  play: async ({ canvas }) => {
    await expect(
      await canvas.findByRole('heading', { name: 'Xero is not answering right now: try this export again in a few minutes.' }),
    ).toBeVisible();
    await expect(canvas.queryByRole('button')).toBeNull();
  },
};

/** The export page opened from a reconnect link (the portal's email): the notice shows the recovery, says why and focuses Reconnect. */
export const FromReconnectLink: Story = {
  name: 'Opened from a reconnect link',
  args: { problem: null },
  parameters: backend({ scenario: 'needs_reauth_invalid_grant', reconnectLink: true }),
  play: async ({ canvas }) => {
    const reconnect = await canvas.findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    await expect(canvas.getByRole('status')).toHaveTextContent('You followed a link asking you to reconnect Xero Billing.');
  },
};

/** Reconnect pressed: the same button stays, busy, while the page is on its way to Xero. */
export const Reconnecting: Story = {
  name: 'Reconnecting',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant', xero: 'stay' }),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Reconnect' }));
    const working = await canvas.findByRole('button', { name: 'Working…' });
    await expect(working).toHaveAttribute('aria-busy', 'true');
  },
};

/** Back from Xero, connected: "connected again", with the host's Retry export. */
export const Reconnected: Story = {
  name: 'Reconnected: retry the export',
  args: { problem: null },
  parameters: backend({ scenario: 'connected', arrive: { kind: 'connected' } }),
  beforeEach: markReconnectStarted,
  play: async ({ canvas, args }) => {
    await expect(await canvas.findByRole('heading', { name: 'Xero Billing is connected again.' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Retry export' })).toBeVisible();
    await waitFor(() => expect(args.onReconnected).toHaveBeenCalledTimes(1));
  },
};

/** Back from Xero without a connection (the session ran out): says why, keeps Reconnect. */
export const ReconnectFailed: Story = {
  name: 'Reconnect failed',
  args: { problem: null },
  parameters: backend({ scenario: 'disconnected', arrive: { kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' } }),
  beforeEach: markReconnectStarted,
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Connecting to Xero took too long, so nothing was connected. Try again.');
    await expect(canvas.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  },
};

/** Back from Xero after Cancel on the consent screen. */
export const ReconnectCancelled: Story = {
  name: 'Reconnect cancelled in Xero',
  args: { problem: null },
  parameters: backend({ scenario: 'disconnected', arrive: { kind: 'cancelled', reason: 'consent_denied' } }),
  beforeEach: markReconnectStarted,
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('You cancelled in Xero, so Xero Billing is not connected now: exports stay paused until you reconnect.')).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  },
};
