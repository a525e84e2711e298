import type { ReactNode, Ref } from 'react';

import type { ButtonVariant } from '../internal/style-hooks';
import { formatMessage } from '../messages';
import { CardButton, type CardButtonProps } from './card-button';
import type { XeroConnectionCardContextValue } from './xero-connection-card-context';

/** The card's buttons for the state, around the disconnect dialog: `before` it, its `trigger`, and `after` it. */
export interface CardActionButtons {
  before: ReactNode;
  trigger: ReactNode;
  after: ReactNode;
}

/** The buttons that fit the state, for the people who may use them. */
export function cardActionButtons(model: XeroConnectionCardContextValue): CardActionButtons {
  const { xero, messages, title, styled, actions, pickerFormId, justDisconnected, setUpAgainRef } = model;
  const { state, canManage } = xero;

  // Every card button shares its pending label and styling; `key` is its action, so a button that
  // stays across states (Reconnect) stays the same element and keeps focus.
  const working = formatMessage(messages, 'action.working');
  const button = (
    action: string,
    variant: ButtonVariant,
    label: string,
    props: Omit<CardButtonProps, 'action' | 'variant' | 'pendingLabel' | 'styled'> & { ref?: Ref<HTMLButtonElement> } = {},
  ) => (
    <CardButton key={action} action={action} variant={variant} pendingLabel={working} styled={styled} {...props}>
      {label}
    </CardButton>
  );
  const disconnectTrigger = (action: string, variant: ButtonVariant, label: string) =>
    button(action, variant, label, { pending: xero.isReconnecting });
  const reconnectButton = button('reconnect', 'secondary', formatMessage(messages, 'action.reconnect'), {
    pending: xero.isReconnecting,
    onClick: actions.reconnect,
  });

  let before: ReactNode = null;
  let trigger: ReactNode = null;
  let after: ReactNode = null;
  switch (state.status) {
    case 'loading':
      break;
    case 'connected':
    case 'expiring': {
      // Only GET /connections tells whether the organisation removed the app in Xero (refreshes
      // still work then), so the check is on offer whenever the connection looks fine; it is the
      // first thing to do when it is about to expire, or when the automatic refresh fails.
      const urgent = state.status === 'expiring' || state.connection.keepAlive?.failing === true;
      before = button('check-connection', urgent ? 'primary' : 'secondary', formatMessage(messages, 'action.checkConnection'), {
        pending: xero.isVerifying,
        onClick: actions.verify,
      });
      trigger = disconnectTrigger('disconnect', 'secondary', formatMessage(messages, 'action.disconnect'));
      break;
    }
    case 'choosing_organisation': {
      const only = state.organisations.length === 1 ? state.organisations[0] : undefined;
      const mismatch = state.reason === 'organisation_mismatch';
      if (only === undefined) {
        // Submits the picker's form (also reached by Enter on a radio).
        before = button('use-this-organisation', 'primary', formatMessage(messages, 'action.useThisOrganisation'), {
          type: 'submit',
          form: pickerFormId,
          pending: xero.isChoosingOrganisation,
        });
      } else {
        before = button(
          'use-organisation',
          'primary',
          formatMessage(messages, mismatch ? 'action.useOrganisationInstead' : 'action.useOrganisation', { organisation: only.tenantName }),
          { pending: xero.isChoosingOrganisation, onClick: () => actions.choose(only) },
        );
      }
      if (mismatch) {
        // reconnect(): disconnects, then goes back to Xero expecting the organisation connected
        // before. Keyed like Reconnect, so the same busy button stays (with focus) meanwhile.
        after = button('reconnect', 'secondary', formatMessage(messages, 'action.tryAgainInXero'), {
          pending: xero.isReconnecting,
          onClick: actions.reconnect,
        });
      } else {
        // The way out: disconnect, confirmed like any disconnect, since it removes the app in
        // Xero for every organisation the consent covered.
        trigger = disconnectTrigger('disconnect', 'secondary', formatMessage(messages, 'action.disconnect'));
      }
      break;
    }
    case 'needs_reauth':
      trigger = disconnectTrigger('disconnect-my-account', 'primary', formatMessage(messages, 'action.disconnectMyAccount'));
      after = reconnectButton;
      break;
    case 'disconnected':
      // Reconnect's first half (the DELETE) has landed and it is on its way to Xero: the same
      // busy Reconnect button, in the same place, so it keeps focus and a second click does nothing.
      if (xero.isReconnecting) {
        after = reconnectButton;
        break;
      }
      before = justDisconnected
        ? button('set-up-again', 'primary', formatMessage(messages, 'action.setUpAgain', { title }), {
            ref: setUpAgainRef,
            pending: xero.isConnecting,
            onClick: actions.connect,
          })
        : button('connect', 'primary', formatMessage(messages, 'action.connect'), {
            pending: xero.isConnecting,
            onClick: actions.connect,
          });
      break;
    case 'error':
      before = button('try-again', 'primary', formatMessage(messages, 'action.tryAgain'), {
        pending: xero.isVerifying,
        onClick: actions.retry,
      });
      break;
  }

  // Without the right to change the connection, no action but re-reading a failed read.
  if (!canManage) {
    trigger = null;
    after = null;
    if (!(state.status === 'error' && state.error)) before = null;
  }
  return { before, trigger, after };
}
