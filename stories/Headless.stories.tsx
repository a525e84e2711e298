import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, waitFor } from 'storybook/test';

import { useXeroConnection, type XeroConnectionState } from '../src';
import { FAKE_AUTHORIZE_ORIGIN } from '../src/testing';
import {
  installXeroBackend,
  withXeroConnection,
  xeroConnectionLoader,
  xeroOf,
  type XeroConnectionStoryParameters,
} from './support/xero-connection';

// `useXeroConnection()` under a host's own UI: a compact settings row instead of the card, with
// its own confirm step. Everything it shows comes from the hook's typed state; the styling uses
// the theme's custom properties only so it follows light and dark.

function summary(state: XeroConnectionState): string {
  switch (state.status) {
    case 'loading':
      return 'Checking…';
    case 'connected':
      return `Sending invoices to ${state.tenant.tenantName}.`;
    case 'expiring':
      return `Sending invoices to ${state.tenant.tenantName}. The link lapses in ${state.expiresInDays} days unless used.`;
    case 'needs_reauth':
      return state.reason === 'refresh_token_expired'
        ? 'Paused: Xero stopped accepting our link because it went unused.'
        : 'Paused: Xero no longer accepts our link.';
    case 'choosing_organisation':
      return state.reason === 'organisation_mismatch'
        ? `Paused: Xero linked ${state.organisations.map((tenant) => tenant.tenantName).join(', ')} instead of ${state.tenant?.tenantName ?? 'the organisation linked before'}.`
        : 'Paused: pick the organisation invoices go to.';
    case 'disconnected':
      return 'Invoices stay in the portal until Xero is connected.';
    case 'error':
      return state.reason === 'rate_limited' ? 'Xero is busy; try again shortly.' : 'The status could not be read.';
  }
}

const row = {
  display: 'grid',
  gap: 'var(--xc-space-2)',
  maxWidth: '34rem',
  padding: 'var(--xc-space-4)',
  border: '1px solid var(--xc-color-border-strong)',
  borderRadius: 'var(--xc-radius-control)',
  background: 'var(--xc-color-surface)',
  color: 'var(--xc-color-text)',
  fontFamily: 'var(--xc-font-family)',
} as const;

/** A host's own compact UI over the hook. */
function InvoiceSyncSetting() {
  const xero = useXeroConnection({ onEvent: (event) => console.info('[xero event]', event.type) });
  const { state } = xero;
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const attempt = (action: () => Promise<unknown>) => {
    setProblem(null);
    action().catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };

  return (
    <section aria-labelledby="invoice-sync-title" data-status={state.status} style={row}>
      <h3 id="invoice-sync-title" style={{ margin: 0, fontSize: 'var(--xc-font-size)' }}>
        Invoice sync with Xero <span style={{ fontWeight: 'normal' }}>({state.status.replace('_', ' ')})</span>
      </h3>
      <p role="status" style={{ margin: 0 }}>
        {summary(state)}
      </p>
      {problem ? <p role="alert" style={{ margin: 0, color: 'var(--xc-color-danger-text)' }}>{problem}</p> : null}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 'var(--xc-space-2)' }}>
        {state.status === 'needs_reauth' && !confirming ? (
          <>
            <button
              type="button"
              onClick={() => {
                xero.track({ type: 'disconnect_requested' });
                setConfirming(true);
              }}
            >
              Fix the link
            </button>
            <button type="button" onClick={() => attempt(() => xero.reconnect())} aria-busy={xero.isReconnecting || undefined}>
              Reconnect in one step
            </button>
          </>
        ) : null}
        {confirming ? (
          <>
            <span>Unlink Xero first?</span>
            <button
              type="button"
              onClick={() =>
                attempt(async () => {
                  await xero.disconnect();
                  setConfirming(false);
                })
              }
              aria-busy={xero.isDisconnecting || undefined}
            >
              {xero.isDisconnecting ? 'Unlinking…' : 'Unlink'}
            </button>
            <button
              type="button"
              onClick={() => {
                xero.track({ type: 'disconnect_cancelled' });
                setConfirming(false);
              }}
            >
              Not now
            </button>
          </>
        ) : null}
        {state.status === 'choosing_organisation'
          ? state.organisations.map((tenant) => (
              <button
                key={tenant.tenantId}
                type="button"
                onClick={() => attempt(() => xero.chooseOrganisation(tenant.tenantId))}
                aria-busy={xero.isChoosingOrganisation || undefined}
              >
                Send invoices to {tenant.tenantName}
              </button>
            ))
          : null}
        {state.status === 'disconnected' ? (
          <button type="button" onClick={() => attempt(() => xero.connect())} aria-busy={xero.isConnecting || undefined}>
            Link Xero
          </button>
        ) : null}
        {state.status === 'expiring' ? (
          <button type="button" onClick={() => attempt(() => xero.verify())} aria-busy={xero.isVerifying || undefined}>
            Keep the link alive
          </button>
        ) : null}
        {state.status === 'error' ? (
          <button type="button" onClick={() => (state.error ? state.retry() : attempt(() => xero.verify()))}>
            Try again
          </button>
        ) : null}
      </div>
    </section>
  );
}

function backend(parameters: XeroConnectionStoryParameters) {
  return { xeroConnection: parameters };
}

const meta = {
  title: 'Headless/useXeroConnection',
  component: InvoiceSyncSetting,
  loaders: [xeroConnectionLoader],
  beforeEach: installXeroBackend,
  decorators: [withXeroConnection],
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
} satisfies Meta<typeof InvoiceSyncSetting>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The custom UI after invalid_grant, walked: fix → unlink → link → (Xero) → connected. */
export const CustomUiRecovery: Story = {
  name: 'Custom UI: recovery',
  play: async ({ canvas, userEvent, loaded, step }) => {
    const xero = xeroOf({ loaded });
    await step('needs_reauth', async () => {
      await expect(await canvas.findByText(/went unused/)).toBeVisible();
    });
    await step('Fix the link → Not now → Fix the link → Unlink', async () => {
      await userEvent.click(canvas.getByRole('button', { name: 'Fix the link' }));
      await userEvent.click(canvas.getByRole('button', { name: 'Not now' }));
      await userEvent.click(canvas.getByRole('button', { name: 'Fix the link' }));
      await userEvent.click(canvas.getByRole('button', { name: 'Unlink' }));
      await expect(await canvas.findByText(/until Xero is connected/)).toBeVisible();
    });
    await step('Link Xero → Xero (simulated) → connected', async () => {
      await userEvent.click(canvas.getByRole('button', { name: 'Link Xero' }));
      await waitFor(() => expect(xero.navigate).toHaveBeenCalledWith(expect.stringContaining(FAKE_AUTHORIZE_ORIGIN)));
      await expect(await canvas.findByText('Sending invoices to Sunrise Care Group.', {}, { timeout: 3_000 })).toBeVisible();
    });
  },
};

/** The same UI for an expiring connection. */
export const CustomUiExpiring: Story = {
  name: 'Custom UI: expiring',
  parameters: backend({ scenario: 'expiring' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('button', { name: 'Keep the link alive' })).toBeVisible();
  },
};

/** The same UI when one consent covered two organisations: one button per organisation. */
export const CustomUiChoosingOrganisation: Story = {
  name: 'Custom UI: choosing organisation',
  parameters: backend({ scenario: 'choosing_organisation' }),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Send invoices to Harbour View Homecare' }));
    await expect(await canvas.findByText('Sending invoices to Harbour View Homecare.')).toBeVisible();
  },
};

/** The same UI when the backend is down. */
export const CustomUiBackendDown: Story = {
  name: 'Custom UI: backend down',
  parameters: backend({ scenario: 'backend_down' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('The status could not be read.')).toBeVisible();
  },
};
