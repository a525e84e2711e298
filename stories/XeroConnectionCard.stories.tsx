import './custom-theme.css';

import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor, within } from 'storybook/test';

import {
  XeroConnectionCard,
  XeroConnectionCardActions,
  XeroConnectionCardBadge,
  XeroConnectionCardDetails,
  XeroConnectionCardRoot,
  XeroConnectionCardStatus,
  XeroConnectionCardTitle,
} from '../src';
import { FAKE_AUTHORIZE_ORIGIN, buildConnection, demoTenant, secondTenant } from '../src/testing';
import {
  installXeroBackend,
  withXeroConnection,
  xeroConnectionLoader,
  xeroOf,
  type XeroConnectionStoryParameters,
} from './support/xero-connection';

// Every visible state of the card, each against its own stateful fake backend (a named scenario
// from `./testing`). Stories with a play function walk a flow; every story is also an axe check
// in light and dark (vitest.config.ts).

const LONG_ORGANISATION = 'The Sunrise Care Group Residential Aged Care and Home Support Services (Northern Rivers Region) Pty Ltd';

function backend(parameters: XeroConnectionStoryParameters) {
  return { xeroConnection: parameters };
}

/** The dialog is portaled to <body>, outside the story's canvas. */
function page(canvasElement: HTMLElement) {
  return within(canvasElement.ownerDocument.body);
}

const meta = {
  title: 'XeroConnectionCard',
  component: XeroConnectionCard,
  args: { title: 'Xero Billing' },
  argTypes: {
    headingLevel: { control: { type: 'inline-radio' }, options: [2, 3, 4, 5, 6] },
    locale: { control: 'text' },
    messages: { control: 'object' },
  },
  loaders: [xeroConnectionLoader],
  beforeEach: installXeroBackend,
  decorators: [withXeroConnection],
  parameters: backend({ scenario: 'connected' }),
} satisfies Meta<typeof XeroConnectionCard>;

export default meta;
type Story = StoryObj<typeof meta>;

/* ---- states ------------------------------------------------------------------------------------ */

/** Before the backend has answered: "Checking…". (The backend holds its answer for ever here.) */
export const Loading: Story = {
  parameters: backend({ setup: (fake) => void fake.hold('getConnection') }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Checking the connection to Xero Billing…')).toBeVisible();
  },
};

/** Connected: the organisation, since when and by whom, last used, and Disconnect. */
export const Connected: Story = {
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Connected to Sunrise Care Group')).toBeVisible();
  },
};

/** The refresh token expires within 7 days unless used: "Check connection" uses it now. */
export const Expiring: Story = {
  parameters: backend({ scenario: 'expiring' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Expires in 5 days unless used/)).toBeVisible();
  },
};

/** Xero answered `invalid_grant`: the token went unused for 60 days. The recovery starts here. */
export const NeedsReauthInvalidGrant: Story = {
  name: 'Needs reauth: invalid_grant (token expired)',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/wasn't used for 60 days/)).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Disconnect my account' })).toBeVisible();
  },
};

/** The refresh token was revoked in Xero. */
export const NeedsReauthRevoked: Story = {
  name: 'Needs reauth: token revoked',
  parameters: backend({ scenario: 'needs_reauth_revoked' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Access to Sunrise Care Group was revoked in Xero/)).toBeVisible();
  },
};

/** The organisation removed the app in Xero. */
export const NeedsReauthTenantRemoved: Story = {
  name: 'Needs reauth: app removed in Xero',
  parameters: backend({ scenario: 'tenant_removed_in_xero' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Sunrise Care Group removed this app in Xero/)).toBeVisible();
  },
};

/** Not connected: "Connect to Xero" goes to Xero's consent screen (simulated: it comes back connected). */
export const Disconnected: Story = {
  parameters: backend({ scenario: 'disconnected' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Not connected to Xero')).toBeVisible();
  },
};

/** The portal's backend cannot be reached. "Try again" reads again. */
export const ErrorBackendDown: Story = {
  name: 'Error: backend down',
  parameters: backend({ scenario: 'backend_down' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/We couldn't check the connection to Xero Billing/)).toBeVisible();
  },
};

/** The backend could not check Xero because of Xero's rate limits. */
export const ErrorRateLimited: Story = {
  name: 'Error: rate limited',
  parameters: backend({ scenario: 'rate_limited' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Xero is busy right now/)).toBeVisible();
  },
};

/** The backend's keep-alive refreshes the connection on a schedule: no expiry countdown, just when it last did. */
export const KeptAlive: Story = {
  name: 'Kept alive',
  parameters: backend({ scenario: 'kept_alive' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Kept active automatically — last refreshed 2 days ago')).toBeVisible();
    await expect(canvas.queryByText(/unless used/)).toBeNull();
    await expect(canvas.getByText('Connected', { selector: '[data-slot="xero-connection-card-badge"]' })).toBeVisible();
  },
};

/** Keep-alive's last refresh failed: the card names it, says when the connection expires, and what to do. */
export const KeepAliveFailing: Story = {
  name: 'Keep-alive failing',
  parameters: backend({ scenario: 'keep_alive_failing' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Automatic refresh is failing — Xero is not answering right now.')).toBeVisible();
    await expect(canvas.getByText('Expires in 5 days unless used')).toBeVisible();
    await expect(canvas.getByText('Check the connection now to keep it active.')).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Check connection' })).toBeVisible();
  },
};

/** The backend could not reach Xero just now (`xero_unavailable`): the connection has not changed. */
export const ErrorXeroUnavailable: Story = {
  name: 'Error: Xero unavailable',
  parameters: backend({ setup: (fake) => fake.setConnection(buildConnection('xeroUnavailable', {}, fake.now())) }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Xero is not answering right now/)).toBeVisible();
  },
};

/** An action that fails ("Check connection" while Xero is down): the reason, as an alert, beside the same state. */
export const ActionFailed: Story = {
  name: 'Action failed (Check connection)',
  parameters: backend({ scenario: 'expiring', setup: (fake) => fake.failNext('verify', 'XERO_UNAVAILABLE') }),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Check connection' }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent("That didn't work: Xero is not answering right now.");
  },
};

/** The backend answered something the contract does not allow (here: an unknown status). */
export const ErrorContractViolation: Story = {
  name: 'Error: contract violation',
  parameters: backend({ scenario: 'contract_violation' }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/answered in a way this page doesn't understand/)).toBeVisible();
  },
};

/** Every answer takes 1.5 s: "Checking…", then connected. */
export const Slow: Story = {
  parameters: backend({ scenario: 'slow' }),
  play: async ({ canvas }) => {
    await expect(canvas.getByText('Checking the connection to Xero Billing…')).toBeVisible();
  },
};

/* ---- choosing the organisation (contract 1.1) ---------------------------------------------------- */

const THIRD_ORGANISATION = {
  tenantId: '3f9d6b2e-8a41-4c7d-9e05-b2c81a6f4d93',
  tenantName: 'Bayside Accounting Practice',
  tenantType: 'PRACTICE',
  connectionId: '7a2c9e41-6b3d-4f8e-a1d5-0c9b8e7f6a32',
} as const;

/** The organisations' radio group, found by its question. */
function picker(canvas: ReturnType<typeof within>) {
  return canvas.findByRole('group', { name: 'Which organisation should Xero Billing use?' });
}

/** One consent covered two organisations: a radio group, nothing chosen up front, and a way out (Disconnect). */
export const ChoosingOrganisation: Story = {
  name: 'Choosing organisation',
  parameters: backend({ scenario: 'choosing_organisation' }),
  play: async ({ canvas }) => {
    const group = within(await picker(canvas));
    await expect(group.getByRole('radio', { name: 'Sunrise Care Group' })).not.toBeChecked();
    await expect(group.getByRole('radio', { name: 'Harbour View Homecare' })).toHaveAccessibleDescription('Organisation');
    await expect(canvas.getByRole('button', { name: 'Use this organisation' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Disconnect' })).toBeVisible();
  },
};

/** "Use this organisation" before choosing one: the card says why, and takes the keyboard to the group. */
export const ChoosingNothingChosen: Story = {
  name: 'Choosing organisation: nothing chosen',
  parameters: backend({ scenario: 'choosing_organisation' }),
  play: async ({ canvas, userEvent, loaded }) => {
    await picker(canvas);
    await userEvent.click(canvas.getByRole('button', { name: 'Use this organisation' }));
    await expect(await canvas.findByText('Choose an organisation first.')).toBeVisible();
    await waitFor(() => expect(canvas.getByRole('radio', { name: 'Sunrise Care Group' })).toHaveFocus());
    await expect(xeroOf({ loaded }).backend.requestsTo('chooseOrganisation')).toHaveLength(0);
  },
};

/** The choice is on its way to the backend: the button says it is working. */
export const ChoosingPending: Story = {
  name: 'Choosing organisation: pending',
  parameters: backend({ scenario: 'choosing_organisation', setup: (fake) => void fake.hold('chooseOrganisation') }),
  play: async ({ canvas, userEvent }) => {
    const group = within(await picker(canvas));
    await userEvent.click(group.getByRole('radio', { name: 'Harbour View Homecare' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Use this organisation' }));
    await expect(await canvas.findByRole('button', { name: 'Working…' })).toHaveAttribute('aria-disabled', 'true');
  },
};

/** The backend refused the choice (Xero no longer lists it): an alert, and the choice stays selected. */
export const ChoosingFailed: Story = {
  name: 'Choosing organisation: failed',
  parameters: backend({ scenario: 'choosing_organisation', setup: (fake) => fake.failNext('chooseOrganisation', 'XERO_TENANT_NOT_FOUND') }),
  play: async ({ canvas, userEvent }) => {
    const group = within(await picker(canvas));
    await userEvent.click(group.getByRole('radio', { name: 'Harbour View Homecare' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Use this organisation' }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent(
      "Harbour View Homecare wasn't connected: Xero no longer lists that organisation for this app. Nothing changed.",
    );
    await expect(group.getByRole('radio', { name: 'Harbour View Homecare' })).toBeChecked();
  },
};

/** Someone who may not choose (`canManage={false}`): what is awaited and who to ask, no controls. */
export const ChoosingViewer: Story = {
  name: 'canManage=false: choosing organisation',
  parameters: backend({ scenario: 'choosing_organisation' }),
  args: { canManage: false, adminContact: { name: 'Priya Shah', email: 'priya.shah@sunrisecare.example' } },
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Waiting for an administrator to choose the organisation for Xero Billing/)).toBeVisible();
    await expect(canvas.queryByRole('radio')).toBeNull();
    await expect(canvas.getAllByRole('button').map((element) => element.textContent)).toEqual(['Copy link to this page']);
  },
};

/** A reconnect came back with another organisation: keep the new one, or try again in Xero. */
export const OrganisationMismatch: Story = {
  name: 'Organisation mismatch',
  parameters: backend({ scenario: 'organisation_mismatch' }),
  play: async ({ canvas }) => {
    await expect(
      await canvas.findByText('You connected Harbour View Homecare, but Xero Billing was connected to Sunrise Care Group.'),
    ).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Use Harbour View Homecare instead' })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Try again' })).toBeVisible();
  },
};

/** A mismatch where Xero connected two other organisations (one a practice): the same radio group. */
export const OrganisationMismatchSeveral: Story = {
  name: 'Organisation mismatch: several organisations',
  parameters: backend({
    setup: (fake) => {
      const mismatch = buildConnection('organisationMismatch', {}, fake.now());
      if (mismatch.status === 'choosing_organisation') fake.setConnection({ ...mismatch, organisations: [secondTenant, THIRD_ORGANISATION] });
    },
  }),
  play: async ({ canvas }) => {
    await expect(
      await canvas.findByText(
        'You connected Harbour View Homecare and Bayside Accounting Practice, but Xero Billing was connected to Sunrise Care Group.',
      ),
    ).toBeVisible();
    const group = within(await picker(canvas));
    await expect(group.getByRole('radio', { name: 'Bayside Accounting Practice' })).toHaveAccessibleDescription('Practice');
    await expect(canvas.getByRole('button', { name: 'Try again' })).toBeVisible();
  },
};

/**
 * Never connected; on Xero's consent screen the user ticks two organisations. Connect → Xero
 * (simulated) → back on the page, the card asks which one → Harbour View Homecare → connected to it.
 */
export const ConsentCoversTwoOrganisations: Story = {
  name: 'Consent covers two organisations (play)',
  parameters: backend({ scenario: 'consent_covers_two_organisations' }),
  play: async ({ canvas, userEvent, step, loaded }) => {
    const xero = xeroOf({ loaded });

    await step('Connect to Xero → Xero (allow, two organisations) → back: the card asks which one', async () => {
      await userEvent.click(await canvas.findByRole('button', { name: 'Connect to Xero' }));
      await waitFor(() => expect(xero.navigate).toHaveBeenCalledWith(expect.stringContaining(FAKE_AUTHORIZE_ORIGIN)));
      await expect(await canvas.findByRole('group', { name: 'Which organisation should Xero Billing use?' }, { timeout: 3_000 })).toBeVisible();
    });

    await step('Harbour View Homecare → Use this organisation: connected to it, and said so', async () => {
      await userEvent.click(canvas.getByRole('radio', { name: 'Harbour View Homecare' }));
      await userEvent.click(canvas.getByRole('button', { name: 'Use this organisation' }));
      await expect(await canvas.findByText('Connected to Harbour View Homecare')).toBeVisible();
      await expect(canvas.getByText('You connected Harbour View Homecare to Xero Billing.')).toBeVisible();
      await expect(xero.backend.requestsTo('chooseOrganisation').map((request) => request.body)).toEqual([
        { tenantId: secondTenant.tenantId },
      ]);
    });
  },
};

/* ---- the dialog inside the card ------------------------------------------------------------------ */

/** "Disconnect my account" opens the confirmation. */
export const DialogOpen: Story = {
  name: 'Dialog: open',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  play: async ({ canvas, canvasElement, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect my account' }));
    const dialog = await page(canvasElement).findByRole('alertdialog', { name: 'Disconnect Sunrise Care Group from Xero Billing?' });
    await waitFor(() => expect(dialog).toBeVisible());
  },
};

/** "Yes, disconnect" while the backend works: progress, and nothing closes the dialog. */
export const DialogPending: Story = {
  name: 'Dialog: pending',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant', setup: (fake) => void fake.hold('disconnect') }),
  play: async ({ canvas, canvasElement, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect my account' }));
    const dialog = within(await page(canvasElement).findByRole('alertdialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Yes, disconnect' }));
    // Retried: on a loaded machine the dialog's fade-in can still be at opacity 0 on the first look.
    await waitFor(async () => expect(await dialog.findByText('Disconnecting…')).toBeVisible());
  },
};

/** The first disconnect fails (Xero unavailable): the failure shows inside the dialog, with a way to try again. */
export const DialogFailed: Story = {
  name: 'Dialog: failed',
  parameters: backend({ scenario: 'disconnect_fails_once' }),
  play: async ({ canvas, canvasElement, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect my account' }));
    const dialog = within(await page(canvasElement).findByRole('alertdialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Yes, disconnect' }));
    await expect(await dialog.findByRole('alert')).toHaveTextContent("The disconnection didn't go through");
  },
};

/** After "Yes, disconnect" following invalid_grant: disconnected, and Xero could not be told. */
export const AfterDisconnect: Story = {
  name: 'After disconnect (success)',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  play: async ({ canvas, canvasElement, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect my account' }));
    const dialog = within(await page(canvasElement).findByRole('alertdialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Yes, disconnect' }));
    await expect(await canvas.findByText('Your Xero account has been disconnected.')).toBeVisible();
    await expect(canvas.getByText(/Settings › Connected apps/)).toBeVisible();
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Set up Xero Billing again' })).toHaveFocus());
  },
};

/* ---- the recovery flow --------------------------------------------------------------------------- */

/**
 * The help article's path, as a user walks it: needs_reauth → "Disconnect my account" → "No,
 * keep it" → "Disconnect my account" → "Yes, disconnect" → "Set up Xero Billing again" → Xero
 * (simulated: the user allows) → connected.
 */
export const RecoveryFlow: Story = {
  name: 'Recovery flow (play)',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  play: async ({ canvas, canvasElement, userEvent, step, loaded }) => {
    const xero = xeroOf({ loaded });
    const body = page(canvasElement);

    await step('needs_reauth: the card says why', async () => {
      await expect(await canvas.findByText(/wasn't used for 60 days/)).toBeVisible();
    });

    await step('Disconnect my account → No, keep it: nothing changes', async () => {
      await userEvent.click(canvas.getByRole('button', { name: 'Disconnect my account' }));
      await userEvent.click(await body.findByRole('button', { name: 'No, keep it' }));
      await waitFor(() => expect(body.queryByRole('alertdialog')).toBeNull());
      await expect(canvas.getByRole('button', { name: 'Disconnect my account' })).toHaveFocus();
      await expect(xero.backend.requestsTo('disconnect')).toHaveLength(0);
    });

    await step('Disconnect my account → Yes, disconnect', async () => {
      await userEvent.click(canvas.getByRole('button', { name: 'Disconnect my account' }));
      await userEvent.click(await body.findByRole('button', { name: 'Yes, disconnect' }));
      await expect(await canvas.findByText('Your Xero account has been disconnected.')).toBeVisible();
      await expect(xero.backend.getConnection().status).toBe('disconnected');
    });

    await step('Set up Xero Billing again → Xero (allow) → back on the page, connected', async () => {
      await userEvent.click(canvas.getByRole('button', { name: 'Set up Xero Billing again' }));
      await waitFor(() => expect(xero.navigate).toHaveBeenCalledWith(expect.stringContaining(FAKE_AUTHORIZE_ORIGIN)));
      await expect(await canvas.findByText('You connected Sunrise Care Group to Xero Billing.', {}, { timeout: 3_000 })).toBeVisible();
      await expect(canvas.getByText('Connected to Sunrise Care Group')).toBeVisible();
    });
  },
};

/* ---- back from Xero ------------------------------------------------------------------------------ */

/** The page Xero's round trip returns to with `?xero=connected`: the card says so. */
export const ReturnConnected: Story = {
  name: 'Return from Xero: connected',
  parameters: backend({ arrive: { kind: 'connected' } }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('You connected Sunrise Care Group to Xero Billing.')).toBeVisible();
  },
};

/** `?xero=error&code=XERO_ACCESS_DENIED`: the user chose Cancel in Xero. Not an error; nothing changed. */
export const ReturnConsentCancelled: Story = {
  name: 'Return from Xero: consent cancelled',
  parameters: backend({ scenario: 'consent_cancelled', arrive: { kind: 'cancelled', reason: 'consent_denied' } }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('You cancelled the connection in Xero. Nothing changed.')).toBeVisible();
  },
};

/** `?xero=error&code=CONNECT_SESSION_EXPIRED`: the round trip failed; the card says why, as an alert. */
export const ReturnFailed: Story = {
  name: 'Return from Xero: failed (session expired)',
  parameters: backend({ scenario: 'disconnected', arrive: { kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' } }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Connecting to Xero took too long');
  },
};

/** A reconnect that came back with another organisation (`XERO_TENANT_MISMATCH`). */
export const ReturnTenantMismatch: Story = {
  name: 'Return from Xero: failed (other organisation)',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant', arrive: { kind: 'failed', code: 'XERO_TENANT_MISMATCH' } }),
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('alert')).toBeVisible();
  },
};

/* ---- opened from a reconnect link ------------------------------------------------------------------ */

/**
 * The page opened from the link in the portal's email (a connection event's `reconnectUrl`) while
 * the connection needs reconnecting: the card comes into view, Reconnect has focus, and the status
 * says why. Nothing goes to Xero until the person presses it.
 */
export const ReconnectLinkNeedsReauth: Story = {
  name: 'Opened from a reconnect link: needs reconnecting',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant', reconnectLink: true }),
  play: async (context) => {
    const { canvas } = context;
    const reconnect = await canvas.findByRole('button', { name: 'Reconnect' });
    await waitFor(() => expect(reconnect).toHaveFocus());
    await expect(canvas.getByRole('status')).toHaveTextContent('You followed a link asking you to reconnect Xero Billing.');
    await expect(new URL(window.location.href).searchParams.get('xero')).toBeNull();
    await expect(xeroOf(context).navigate).not.toHaveBeenCalled();
  },
};

/** The same link once someone has reconnected already: the card says there is nothing to do, and takes no focus. */
export const ReconnectLinkConnected: Story = {
  name: 'Opened from a reconnect link: connected already',
  parameters: backend({ scenario: 'connected', reconnectLink: true }),
  play: async (context) => {
    const { canvas } = context;
    await expect(
      await canvas.findByText('You followed a link asking you to reconnect Xero Billing. It is connected now: there is nothing to do.'),
    ).toBeVisible();
    await expect(xeroOf(context).navigate).not.toHaveBeenCalled();
  },
};

/** The whole round trip with Cancel on Xero's consent screen: Connect → Xero (Cancel) → back, nothing changed. */
export const ConsentCancelledFlow: Story = {
  name: 'Connect, then Cancel in Xero (play)',
  parameters: backend({ scenario: 'consent_cancelled' }),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Connect to Xero' }));
    await expect(await canvas.findByText('You cancelled the connection in Xero. Nothing changed.', {}, { timeout: 3_000 })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Connect to Xero' })).toBeVisible();
  },
};

/* ---- people who may not change the connection ---------------------------------------------------- */

/** Replaces `window.open` for one story; the returned function puts it back. */
function stubWindowOpen(popup: () => Window | null): () => void {
  const original = window.open;
  window.open = () => popup();
  return () => {
    window.open = original;
  };
}

/** `mode="popup"` with `popupFallback="none"` and a browser that blocks pop-ups: the card says how to allow them. */
export const PopupBlocked: Story = {
  name: 'Pop-up: blocked',
  args: { mode: 'popup', popupFallback: 'none' },
  parameters: backend({ scenario: 'disconnected' }),
  beforeEach: () => stubWindowOpen(() => null),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Connect to Xero' }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Your browser blocked the Xero window.');
  },
};

/** `mode="popup"` and the user closes the Xero window without finishing: cancelled, not an error. */
export const PopupClosed: Story = {
  name: 'Pop-up: closed before finishing',
  args: { mode: 'popup' },
  parameters: backend({ scenario: 'disconnected' }),
  // A window that reads as closed at once, as a pop-up the user dismissed.
  beforeEach: () => stubWindowOpen(() => ({ closed: true, close() {}, focus() {}, location: { href: '' } }) as unknown as Window),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Connect to Xero' }));
    await expect(
      await canvas.findByText('The Xero window was closed before the connection finished. Nothing changed.', {}, { timeout: 5000 }),
    ).toBeVisible();
  },
};

/** `canManage={false}` after invalid_grant: no actions, and who to ask (a `mailto:` link from `adminContact`). */
export const CannotManageNeedsReauth: Story = {
  name: 'canManage=false: needs reauth',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  args: { canManage: false, adminContact: { name: 'Priya Shah', email: 'priya.shah@sunrisecare.example' } },
  play: async ({ canvas }) => {
    await expect(await canvas.findByText(/Ask an administrator/)).toBeVisible();
    await expect(canvas.getByRole('link', { name: /Priya Shah/ })).toHaveAttribute('href', expect.stringContaining('mailto:priya.shah@sunrisecare.example'));
    await expect(canvas.queryByRole('button', { name: 'Disconnect my account' })).toBeNull();
  },
};

/** `canManage={false}` while connected: the status without a Disconnect button. */
export const CannotManageConnected: Story = {
  name: 'canManage=false: connected',
  args: { canManage: false },
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Connected to Sunrise Care Group')).toBeVisible();
    await expect(canvas.queryByRole('button', { name: 'Disconnect' })).toBeNull();
  },
};

/* ---- composing from parts ------------------------------------------------------------------------ */

/**
 * A host's own card from the parts: its header (the title, a line of its own, the badge), then the
 * default status, details and actions, with a link of its own after the buttons. The recovery
 * still works by keyboard: Disconnect my account → Yes, disconnect → Set up Xero Billing again.
 */
export const Recomposed: Story = {
  name: 'Composed from parts (play)',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  render: (args) => (
    <XeroConnectionCardRoot {...args}>
      <header style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', gap: '0.25rem 0.75rem' }}>
        <XeroConnectionCardTitle />
        <XeroConnectionCardBadge />
        <p style={{ flexBasis: '100%', margin: 0 }}>Sends approved invoices to Xero every night.</p>
      </header>
      <XeroConnectionCardStatus />
      <XeroConnectionCardDetails />
      <XeroConnectionCardActions>
        <a href="#export-log">Export log</a>
      </XeroConnectionCardActions>
    </XeroConnectionCardRoot>
  ),
  play: async ({ canvas, canvasElement, userEvent, step, loaded }) => {
    const xero = xeroOf({ loaded });
    const body = page(canvasElement);

    await step("the host's header, the card's status", async () => {
      await expect(await canvas.findByText(/wasn't used for 60 days/)).toBeVisible();
      await expect(canvas.getByRole('region', { name: 'Xero Billing' })).toHaveAttribute('data-state', 'needs_reauth');
      await expect(canvas.getByText('Sends approved invoices to Xero every night.')).toBeVisible();
    });

    await step('Disconnect my account (Enter) → Yes, disconnect (Tab, Enter)', async () => {
      canvas.getByRole('button', { name: 'Disconnect my account' }).focus();
      await userEvent.keyboard('{Enter}');
      const dialog = within(await body.findByRole('alertdialog', { name: 'Disconnect Sunrise Care Group from Xero Billing?' }));
      await waitFor(() => expect(dialog.getByRole('button', { name: 'No, keep it' })).toHaveFocus());
      await userEvent.tab();
      await userEvent.keyboard('{Enter}');
      await expect(await canvas.findByText('Your Xero account has been disconnected.')).toBeVisible();
    });

    await step('focus on Set up Xero Billing again (Enter) → Xero (allow) → connected', async () => {
      await waitFor(() => expect(canvas.getByRole('button', { name: 'Set up Xero Billing again' })).toHaveFocus());
      await userEvent.keyboard('{Enter}');
      await waitFor(() => expect(xero.navigate).toHaveBeenCalledWith(expect.stringContaining(FAKE_AUTHORIZE_ORIGIN)));
      await expect(await canvas.findByText('You connected Sunrise Care Group to Xero Billing.', {}, { timeout: 3_000 })).toBeVisible();
    });
  },
};

/* ---- looks ----------------------------------------------------------------------------------------- */

/** The default stylesheet's dark theme (`data-theme="dark"` on <html>). */
export const Dark: Story = {
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  globals: { theme: 'dark' },
};

/**
 * A host's own look through the `--xc-*` custom properties only (stories/custom-theme.css), with
 * light and dark values.
 */
export const CustomTheme: Story = {
  parameters: backend({ scenario: 'expiring' }),
  decorators: [
    (Story) => (
      <div className="portal-brand-theme">
        <Story />
      </div>
    ),
  ],
};

/** A long organisation name wraps in the status, the details and the dialog's title. */
export const LongOrganisationName: Story = {
  parameters: backend({
    setup: (fake) => fake.setConnection(buildConnection('connected', { tenant: { ...demoTenant, tenantName: LONG_ORGANISATION } }, fake.now())),
  }),
  play: async ({ canvas, canvasElement, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect' }));
    const dialog = await page(canvasElement).findByRole('alertdialog', { name: `Disconnect ${LONG_ORGANISATION} from Xero Billing?` });
    await waitFor(() => expect(dialog).toBeVisible());
  },
};

/** Every string can be overridden through `messages` (here: German copy, with `locale` for dates). */
export const OverriddenMessages: Story = {
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  args: {
    title: 'Xero-Abrechnung',
    lang: 'de',
    locale: 'de-DE',
    messages: {
      'badge.needsReauth': 'Handlung erforderlich',
      'status.needsReauth.refresh_token_expired':
        'Die Verbindung zu Xero ist abgelaufen, weil sie {lifetimeDays} Tage nicht genutzt wurde. Exporte nach Xero ruhen, bis Sie sie erneuern.',
      'detail.organisation': 'Organisation',
      'detail.connectedSince': 'Verbunden seit',
      'detail.connectedBy': 'Verbunden von',
      'detail.lastUsed': 'Zuletzt genutzt',
      'action.disconnectMyAccount': 'Mein Konto trennen',
      'action.reconnect': 'Neu verbinden',
      'dialog.title': '{organisation} von {title} trennen?',
      'dialog.description': 'Exporte nach Xero ruhen, bis Sie wieder verbinden. In Xero wird nichts gelöscht.',
      'dialog.confirm': 'Ja, trennen',
      'dialog.cancel': 'Nein, behalten',
    },
  },
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('button', { name: 'Mein Konto trennen' })).toBeVisible();
  },
};

/** A phone-width page (320 px): the buttons stack. */
export const NarrowMobile: Story = {
  name: 'Narrow (mobile)',
  parameters: backend({ scenario: 'needs_reauth_invalid_grant' }),
  globals: { viewport: { value: 'mobile1', isRotated: false } },
  play: async ({ canvas, canvasElement }) => {
    const card = await canvas.findByRole('region', { name: 'Xero Billing' });
    await expect(await canvas.findByRole('button', { name: 'Disconnect my account' })).toBeVisible();
    // Nothing sticks out sideways at 320 px.
    await expect(canvasElement.ownerDocument.documentElement.clientWidth).toBeLessThanOrEqual(320);
    await expect(card.scrollWidth).toBeLessThanOrEqual(card.clientWidth);
  },
};
