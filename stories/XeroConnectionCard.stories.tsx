import './custom-theme.css';

import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor, within } from 'storybook/test';

import { XeroConnectionCard } from '../src';
import { FAKE_AUTHORIZE_ORIGIN, buildConnection, demoTenant } from '../src/testing';
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
