import { forwardRef } from 'react';

import { XeroConnectionCardOrganisationPicker } from './card-organisation-picker';
import { XeroConnectionCardActions } from './xero-connection-card-actions';
import {
  XeroConnectionCardAdminNotice,
  XeroConnectionCardDetails,
  XeroConnectionCardError,
  XeroConnectionCardHeader,
  XeroConnectionCardOutcome,
  XeroConnectionCardStatus,
} from './xero-connection-card-parts';
import { XeroConnectionCardRoot, type XeroConnectionCardRootProps } from './xero-connection-card-root';

/** Props of {@link XeroConnectionCard}: the root's, without children. Other props go to the root `<section>`. */
export type XeroConnectionCardProps = Omit<XeroConnectionCardRootProps, 'children'>;

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCard
 * -----------------------------------------------------------------------------------------------*/

/**
 * A drop-in card for one integration's Xero connection: the status in words and as a badge, the
 * organisation, connected since and by whom, when it was last used, and the actions that fit the
 * state — connect, disconnect (through {@link DisconnectDialog}), reconnect, check the
 * connection, try again. Covers Xero certification's "Connection" checkpoint.
 *
 * After Xero's `invalid_grant` it explains what happened and walks the help page's path:
 * "Disconnect my account" → confirm → "Your Xero account has been disconnected" → "Set up
 * {title} again"; "Reconnect" does the same in one step.
 *
 * When the backend keeps the connection active on a schedule (contract 1.1's `keepAlive`) it says
 * so ("Kept active automatically — last refreshed 2 days ago") instead of an expiry warning, and
 * warns when that automatic refresh fails. When one consent in Xero covered several
 * organisations, or a reconnect came back with another one (`choosing_organisation`), it asks
 * which organisation to use with a radio group, or offers to keep the new one or try again.
 *
 * The root is a `<section>` named by the title, with `data-slot="xero-connection-card"`,
 * `data-state` (`loading | connected | expiring | needs_reauth | choosing_organisation |
 * disconnected | error`) and `data-reason` when there is one. Status changes are announced politely.
 * Must be used within `<XeroConnectionProvider>`.
 *
 * It is {@link XeroConnectionCardRoot} around every part in this order: header (title and
 * badge), status, details, outcome, organisation picker, admin notice, error, actions. Compose
 * those parts yourself for another layout.
 *
 * @example
 * ```tsx
 * <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">
 *   <XeroConnectionCard title="Xero Billing" onEvent={track} />
 * </XeroConnectionProvider>
 * ```
 */
export const XeroConnectionCard = /* @__PURE__ */ forwardRef<HTMLElement, XeroConnectionCardProps>(function XeroConnectionCard(props, ref) {
  return (
    <XeroConnectionCardRoot {...props} ref={ref}>
      <XeroConnectionCardHeader />
      <XeroConnectionCardStatus />
      <XeroConnectionCardDetails />
      <XeroConnectionCardOutcome />
      <XeroConnectionCardOrganisationPicker />
      <XeroConnectionCardAdminNotice />
      <XeroConnectionCardError />
      <XeroConnectionCardActions />
    </XeroConnectionCardRoot>
  );
});
