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
  type FocusEvent,
  type ReactNode,
  type Ref,
} from 'react';

import type { Connection } from '../../client';
import type { UseXeroConnectionOptions, XeroConnectionState } from '../../react/types';
import { useIsomorphicLayoutEffect } from '../../react/use-latest';
import { useXeroConnection } from '../../react/use-xero-connection';
import { DisconnectDialog } from '../disconnect-dialog/disconnect-dialog';
import { describeErrorReason } from '../internal/describe-error-reason';
import { mergeClassNames } from '../internal/merge-class-names';
import { formatMessage, resolveMessages, type XeroConnectionMessages } from '../messages';
import { CardAdminNotice, type AdminContact } from './card-admin-notice';
import { CardButton, type CardButtonProps } from './card-button';
import { CardDetails } from './card-details';
import { CardHeader, type CardHeadingLevel } from './card-header';
import { CardStatus } from './card-status';
import { describeOutcome } from './describe-outcome';
import { describeState, type DisconnectedNotice } from './describe-state';
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
}

type CardAction = 'connect' | 'reconnect' | 'verify' | 'retry';

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
 * The root is a `<section>` named by the title, with `data-slot="xero-connection-card"`,
 * `data-state` (`loading | connected | expiring | needs_reauth | disconnected | error`) and
 * `data-reason` when there is one. Status changes are announced politely.
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
  const headingId = `${useId()}-title`;

  // UI-only state; the connection itself lives in the hook's cache.
  const [dialogOpen, setDialogOpen] = useState(false);
  // The organisation named in the dialog, fixed when it opens: the state becomes `disconnected`
  // (no organisation) before the dialog has closed.
  const [dialogOrganisation, setDialogOrganisation] = useState<string | null>(null);
  const [notice, setNotice] = useState<DisconnectedNotice | null>(null);
  const [failure, setFailure] = useState<{ action: CardAction; reason: string; status?: string } | null>(null);

  // The "just disconnected" notice is about this disconnection only: a connection made since ends it.
  const stale = notice !== null && state.status !== 'disconnected' && state.status !== 'loading';
  if (stale) setNotice(null);
  const shownNotice = state.status === 'disconnected' ? notice : null;

  // A failure is about the state it was shown in: remember that state on first render, and drop
  // the message once the status moves on (a refetch on focus, another tab), so "That didn't work"
  // never sits beside buttons it no longer applies to.
  if (failure && failure.status === undefined && state.status !== 'loading') {
    setFailure({ ...failure, status: state.status });
  } else if (failure?.status !== undefined && failure.status !== state.status && state.status !== 'loading') {
    setFailure(null);
  }

  const description = describeState(state, messages, title, shownNotice, locale);
  const outcome = describeOutcome(connection.returnOutcome, state, messages, title);
  const sentences =
    outcome?.tone === 'status' ? [...description.sentences, { kind: 'outcome' as const, text: outcome.text }] : description.sentences;
  const details = detailsConnection(state);

  /* ---- focus --------------------------------------------------------------------------------- */

  const headingRef = useRef<HTMLHeadingElement | null>(null);
  const setUpAgainRef = useRef<HTMLButtonElement | null>(null);
  const lastFocusedRef = useRef<HTMLElement | null>(null);
  const focusSetUpAgainRef = useRef(false);

  const setHeading = useCallback((element: HTMLHeadingElement | null) => {
    headingRef.current = element;
  }, []);

  const handleFocus = (event: FocusEvent<HTMLElement>) => {
    onFocus?.(event);
    // Portaled dialog content bubbles here through React too; only the card's own DOM counts.
    if (event.currentTarget.contains(event.target)) lastFocusedRef.current = event.target;
  };

  // A button that goes away with its state ("Try again" → loading, "Check connection" →
  // connected) would drop keyboard users on <body>; bring them back to the card's heading.
  useIsomorphicLayoutEffect(() => {
    const last = lastFocusedRef.current;
    if (!last || last.isConnected) return;
    lastFocusedRef.current = null;
    const active = document.activeElement;
    if ((active === null || active === document.body) && !focusSetUpAgainRef.current) headingRef.current?.focus();
  });

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

  /* ---- actions ------------------------------------------------------------------------------- */

  const run = (action: CardAction, start: () => Promise<unknown>) => {
    setFailure(null);
    start().catch((error: unknown) => setFailure({ action, reason: describeErrorReason(error, messages) }));
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

  const handleOpenChange = (open: boolean) => {
    if (open) {
      setFailure(null);
      setDialogOrganisation(description.organisation);
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
  switch (state.status) {
    case 'loading':
      break;
    case 'connected':
    case 'expiring':
      // Only GET /connections tells whether the organisation removed the app in Xero (refreshes
      // still work then), so the check is on offer whenever the connection looks fine; it is the
      // first thing to do when it is about to expire.
      before = button('check-connection', state.status === 'expiring' ? 'primary' : 'secondary', formatMessage(messages, 'action.checkConnection'), {
        pending: connection.isVerifying,
        onClick: handleVerify,
      });
      trigger = disconnectTrigger('disconnect', 'secondary', formatMessage(messages, 'action.disconnect'));
      break;
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
  const askAdmin = !canManage && (state.status === 'needs_reauth' || state.status === 'disconnected');

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
      {askAdmin ? <CardAdminNotice title={title} adminContact={adminContact} messages={messages} styled={styled} /> : null}
      {failure ? (
        <p role="alert" data-slot="xero-connection-card-alert" data-action={failure.action} {...styledHook(styled)}>
          {formatMessage(messages, 'notice.actionFailed', { reason: failure.reason })}
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
          onCloseAutoFocus={handleCloseAutoFocus}
        />
        {after}
      </div>
    </section>
  );
});
