import { forwardRef, useCallback, type ComponentPropsWithoutRef } from 'react';

import { assignRefs } from '../internal/compose-refs';
import { styledHook } from '../internal/style-hooks';
import { CardAdminNotice } from './card-admin-notice';
import { CardDetailRows } from './card-details';
import { useXeroConnectionCardContext } from './xero-connection-card-context';

// The card's parts, in the order the assembled card renders them. Each renders one element (or
// nothing when its state has nothing to show), spreads the rest of its props after its own (so the
// caller's `className` and attributes win) and forwards its ref. The parts set no class of their
// own, so none is merged. The organisation picker and the actions have files of their own.

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardHeader
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardHeader}. */
export type XeroConnectionCardHeaderProps = ComponentPropsWithoutRef<'div'>;

/**
 * Lays out the title and the badge (`data-slot="xero-connection-card-header"`). Without children
 * it holds {@link XeroConnectionCardTitle} and {@link XeroConnectionCardBadge}; children replace
 * them, so to add your own (a logo, a link to the integration's settings) put those two parts
 * among your children.
 */
export const XeroConnectionCardHeader = /* @__PURE__ */ forwardRef<HTMLDivElement, XeroConnectionCardHeaderProps>(
  function XeroConnectionCardHeader({ children, ...props }, ref) {
    const { styled } = useXeroConnectionCardContext('XeroConnectionCardHeader');
    return (
      <div data-slot="xero-connection-card-header" {...styledHook(styled)} {...props} ref={ref}>
        {children ?? (
          <>
            <XeroConnectionCardTitle />
            <XeroConnectionCardBadge />
          </>
        )}
      </div>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardTitle
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardTitle}. */
export type XeroConnectionCardTitleProps = Omit<ComponentPropsWithoutRef<'h2'>, 'id'>;

/**
 * The card's heading, at the root's `headingLevel`, showing its `title` unless given children.
 * It names the card (the root's `aria-labelledby`), so keep it in every composition. It can take
 * focus programmatically (`tabIndex={-1}`), not by Tab: focus comes here when the focused button
 * goes away with its state.
 */
export const XeroConnectionCardTitle = /* @__PURE__ */ forwardRef<HTMLHeadingElement, XeroConnectionCardTitleProps>(
  function XeroConnectionCardTitle({ children, ...props }, ref) {
    const { styled, title, headingId, headingLevel, headingRef } = useXeroConnectionCardContext('XeroConnectionCardTitle');
    const setRefs = useCallback((element: HTMLHeadingElement | null) => assignRefs(element, headingRef, ref), [headingRef, ref]);
    const Heading = `h${headingLevel}` as const;
    return (
      <Heading
        id={headingId}
        tabIndex={-1}
        data-slot="xero-connection-card-title"
        {...styledHook(styled)}
        {...props}
        ref={setRefs}
      >
        {children ?? title}
      </Heading>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardBadge
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardBadge}. */
export type XeroConnectionCardBadgeProps = ComponentPropsWithoutRef<'span'>;

/**
 * The status in a word or two ("Connected", "Action needed"), with `data-state` for its colour.
 * Shows the state's badge message unless given children. Not a live region: the status says the
 * same in full.
 */
export const XeroConnectionCardBadge = /* @__PURE__ */ forwardRef<HTMLSpanElement, XeroConnectionCardBadgeProps>(
  function XeroConnectionCardBadge({ children, ...props }, ref) {
    const { styled, xero, description } = useXeroConnectionCardContext('XeroConnectionCardBadge');
    return (
      <span
        data-slot="xero-connection-card-badge"
        data-state={xero.state.status}
        {...styledHook(styled)}
        {...props}
        ref={ref}
      >
        {children ?? description.badge}
      </span>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardStatus
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardStatus}. Its content is the status itself. */
export type XeroConnectionCardStatusProps = Omit<ComponentPropsWithoutRef<'div'>, 'children' | 'role'>;

/**
 * The status in words, one `<p>` per sentence (`data-slot="xero-connection-card-<kind>"`: the
 * status, keep-alive, expiry, the disconnect notice, a hint, how the round trip ended), and the
 * card's polite live region (`role="status"`): screen readers read the new sentences whenever the
 * status changes. Always rendered, so the region exists before its first change; keep it in every
 * composition.
 */
export const XeroConnectionCardStatus = /* @__PURE__ */ forwardRef<HTMLDivElement, XeroConnectionCardStatusProps>(
  function XeroConnectionCardStatus(props, ref) {
    const { styled, xero, sentences } = useXeroConnectionCardContext('XeroConnectionCardStatus');
    return (
      <div
        role="status"
        data-slot="xero-connection-card-status"
        data-state={xero.state.status}
        {...styledHook(styled)}
        {...props}
        ref={ref}
      >
        {sentences.map((sentence) => (
          <p key={sentence.kind} data-slot={`xero-connection-card-${sentence.kind}`} {...styledHook(styled)}>
            {sentence.text}
          </p>
        ))}
      </div>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardDetails
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardDetails}. Its content is the connection's facts. */
export type XeroConnectionCardDetailsProps = Omit<ComponentPropsWithoutRef<'dl'>, 'children'>;

/**
 * The facts about the connection as a description list: the organisation, connected since, by
 * whom, and when it was last used (dates in the root's `locale`, "2 days ago" measured on the
 * backend's clock). Renders nothing when the state has no connection worth describing (loading,
 * not connected, choosing the organisation).
 */
export const XeroConnectionCardDetails = /* @__PURE__ */ forwardRef<HTMLDListElement, XeroConnectionCardDetailsProps>(
  function XeroConnectionCardDetails(props, ref) {
    const { styled, details, description, messages, locale, xero } = useXeroConnectionCardContext('XeroConnectionCardDetails');
    if (details === null) return null;
    return (
      <dl data-slot="xero-connection-card-details" {...styledHook(styled)} {...props} ref={ref}>
        <CardDetailRows
          connection={details}
          organisation={description.organisation}
          messages={messages}
          locale={locale}
          now={new Date(xero.updatedAt)}
          styled={styled}
        />
      </dl>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardOutcome
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardOutcome}. */
export type XeroConnectionCardOutcomeProps = Omit<ComponentPropsWithoutRef<'p'>, 'role'>;

/**
 * Says why the last round trip through Xero failed (`role="alert"`, with `data-outcome`): a
 * blocked pop-up, a session that expired, another organisation than expected. Renders nothing
 * otherwise; a successful or cancelled round trip is said politely in the status. Shows the
 * outcome's message unless given children.
 */
export const XeroConnectionCardOutcome = /* @__PURE__ */ forwardRef<HTMLParagraphElement, XeroConnectionCardOutcomeProps>(
  function XeroConnectionCardOutcome({ children, ...props }, ref) {
    const { styled, outcome, xero } = useXeroConnectionCardContext('XeroConnectionCardOutcome');
    if (outcome?.tone !== 'alert') return null;
    return (
      <p
        role="alert"
        data-slot="xero-connection-card-alert"
        data-outcome={xero.returnOutcome?.kind}
        {...styledHook(styled)}
        {...props}
        ref={ref}
      >
        {children ?? outcome.text}
      </p>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardAdminNotice
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardAdminNotice}: a `<div>`'s. */
export type XeroConnectionCardAdminNoticeProps = Omit<ComponentPropsWithoutRef<'div'>, 'title' | 'children'>;

/**
 * For people who may not change the connection (`canManage={false}`) when it needs someone to
 * act: "Ask an administrator to reconnect Xero.", the root's `adminContact`, and a button that
 * copies this page's link for them. Renders nothing otherwise.
 */
export const XeroConnectionCardAdminNotice = /* @__PURE__ */ forwardRef<HTMLDivElement, XeroConnectionCardAdminNoticeProps>(
  function XeroConnectionCardAdminNotice(props, ref) {
    const { styled, askAdmin, title, adminContact, messages, xero } = useXeroConnectionCardContext('XeroConnectionCardAdminNotice');
    if (!askAdmin) return null;
    return (
      <CardAdminNotice
        {...props}
        ref={ref}
        title={title}
        adminContact={adminContact}
        messages={messages}
        styled={styled}
        // The status already says an administrator has to choose.
        ask={xero.state.status === 'choosing_organisation' ? null : undefined}
      />
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardError
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link XeroConnectionCardError}. */
export type XeroConnectionCardErrorProps = Omit<ComponentPropsWithoutRef<'p'>, 'role'>;

/**
 * Says that the last action failed and why ("That didn't work: Xero is not answering right
 * now."), as an alert with `data-action` naming the action. It lasts as long as the status it
 * failed in; starting another action, or the status moving on, removes it. Renders nothing
 * otherwise. Shows the failure's message unless given children.
 */
export const XeroConnectionCardError = /* @__PURE__ */ forwardRef<HTMLParagraphElement, XeroConnectionCardErrorProps>(
  function XeroConnectionCardError({ children, ...props }, ref) {
    const { styled, failure } = useXeroConnectionCardContext('XeroConnectionCardError');
    if (failure === null) return null;
    return (
      <p
        role="alert"
        data-slot="xero-connection-card-alert"
        data-action={failure.action}
        {...styledHook(styled)}
        {...props}
        ref={ref}
      >
        {children ?? failure.text}
      </p>
    );
  },
);
