'use client';
import {
  forwardRef,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type ComponentPropsWithoutRef,
  type ReactNode,
  type Ref,
} from 'react';

import type { Connection, Tenant } from '../../client';
import type { UseXeroConnectionOptions, XeroConnectionState } from '../../react/types';
import { useXeroConnection } from '../../react/use-xero-connection';
import { DisconnectDialog } from '../disconnect-dialog/disconnect-dialog';
import { describeErrorReason } from '../internal/describe-error-reason';
import { mergeClassNames } from '../internal/merge-class-names';
import { useFocusFallback } from '../internal/use-focus-fallback';
import { formatMessage, resolveMessages, type XeroConnectionMessages } from '../messages';
import { CardAdminNotice, type AdminContact } from './card-admin-notice';
import { CardButton, type CardButtonProps } from './card-button';
import { CardDetails } from './card-details';
import { CardHeader, type CardHeadingLevel } from './card-header';
import { CardOrganisationPicker } from './card-organisation-picker';
import { CardStatus } from './card-status';
import { describeOutcome } from './describe-outcome';
import { describeState, type DisconnectedNotice } from './describe-state';
import { formatList } from './format-list';
import { styledHook, type ButtonVariant } from '../internal/style-hooks';

/** Props of {@link XeroConnectionCard}. Other props go to the root `<section>`. */
export interface XeroConnectionCardProps
  extends Omit<ComponentPropsWithoutRef<'section'>, 'title' | 'children' | keyof UseXeroConnectionOptions>,
    UseXeroConnectionOptions {
  /** The portal's name for the integration, e.g. "Xero Billing": the card's heading and part of its copy. */
  title: string;
  /** Overrides for any of the copy; the rest keep the English defaults. */
  messages?: Partial<XeroConnectionMessages> | undefined;
  /** The BCP 47 locale dates are written in (`Intl`). Default `en-AU`. */
  locale?: string | undefined;
  /** The title's heading level, to fit the host page's outline. Default 3. */
  headingLevel?: CardHeadingLevel | undefined;
  /**
   * Renders no styling hooks (`data-xc-styled`, `data-xc-button`), here and in the dialog, so the
   * default stylesheet leaves every part alone. `data-slot` and `data-state` stay for your own CSS.
   */
  unstyled?: boolean | undefined;
  /**
   * Who can fix the connection, shown with "Ask an administrator to reconnect Xero." when
   * `canManage` is `false`: a name, or `{ name, email }` for a `mailto:` link.
   */
  adminContact?: AdminContact | undefined;
  /** The page's CSP nonce for the dialog's scroll-lock style (see {@link DisconnectDialogRootProps.nonce}); not an attribute of the card. */
  nonce?: string | undefined;
}

type CardAction = 'connect' | 'reconnect' | 'verify' | 'retry' | 'choose-organisation';

/** The connection whose facts the details list shows, when the state has one worth showing. */
function detailsConnection(state: XeroConnectionState): Connection | null {
  switch (state.status) {
    case 'connected':
    case 'expiring':
    case 'needs_reauth':
      return state.connection;
    case 'error':
      return state.connection?.status === 'disconnected' ? null : state.connection;
    default:
      return null;
  }
}

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
 * @example
 * ```tsx
 * <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">
 *   <XeroConnectionCard title="Xero Billing" onEvent={track} />
 * </XeroConnectionProvider>
 * ```
 */
export const XeroConnectionCard = /* @__PURE__ */ forwardRef<HTMLElement, XeroConnectionCardProps>(function XeroConnectionCard(
  {
    title,
    messages: overrides,
    locale = 'en-AU',
    headingLevel = 3,
    unstyled = false,
    className,
    expiringWithinDays,
    onConnected,
    onDisconnected,
    onError,
    onEvent,
    mode,
    popupFallback,
    canManage: canManageProp,
    adminContact,
    onFocus,
    nonce,
    ...sectionProps
  },
  ref,
) {
  const connection = useXeroConnection({
    expiringWithinDays,
    onConnected,
    onDisconnected,
    onError,
    onEvent,
    mode,
    popupFallback,
    canManage: canManageProp,
  });
  const { state, canManage } = connection;
  const styled = !unstyled;
  const messages = useMemo(() => resolveMessages(overrides), [overrides]);
  const baseId = useId();
  const headingId = `${baseId}-title`;
  const pickerFormId = `${baseId}-organisation`;

  // UI-only state; the connection itself lives in the hook's cache.
  const [dialogOpen, setDialogOpen] = useState(false);
  // The organisation named in the dialog, fixed when it opens: the state becomes `disconnected`
  // (no organisation) before the dialog has closed.
  const [dialogOrganisation, setDialogOrganisation] = useState<string | null>(null);
  const [notice, setNotice] = useState<DisconnectedNotice | null>(null);
  const [failure, setFailure] = useState<{ action: CardAction; text: string; status?: string } | null>(null);
  // The organisation picker's choice, kept across a failed attempt; `pickerAttempts` counts the
  // presses of "Use this organisation" without a choice (each one says why and focuses the group).
  const [selectedTenantId, setSelectedTenantId] = useState<string | null>(null);
  const [pickerAttempts, setPickerAttempts] = useState(0);
  // The organisation just chosen in this card, to say "You connected … to …" once it shows connected.
  const [chosenTenantId, setChosenTenantId] = useState<string | null>(null);

  // The "just disconnected" notice is about this disconnection only: a connection made since ends it.
  const stale = notice !== null && state.status !== 'disconnected' && state.status !== 'loading';
  if (stale) setNotice(null);
  const shownNotice = state.status === 'disconnected' ? notice : null;

  // The picker's choice belongs to this round of choosing; the "you connected" line to the
  // connection it made. Both go once the status moves elsewhere.
  const settled = state.status !== 'loading';
  if (settled && state.status !== 'choosing_organisation' && (selectedTenantId !== null || pickerAttempts !== 0)) {
    setSelectedTenantId(null);
    setPickerAttempts(0);
  }
  const showsChosen =
    (state.status === 'connected' || state.status === 'expiring') && chosenTenantId !== null && state.tenant.tenantId === chosenTenantId;
  if (settled && chosenTenantId !== null && !showsChosen && state.status !== 'choosing_organisation') setChosenTenantId(null);

  // A failure is about the state it was shown in: remember that state on first render, and drop
  // the message once the status moves on (a refetch on focus, another tab), so "That didn't work"
  // never sits beside buttons it no longer applies to.
  if (failure && failure.status === undefined && state.status !== 'loading') {
    setFailure({ ...failure, status: state.status });
  } else if (failure?.status !== undefined && failure.status !== state.status && state.status !== 'loading') {
    setFailure(null);
  }

  const now = new Date(connection.updatedAt);
  const description = describeState(state, { messages, title, notice: shownNotice, locale, now, canManage });
  const outcome = describeOutcome(connection.returnOutcome, state, messages, title);
  let outcomeText = outcome?.tone === 'status' ? outcome.text : null;
  if (outcomeText === null && showsChosen) {
    outcomeText = formatMessage(messages, 'outcome.connected', { organisation: state.tenant.tenantName, title });
  }
  const sentences = outcomeText === null ? description.sentences : [...description.sentences, { kind: 'outcome' as const, text: outcomeText }];
  const details = detailsConnection(state);

  /* ---- focus --------------------------------------------------------------------------------- */

  const headingRef = useRef<HTMLHeadingElement | null>(null);
  const firstRadioRef = useRef<HTMLInputElement | null>(null);
  const setUpAgainRef = useRef<HTMLButtonElement | null>(null);
  const focusSetUpAgainRef = useRef(false);

  const setHeading = useCallback((element: HTMLHeadingElement | null) => {
    headingRef.current = element;
  }, []);

  // A button that goes away with its state ("Try again" → loading, "Check connection" →
  // connected): back to the card's heading.
  const handleFocus = useFocusFallback(headingRef, focusSetUpAgainRef, onFocus);

  // After a disconnect the dialog's trigger is gone: focus goes to the next step instead.
  const focusNextStep = useCallback((): boolean => {
    const target = setUpAgainRef.current ?? headingRef.current;
    if (!target) return false;
    target.focus();
    focusSetUpAgainRef.current = false;
    return true;
  }, []);
  useEffect(() => {
    if (focusSetUpAgainRef.current && !dialogOpen && shownNotice) focusNextStep();
  }, [dialogOpen, shownNotice, focusNextStep]);

  // "Use this organisation" without a choice: into the group, whose radios now carry the reason.
  useEffect(() => {
    if (pickerAttempts > 0) firstRadioRef.current?.focus();
  }, [pickerAttempts]);

  /* ---- actions ------------------------------------------------------------------------------- */

  const run = (
    action: CardAction,
    start: () => Promise<unknown>,
    describe: (reason: string) => string = (reason) => formatMessage(messages, 'notice.actionFailed', { reason }),
  ) => {
    setFailure(null);
    start().catch((error: unknown) => setFailure({ action, text: describe(describeErrorReason(error, messages)) }));
  };

  const handleConnect = () => run('connect', () => connection.connect());
  const handleReconnect = () => run('reconnect', () => connection.reconnect());
  const handleVerify = () => run('verify', () => connection.verify());
  const handleRetry = () => {
    if (state.status !== 'error') return;
    // A failed read is read again (the card shows "checking" meanwhile); an error the backend
    // reported is asked of Xero again, since reading the same answer back would change nothing.
    if (state.error) {
      setFailure(null);
      state.retry();
    } else {
      run('retry', () => connection.verify());
    }
  };

  const handleChoose = (tenant: Tenant) =>
    run(
      'choose-organisation',
      async () => {
        await connection.chooseOrganisation(tenant.tenantId);
        setChosenTenantId(tenant.tenantId);
      },
      (reason) => formatMessage(messages, 'notice.chooseOrganisationFailed', { organisation: tenant.tenantName, reason }),
    );
  const organisations = state.status === 'choosing_organisation' ? state.organisations : [];
  const selected = organisations.find((tenant) => tenant.tenantId === selectedTenantId) ?? null;
  const handleSelect = (tenantId: string) => {
    setSelectedTenantId(tenantId);
    setPickerAttempts(0);
  };
  const handlePickerSubmit = () => {
    if (connection.isChoosingOrganisation) return;
    if (selected === null) {
      // Never a silent no-op: say what is missing, where it is missing.
      setFailure(null);
      setPickerAttempts((attempts) => attempts + 1);
      return;
    }
    handleChoose(selected);
  };

  // While choosing, the disconnect removes every organisation the consent covered: the dialog names them all.
  const disconnectName =
    state.status === 'choosing_organisation'
      ? formatList(
          state.organisations.map((tenant) => tenant.tenantName),
          locale,
          'conjunction',
        )
      : description.organisation;

  const handleOpenChange = (open: boolean) => {
    if (open) {
      setFailure(null);
      setDialogOrganisation(disconnectName);
      connection.track({ type: 'disconnect_requested' });
    }
    setDialogOpen(open);
  };
  const handleCancel = () => connection.track({ type: 'disconnect_cancelled' });
  const handleConfirm = async () => {
    const result = await connection.disconnect();
    focusSetUpAgainRef.current = true;
    setNotice({ remoteRemoved: result.remoteRemoved });
  };
  const handleCloseAutoFocus = (event: Event) => {
    if (!focusSetUpAgainRef.current) return;
    // Radix would return focus to the trigger, which went away with the old state.
    event.preventDefault();
    focusNextStep();
  };

  /* ---- buttons ------------------------------------------------------------------------------- */

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
    button(action, variant, label, { pending: connection.isReconnecting });
  const reconnectButton = button('reconnect', 'secondary', formatMessage(messages, 'action.reconnect'), {
    pending: connection.isReconnecting,
    onClick: handleReconnect,
  });

  let before: ReactNode = null;
  let trigger: ReactNode = null;
  let after: ReactNode = null;
  // The radio group, when there is more than one organisation to choose from.
  let picker = false;
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
        pending: connection.isVerifying,
        onClick: handleVerify,
      });
      trigger = disconnectTrigger('disconnect', 'secondary', formatMessage(messages, 'action.disconnect'));
      break;
    }
    case 'choosing_organisation': {
      const only = state.organisations.length === 1 ? state.organisations[0] : undefined;
      const mismatch = state.reason === 'organisation_mismatch';
      picker = only === undefined;
      if (only === undefined) {
        // Submits the picker's form (also reached by Enter on a radio).
        before = button('use-this-organisation', 'primary', formatMessage(messages, 'action.useThisOrganisation'), {
          type: 'submit',
          form: pickerFormId,
          pending: connection.isChoosingOrganisation,
        });
      } else {
        before = button(
          'use-organisation',
          'primary',
          formatMessage(messages, mismatch ? 'action.useOrganisationInstead' : 'action.useOrganisation', { organisation: only.tenantName }),
          { pending: connection.isChoosingOrganisation, onClick: () => handleChoose(only) },
        );
      }
      if (mismatch) {
        // reconnect(): disconnects, then goes back to Xero expecting the organisation connected
        // before. Keyed like Reconnect, so the same busy button stays (with focus) meanwhile.
        after = button('reconnect', 'secondary', formatMessage(messages, 'action.tryAgainInXero'), {
          pending: connection.isReconnecting,
          onClick: handleReconnect,
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
      if (connection.isReconnecting) {
        after = reconnectButton;
        break;
      }
      before = shownNotice
        ? button('set-up-again', 'primary', formatMessage(messages, 'action.setUpAgain', { title }), {
            ref: setUpAgainRef,
            pending: connection.isConnecting,
            onClick: handleConnect,
          })
        : button('connect', 'primary', formatMessage(messages, 'action.connect'), {
            pending: connection.isConnecting,
            onClick: handleConnect,
          });
      break;
    case 'error':
      before = button('try-again', 'primary', formatMessage(messages, 'action.tryAgain'), {
        pending: connection.isVerifying,
        onClick: handleRetry,
      });
      break;
  }

  // Without the right to change the connection, no action but re-reading a failed read; where
  // the connection needs someone to act, say who can.
  if (!canManage) {
    trigger = null;
    after = null;
    if (!(state.status === 'error' && state.error)) before = null;
  }
  if (!canManage) picker = false;
  const askAdmin =
    !canManage && (state.status === 'needs_reauth' || state.status === 'disconnected' || state.status === 'choosing_organisation');

  const reason = 'reason' in state ? state.reason : null;

  return (
    <section
      aria-labelledby={headingId}
      aria-busy={state.status === 'loading' || undefined}
      data-slot="xero-connection-card"
      data-state={state.status}
      data-reason={reason ?? undefined}
      {...styledHook(styled)}
      {...sectionProps}
      ref={ref}
      className={mergeClassNames(className)}
      onFocus={handleFocus}
    >
      <CardHeader
        headingId={headingId}
        headingLevel={headingLevel}
        title={title}
        badge={description.badge}
        status={state.status}
        styled={styled}
        headingRef={setHeading}
      />
      <CardStatus sentences={sentences} status={state.status} styled={styled} />
      {details ? (
        <CardDetails
          connection={details}
          organisation={description.organisation}
          messages={messages}
          locale={locale}
          now={new Date(connection.updatedAt)}
          styled={styled}
        />
      ) : null}
      {outcome?.tone === 'alert' ? (
        <p role="alert" data-slot="xero-connection-card-alert" data-outcome={connection.returnOutcome?.kind} {...styledHook(styled)}>
          {outcome.text}
        </p>
      ) : null}
      {picker ? (
        <CardOrganisationPicker
          formId={pickerFormId}
          legend={formatMessage(messages, 'picker.legend', { title })}
          organisations={organisations}
          selected={selected?.tenantId ?? null}
          onSelect={handleSelect}
          onSubmit={handlePickerSubmit}
          error={pickerAttempts > 0 && selected === null ? formatMessage(messages, 'picker.required') : null}
          busy={connection.isChoosingOrganisation}
          firstRadioRef={firstRadioRef}
          messages={messages}
          styled={styled}
        />
      ) : null}
      {askAdmin ? (
        <CardAdminNotice
          title={title}
          adminContact={adminContact}
          messages={messages}
          styled={styled}
          // The status already says an administrator has to choose.
          ask={state.status === 'choosing_organisation' ? null : undefined}
        />
      ) : null}
      {failure ? (
        <p role="alert" data-slot="xero-connection-card-alert" data-action={failure.action} {...styledHook(styled)}>
          {failure.text}
        </p>
      ) : null}
      <div data-slot="xero-connection-card-actions" {...styledHook(styled)}>
        {before}
        <DisconnectDialog
          key="disconnect-dialog"
          open={dialogOpen}
          onOpenChange={handleOpenChange}
          organisationName={dialogOrganisation}
          integrationTitle={title}
          onConfirm={handleConfirm}
          onCancel={handleCancel}
          trigger={trigger}
          messages={overrides}
          unstyled={unstyled}
          nonce={nonce}
          onCloseAutoFocus={handleCloseAutoFocus}
        />
        {after}
      </div>
    </section>
  );
});
