import { forwardRef, type ComponentPropsWithoutRef } from 'react';

import { DisconnectDialog } from '../disconnect-dialog/disconnect-dialog';
import { styledHook } from '../internal/style-hooks';
import { cardActionButtons } from './card-action-buttons';
import { useXeroConnectionCardContext } from './xero-connection-card-context';

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardActions
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardActions}. `children` come after the card's own buttons. */
export type XeroConnectionCardActionsProps = ComponentPropsWithoutRef<'div'>;

/**
 * The buttons that fit the state (`data-slot="xero-connection-card-actions"`): Connect, Check
 * connection, Disconnect through the {@link DisconnectDialog} (its confirmation, progress and
 * failure), Reconnect, Set up again, Use this organisation, Try again. Each button keeps its
 * element, and so keyboard focus, while it works; after a disconnect focus goes to "Set up …
 * again". Without `canManage` it holds only "Try again" after a failed read. Your own `children`
 * (a link to the export log, say) follow the card's buttons.
 */
export const XeroConnectionCardActions = /* @__PURE__ */ forwardRef<HTMLDivElement, XeroConnectionCardActionsProps>(
  function XeroConnectionCardActions({ children, ...props }, ref) {
    const model = useXeroConnectionCardContext('XeroConnectionCardActions');
    const { styled, dialog, title, overrides, nonce } = model;
    const { before, trigger, after } = cardActionButtons(model);
    return (
      <div data-slot="xero-connection-card-actions" {...styledHook(styled)} {...props} ref={ref}>
        {before}
        <DisconnectDialog
          key="disconnect-dialog"
          {...dialog}
          integrationTitle={title}
          trigger={trigger}
          messages={overrides}
          unstyled={!styled}
          nonce={nonce}
        />
        {after}
        {children}
      </div>
    );
  },
);
