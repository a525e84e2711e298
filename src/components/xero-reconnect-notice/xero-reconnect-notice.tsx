'use client';
import {
  forwardRef,
  useEffect,
  useId,
  useRef,
  useState,
  type ComponentPropsWithoutRef,
  type ReactNode,
} from 'react';

import type { ConnectOutcome } from '../../client';
import type { ConnectedConnection, UseXeroConnectionOptions, XeroConnectionState } from '../../react/types';
import { useLatest } from '../../react/use-latest';
import { useXeroConnection } from '../../react/use-xero-connection';
import { useXeroConnectionContext } from '../../react/xero-connection-provider';
import { DisconnectDialog } from '../disconnect-dialog/disconnect-dialog';
import { describeErrorReason } from '../internal/describe-error-reason';
import { mergeClassNames } from '../internal/merge-class-names';
import { splitHookOptions } from '../internal/split-hook-options';
import { styledHook } from '../internal/style-hooks';
import { useDisconnectStep } from '../internal/use-disconnect-step';
import { useFocusFallback } from '../internal/use-focus-fallback';
import { reconnectLinkSentence, useReconnectLink } from '../internal/use-reconnect-link';
import { formatMessage, type XeroConnectionMessages } from '../messages';
import { useBaseProps, type CardHeadingLevel, type XeroConnectionBaseProps } from '../xero-connection-base-props';
import { CardAdminNotice } from '../xero-connection-card/card-admin-notice';
import { CardButton } from '../xero-connection-card/card-button';
import { describeOutcome } from '../xero-connection-card/describe-outcome';
import { describeState, type StatusSentence } from '../xero-connection-card/describe-state';
import { formatRetryTime } from './format-retry-time';
import { classifyProblem, receivedAt, type NoticeProblem } from './notice-problem';
import { clearReconnectMarker, readReconnectMarker, writeReconnectMarker } from './reconnect-marker';

/** Props of {@link XeroReconnectNotice}. Other props go to the root `<section>`. */
export interface XeroReconnectNoticeProps
  extends Omit<ComponentPropsWithoutRef<'section'>, 'title' | 'children' | 'onError'>,
    XeroConnectionBaseProps,
    Pick<UseXeroConnectionOptions, 'mode' | 'popupFallback' | 'canManage' | 'onEvent' | 'onError'> {
  /**
   * What the export answered: the problem body (`readXeroProblem(response)`), this package's
   * `XeroConnectionApiError`, or an error of your own that carries the body as `problem`. A
   * reconnect problem (`XERO_INVALID_GRANT`, `XERO_TENANT_NOT_FOUND`, `XERO_TENANT_MISMATCH`)
   * shows the recovery; a try-later one (`XERO_RATE_LIMITED`, `XERO_UNAVAILABLE`) says when to try
   * again. `null`, absent or any other problem renders nothing, unless a reconnect this notice
   * started has just come back.
   */
  problem?: unknown;
  /**
   * Called once when a reconnect started from this notice comes back connected: at once in
   * `popup` mode, after the page has loaded again in `redirect` mode. Read fresh each time.
   */
  onReconnected?: ((connection: ConnectedConnection) => void) | undefined;
  /**
   * Your **Retry export** control, shown once the connection is back (e.g. a button that runs the
   * export again with the same Idempotency-Key). `data-xc-button="primary"` gives it the default
   * look. Pass `null` once the retry has succeeded to leave just "connected again".
   */
  retryAction?: ReactNode;
}

/** What the notice shows; mirrored in `data-state`. */
type NoticeView = 'needs_reconnect' | 'not_connected' | 'disconnected' | 'reconnected' | 'retry_later';

/**
 * The notice's own part in the recovery: `started` once it sent the person to Xero (also read
 * back from sessionStorage after a redirect), `offered` when that ended without a connection
 * (cancelled in Xero, failed, or could not start), `reconnected` when it came back connected.
 */
type Recovery =
  | { phase: 'idle' }
  | { phase: 'started' }
  | { phase: 'offered'; outcome: ConnectOutcome | null }
  | { phase: 'reconnected'; connection: ConnectedConnection };

const IDLE: Recovery = { phase: 'idle' };
const STARTED: Recovery = { phase: 'started' };
const NAME = 'XeroReconnectNotice';

function isWorking(state: XeroConnectionState): state is Extract<XeroConnectionState, { status: 'connected' | 'expiring' }> {
  return state.status === 'connected' || state.status === 'expiring';
}

/** The title when Xero only asks to wait: when to try again, or "soon" without `retryAfterSeconds`. */
function retryLaterTitle(
  problem: Extract<NonNullable<NoticeProblem>, { kind: 'retry_later' }>,
  receivedAt: number,
  messages: XeroConnectionMessages,
  locale: string,
): string {
  const busy = problem.code === 'XERO_RATE_LIMITED';
  if (problem.retryAfterSeconds === null) {
    return formatMessage(messages, busy ? 'reconnectNotice.rateLimitedNoTime' : 'reconnectNotice.unavailableNoTime');
  }
  const time = formatRetryTime(new Date(receivedAt + problem.retryAfterSeconds * 1000), new Date(receivedAt), locale);
  return formatMessage(messages, busy ? 'reconnectNotice.rateLimited' : 'reconnectNotice.unavailable', { time });
}

/* -------------------------------------------------------------------------------------------------
 * XeroReconnectNotice
 * -----------------------------------------------------------------------------------------------*/

/**
 * The recovery where an export to Xero failed, for any page that exports. Give it what the
 * host's export route answered (`problem`):
 *
 * - **Reconnect needed** (`XERO_INVALID_GRANT`, `XERO_TENANT_NOT_FOUND`, `XERO_TENANT_MISMATCH`):
 *   "Xero Billing needs reconnecting before this export can run." with the card's reason (expired
 *   unused, removed in Xero), **Reconnect** (`reconnect()`: disconnect, then the round trip
 *   through Xero for the same organisation) and the help page's path, **Disconnect my account** →
 *   the same {@link DisconnectDialog} → **Set up Xero Billing again**. It also reads the connection
 *   again at once, so every card and hook of the integration shows the recovery too. Without
 *   `canManage`: "Ask an administrator to reconnect Xero Billing." and no recovery buttons.
 * - **Back from Xero**: "Xero Billing is connected again." with your `retryAction`, and
 *   `onReconnected`. A redirect reloads the page, so the notice leaves a small marker in
 *   sessionStorage (this tab, this integration, 30 minutes) when it sends the person to Xero: keep
 *   the notice rendered on the export page (with `problem={null}`) to show the return there.
 *   Cancelled or failed in Xero: it says so and keeps Reconnect.
 * - **Try later** (`XERO_RATE_LIMITED`, `XERO_UNAVAILABLE`): "Xero is busy: try this export again
 *   at 10:42 am." from `retryAfterSeconds`, on the browser's clock (the one on the person's
 *   screen). Never the recovery buttons.
 *
 * **Focus.** A problem is the answer to something the person just did, so when one is given (and
 * when the reconnect this notice started comes back, the person's own next step) focus moves to
 * the notice's title, which is described by its reason: screen readers read both. Later changes
 * are announced politely (`role="status"`), failures as alerts. After "Yes, disconnect" focus goes
 * to "Set up … again"; "No, keep it" returns it to "Disconnect my account". It never moves on an
 * ordinary page load: the notice renders nothing then.
 *
 * The root is a `<section>` named by its title, with `data-slot="xero-reconnect-notice"`,
 * `data-state` (`needs_reconnect | not_connected | disconnected | reconnected | retry_later`) and `data-code` (the
 * problem's code). Must be used within `<XeroConnectionProvider>`, like the card.
 *
 * @example
 * ```tsx
 * const [problem, setProblem] = useState<Problem | null>(null);
 * const exportInvoices = async () => {
 *   const response = await fetch('/api/exports/invoices', { method: 'POST', headers: { 'Idempotency-Key': key } });
 *   setProblem(await readXeroProblem(response));
 * };
 * <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">
 *   <button onClick={exportInvoices}>Export</button>
 *   <XeroReconnectNotice
 *     title="Xero Billing"
 *     problem={problem}
 *     retryAction={<button data-xc-button="primary" onClick={exportInvoices}>Retry export</button>}
 *   />
 * </XeroConnectionProvider>
 * ```
 */
export const XeroReconnectNotice = /* @__PURE__ */ forwardRef<HTMLElement, XeroReconnectNoticeProps>(function XeroReconnectNotice(
  props,
  ref,
) {
  const [base, rest] = useBaseProps(props);
  const { title, messages, overrides, locale, headingLevel, styled, adminContact, nonce } = base;
  const [hookOptions, { problem = null, onReconnected, retryAction, className, onFocus, ...sectionProps }] = splitHookOptions(rest);
  const connection = useXeroConnection(hookOptions);
  const { state, canManage, returnOutcome } = connection;
  const { client } = useXeroConnectionContext(NAME);
  const baseUrl = client.baseUrl;
  const classified = classifyProblem(problem);
  const baseId = useId();
  const titleId = `${baseId}-title`;
  const statusId = `${baseId}-status`;
  const onReconnectedRef = useLatest(onReconnected);

  // Lazily from the marker: after a redirect the page is new, and the marker says the round trip
  // was started here. (A server render has no marker; `started` alone renders as `idle` does.)
  const [recovery, setRecovery] = useState<Recovery>(() => (readReconnectMarker(baseUrl) ? STARTED : IDLE));
  const [handledOutcome, setHandledOutcome] = useState<ConnectOutcome | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const titleRef = useRef<HTMLHeadingElement | null>(null);
  const step = useDisconnectStep(connection, titleRef);
  // The "just disconnected" step belongs to that disconnection: it lasts while the status stays disconnected.
  const disconnectedNotice = step.notice;
  // Bumped whenever the notice has something new to say that answers the person's own action;
  // each bump moves focus to the title. 1 on mount when a problem is already given.
  const [announce, setAnnounce] = useState(() => (classified === null ? 0 : 1));
  const [seenProblem, setSeenProblem] = useState(problem);

  // A new problem supersedes whatever the notice said about the last one (a retry that failed
  // again says so, focused, even after "connected again").
  if (problem !== seenProblem) {
    setSeenProblem(problem);
    if (classified !== null) {
      setRecovery(IDLE);
      step.forget();
      setFailure(null);
      setAnnounce((count) => count + 1);
    }
  }

  /* ---- the connection and the return from Xero ------------------------------------------------ */

  // Every card and hook of the integration shows the recovery now, not at the next poll.
  const needsReconnect = classified?.kind === 'reconnect';
  // refresh() also tells the origin's other tabs, so none of them is left showing "Connected".
  const { refresh } = connection;
  useEffect(() => {
    if (needsReconnect) void refresh();
  }, [needsReconnect, problem, refresh]);

  // The round trip this notice started is back. "Connected" waits for the connection read after
  // the return; a connection still to choose an organisation for is the card's to finish.
  if (recovery.phase === 'started' && returnOutcome !== null && returnOutcome !== handledOutcome) {
    let next: Recovery | null = null;
    if (returnOutcome.kind !== 'connected' || state.status === 'choosing_organisation') next = { phase: 'offered', outcome: returnOutcome };
    else if (isWorking(state)) next = { phase: 'reconnected', connection: state.connection };
    if (next !== null) {
      setHandledOutcome(returnOutcome);
      setRecovery(next);
      setAnnounce((count) => count + 1);
    }
  }
  useEffect(() => {
    if (recovery.phase === 'offered' || recovery.phase === 'reconnected') clearReconnectMarker(baseUrl);
    if (recovery.phase === 'reconnected') onReconnectedRef.current?.(recovery.connection);
  }, [recovery, baseUrl, onReconnectedRef]);

  /* ---- what to show ----------------------------------------------------------------------------- */

  const pending = connection.isReconnecting || connection.isConnecting;
  const broken = state.status === 'needs_reauth' || state.status === 'disconnected';
  let view: NoticeView | null = null;
  if (recovery.phase === 'reconnected' && !broken) view = 'reconnected';
  else if (disconnectedNotice !== null && state.status === 'disconnected') view = 'disconnected';
  // Opened from a reconnect link while the connection needs someone: the recovery, as for a problem.
  else if (recovery.phase === 'offered' || needsReconnect || (connection.reconnectRequest !== null && broken) || (recovery.phase === 'started' && pending))
    view = 'needs_reconnect';
  else if (classified?.kind === 'retry_later') view = 'retry_later';
  // Never connected, or disconnected elsewhere: there is nothing to reconnect, only to connect.
  if (view === 'needs_reconnect' && state.status === 'disconnected' && !pending && recovery.phase === 'idle') view = 'not_connected';

  /* ---- focus ------------------------------------------------------------------------------------ */

  useEffect(() => {
    if (announce > 0) titleRef.current?.focus();
  }, [announce]);

  // Opened from a reconnect link: into view, focus on its button (the card does the same; the first takes it).
  useReconnectLink(connection, titleRef, 'xero-reconnect-notice-action');

  // A button that goes away with its step: back to the title.
  const handleFocus = useFocusFallback(titleRef, step.pendingFocusRef, onFocus);

  /* ---- actions ---------------------------------------------------------------------------------- */

  // Reconnect and Set up … again send the person to Xero: remember it, here and across a redirect.
  const startRoundTrip = (start: () => Promise<unknown>) => {
    setFailure(null);
    writeReconnectMarker(baseUrl);
    setRecovery(STARTED);
    start().catch((error: unknown) => {
      clearReconnectMarker(baseUrl);
      setRecovery({ phase: 'offered', outcome: null });
      setFailure(formatMessage(messages, 'notice.actionFailed', { reason: describeErrorReason(error, messages) }));
    });
  };
  const handleReconnect = () => startRoundTrip(() => connection.reconnect());
  const handleSetUpAgain = () => startRoundTrip(() => connection.connect());

  const description = describeState(state, {
    messages,
    title,
    notice: disconnectedNotice,
    locale,
    now: new Date(connection.updatedAt),
    canManage,
  });

  if (view === null) return null;

  /* ---- copy ------------------------------------------------------------------------------------- */

  let heading: string;
  let sentences: StatusSentence[] = [];
  let outcomeAlert: string | null = null;
  switch (view) {
    case 'reconnected':
      heading = formatMessage(messages, 'reconnectNotice.reconnected', { title });
      break;
    case 'retry_later':
      heading = retryLaterTitle(classified as Extract<NoticeProblem, { kind: 'retry_later' }>, receivedAt(problem as object), messages, locale);
      break;
    case 'not_connected':
      heading = formatMessage(messages, 'reconnectNotice.notConnected', { title });
      break;
    case 'disconnected':
      heading = formatMessage(messages, 'reconnectNotice.needsReconnect', { title });
      sentences = description.sentences;
      break;
    case 'needs_reconnect': {
      heading = formatMessage(messages, 'reconnectNotice.needsReconnect', { title });
      let outcome = recovery.phase === 'offered' && recovery.outcome?.kind !== 'connected' ? describeOutcome(recovery.outcome, state, messages, title) : null;
      // The card's "Nothing changed" is untrue here: the reconnect disconnected before it went to Xero.
      if (recovery.phase === 'offered' && recovery.outcome?.kind === 'cancelled' && state.status === 'disconnected') {
        outcome = { tone: 'status', text: formatMessage(messages, 'reconnectNotice.cancelledWhileDisconnected', { title }) };
      }
      if (outcome?.tone === 'alert') outcomeAlert = outcome.text;
      else if (outcome) sentences = [{ kind: 'outcome', text: outcome.text }];
      // The card's reason (expired unused, removed in Xero, revoked, which organisation to use).
      else if (state.status === 'needs_reauth' || state.status === 'choosing_organisation') sentences = description.sentences;
      break;
    }
  }

  // Why the page was opened, first; said only where the notice offers the recovery.
  const linkText = view === 'needs_reconnect' || view === 'not_connected' ? reconnectLinkSentence(connection, messages, title) : null;
  if (linkText !== null) sentences = [{ kind: 'reconnect-link', text: linkText }, ...sentences];

  /* ---- buttons ---------------------------------------------------------------------------------- */

  const working = formatMessage(messages, 'action.working');
  const actionSlot = { 'data-slot': 'xero-reconnect-notice-action' };
  let actions: ReactNode = null;
  let trigger: ReactNode = null;
  // The one primary action of each recovery view (the help page's "set up again" after its
  // disconnect, a first connection, or the reconnect); views without one have none.
  const primary =
    view === 'disconnected'
      ? { action: 'set-up-again', label: formatMessage(messages, 'action.setUpAgain', { title }), onClick: handleSetUpAgain, busy: connection.isConnecting }
      : view === 'not_connected'
        ? { action: 'connect', label: formatMessage(messages, 'action.connect'), onClick: handleSetUpAgain, busy: connection.isConnecting }
        : view === 'needs_reconnect'
          ? { action: 'reconnect', label: formatMessage(messages, 'action.reconnect'), onClick: handleReconnect, busy: pending }
          : null;
  if (view === 'reconnected') {
    actions = retryAction;
  } else if (canManage && primary !== null) {
    actions = (
      <CardButton
        key={primary.action}
        ref={primary.action === 'set-up-again' ? step.setUpAgainRef : undefined}
        action={primary.action}
        variant="primary"
        pendingLabel={working}
        styled={styled}
        pending={primary.busy}
        onClick={primary.onClick}
        {...actionSlot}
      >
        {primary.label}
      </CardButton>
    );
  }
  // Nothing to disconnect once the connection is gone (the reconnect's first half, or a disconnect elsewhere).
  if (canManage && view === 'needs_reconnect' && state.status !== 'disconnected') {
    trigger = (
      <CardButton action="disconnect-my-account" variant="secondary" pendingLabel={working} styled={styled} pending={pending} {...actionSlot}>
        {formatMessage(messages, 'action.disconnectMyAccount')}
      </CardButton>
    );
  }
  const askAdmin = !canManage && primary !== null;

  return (
    <section
      aria-labelledby={titleId}
      data-slot="xero-reconnect-notice"
      data-state={view}
      data-code={classified?.code}
      {...styledHook(styled)}
      {...sectionProps}
      ref={ref}
      className={mergeClassNames(className)}
      onFocus={handleFocus}
    >
      <NoticeTitle
        id={titleId}
        level={headingLevel}
        describedBy={sentences.length > 0 ? statusId : undefined}
        headingRef={titleRef}
        styled={styled}
      >
        {heading}
      </NoticeTitle>
      <div id={statusId} role="status" data-slot="xero-reconnect-notice-status" {...styledHook(styled)}>
        {sentences.map((sentence) => (
          <p key={sentence.kind} data-slot={`xero-reconnect-notice-${sentence.kind}`} {...styledHook(styled)}>
            {sentence.text}
          </p>
        ))}
      </div>
      {outcomeAlert !== null || failure !== null ? (
        <p role="alert" data-slot="xero-reconnect-notice-alert" {...styledHook(styled)}>
          {failure ?? outcomeAlert}
        </p>
      ) : null}
      {askAdmin ? (
        <CardAdminNotice
          title={title}
          adminContact={adminContact}
          messages={messages}
          styled={styled}
          ask={formatMessage(messages, view === 'not_connected' ? 'reconnectNotice.askAdminToConnect' : 'reconnectNotice.askAdmin', { title })}
        />
      ) : null}
      <div data-slot="xero-reconnect-notice-actions" {...styledHook(styled)}>
        {actions}
        {canManage && (view === 'needs_reconnect' || view === 'disconnected') ? (
          <DisconnectDialog
            {...step.dialogProps(description.organisation, () => setFailure(null))}
            integrationTitle={title}
            trigger={trigger}
            messages={overrides}
            unstyled={!styled}
            nonce={nonce}
          />
        ) : null}
      </div>
    </section>
  );
});

/** The notice's title: a heading that takes focus programmatically (`tabIndex={-1}`), not in the tab order. */
function NoticeTitle({
  id,
  level,
  describedBy,
  headingRef,
  styled,
  children,
}: {
  id: string;
  level: CardHeadingLevel;
  describedBy: string | undefined;
  headingRef: { current: HTMLHeadingElement | null };
  styled: boolean;
  children: string;
}): ReactNode {
  const Heading = `h${level}` as const;
  return (
    <Heading id={id} ref={headingRef} tabIndex={-1} aria-describedby={describedBy} data-slot="xero-reconnect-notice-title" {...styledHook(styled)}>
      {children}
    </Heading>
  );
}
