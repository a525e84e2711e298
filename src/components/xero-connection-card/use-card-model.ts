import { useCallback, useEffect, useId, useRef, useState, type FocusEvent } from 'react';

import type { Connection, Tenant } from '../../client';
import type { UseXeroConnectionOptions, XeroConnectionState } from '../../react/types';
import { useXeroConnection } from '../../react/use-xero-connection';
import { describeErrorReason } from '../internal/describe-error-reason';
import { useDisconnectStep } from '../internal/use-disconnect-step';
import { useFocusFallback } from '../internal/use-focus-fallback';
import { reconnectLinkSentence, useReconnectLink } from '../internal/use-reconnect-link';
import { formatMessage } from '../messages';
import type { ResolvedBaseProps } from '../xero-connection-base-props';
import { describeOutcome } from './describe-outcome';
import { describeState, type StatusSentence } from './describe-state';
import { formatList } from './format-list';
import { inRun, type InRun } from '../internal/use-status-run';
import type { CardFailure, XeroConnectionCardContextValue } from './xero-connection-card-context';

/** The picker's round of choosing: the radio chosen, and how often "Use this organisation" was pressed without one. */
interface Picking {
  selected: string | null;
  attempts: number;
}
const NOT_PICKED: Picking = { selected: null, attempts: 0 };

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

/**
 * Everything the card's parts share, from the hook's state and a little of the card's own. The
 * card's UI state is kept with the status run it belongs to (see `useStatusRun`) and derived from
 * there, never reset: a failure, the picker's choice and the "you connected" line each last as
 * long as the status they were said about. The dialog and the "just disconnected" notice are the
 * disconnect step the notice walks too (`useDisconnectStep`).
 */
export function useCardModel(
  base: ResolvedBaseProps,
  hookOptions: UseXeroConnectionOptions,
  onFocus: ((event: FocusEvent<HTMLElement>) => void) | undefined,
): { model: XeroConnectionCardContextValue; handleFocus: (event: FocusEvent<HTMLElement>) => void } {
  const { title, messages, locale } = base;
  const xero = useXeroConnection(hookOptions);
  const { state, canManage } = xero;
  const baseId = useId();
  const headingId = `${baseId}-title`;
  const pickerFormId = `${baseId}-organisation`;

  const headingElementRef = useRef<HTMLHeadingElement | null>(null);
  const step = useDisconnectStep(xero, headingElementRef);
  const { current, runOf, setUpAgainRef } = step;

  // UI-only state; the connection itself lives in the hook's cache.
  const [failureInRun, setFailure] = useState<InRun<CardFailure> | null>(null);
  const [picking, setPicking] = useState<InRun<Picking> | null>(null);
  // The organisation just chosen in this card, to say "You connected … to …" once it shows connected.
  const [chosen, setChosen] = useState<InRun<string> | null>(null);

  const failure = inRun(failureInRun, current);
  const pick = inRun(picking, current) ?? NOT_PICKED;
  const chosenTenantId = inRun(chosen, current);
  const showsChosen = (state.status === 'connected' || state.status === 'expiring') && state.tenant.tenantId === chosenTenantId;

  const now = new Date(xero.updatedAt);
  const description = describeState(state, { messages, title, notice: step.notice, locale, now, canManage });
  const outcome = describeOutcome(xero.returnOutcome, state, messages, title);
  let outcomeText = outcome?.tone === 'status' ? outcome.text : null;
  if (outcomeText === null && showsChosen) {
    outcomeText = formatMessage(messages, 'outcome.connected', { organisation: state.tenant.tenantName, title });
  }
  const linkText = reconnectLinkSentence(xero, messages, title);
  // Why the page was opened (a reconnect link) comes first, then the status, then how a round trip ended.
  const sentences: StatusSentence[] = [
    ...(linkText === null ? [] : [{ kind: 'reconnect-link' as const, text: linkText }]),
    ...description.sentences,
    ...(outcomeText === null ? [] : [{ kind: 'outcome' as const, text: outcomeText }]),
  ];

  /* ---- focus --------------------------------------------------------------------------------- */

  const firstRadioRef = useRef<HTMLInputElement | null>(null);

  const headingRef = useCallback((element: HTMLHeadingElement | null) => {
    headingElementRef.current = element;
  }, []);

  // A button that goes away with its state ("Try again" → loading, "Check connection" →
  // connected): back to the card's heading.
  const handleFocus = useFocusFallback(headingElementRef, step.pendingFocusRef, onFocus);

  // Opened from a reconnect link: into view, focus on Reconnect (or what the state offers instead).
  useReconnectLink(xero, headingElementRef, 'xero-connection-card-action');

  // "Use this organisation" without a choice: into the group, whose radios now carry the reason.
  useEffect(() => {
    if (pick.attempts > 0) firstRadioRef.current?.focus();
  }, [pick.attempts]);

  /* ---- actions ------------------------------------------------------------------------------- */

  const run = (
    action: CardFailure['action'],
    start: () => Promise<unknown>,
    describe: (reason: string) => string = (reason) => formatMessage(messages, 'notice.actionFailed', { reason }),
  ) => {
    setFailure(null);
    start().catch((error: unknown) =>
      setFailure({ run: step.committedRun(), value: { action, text: describe(describeErrorReason(error, messages)) } }),
    );
  };

  const connect = () => run('connect', () => xero.connect());
  const reconnect = () => run('reconnect', () => xero.reconnect());
  const verify = () => run('verify', () => xero.verify());
  const retry = () => {
    if (state.status !== 'error') return;
    // A failed read is read again (the card shows "checking" meanwhile); an error the backend
    // reported is asked of Xero again, since reading the same answer back would change nothing.
    if (state.error) {
      setFailure(null);
      state.retry();
    } else {
      run('retry', () => xero.verify());
    }
  };

  const choose = (tenant: Tenant) =>
    run(
      'choose-organisation',
      async () => {
        await xero.chooseOrganisation(tenant.tenantId);
        setChosen({ run: runOf('connected', 'expiring'), value: tenant.tenantId });
      },
      (reason) => formatMessage(messages, 'notice.chooseOrganisationFailed', { organisation: tenant.tenantName, reason }),
    );
  const organisations = state.status === 'choosing_organisation' ? state.organisations : [];
  const selected = organisations.find((tenant) => tenant.tenantId === pick.selected) ?? null;
  const onSelect = (tenantId: string) => setPicking({ run: current.run, value: { selected: tenantId, attempts: 0 } });
  const onSubmit = () => {
    if (xero.isChoosingOrganisation) return;
    if (selected === null) {
      // Never a silent no-op: say what is missing, where it is missing.
      setFailure(null);
      setPicking((previous) => {
        const round = inRun(previous, current) ?? NOT_PICKED;
        return { run: current.run, value: { ...round, attempts: round.attempts + 1 } };
      });
      return;
    }
    choose(selected);
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

  const model: XeroConnectionCardContextValue = {
    ...base,
    xero,
    headingId,
    pickerFormId,
    description,
    sentences,
    details: detailsConnection(state),
    outcome,
    failure,
    justDisconnected: step.notice !== null,
    picker: {
      // A radio group when there is more than one organisation to choose from, for those who may choose.
      shown: canManage && state.status === 'choosing_organisation' && state.organisations.length !== 1,
      organisations,
      selected,
      error: pick.attempts > 0 && selected === null ? formatMessage(messages, 'picker.required') : null,
      onSelect,
      onSubmit,
      firstRadioRef,
    },
    // Where the connection needs someone to act, say who can.
    askAdmin: !canManage && (state.status === 'needs_reauth' || state.status === 'disconnected' || state.status === 'choosing_organisation'),
    // The organisation named in the dialog is fixed when it opens: the state becomes
    // `disconnected` (no organisation) before the dialog has closed.
    dialog: step.dialogProps(disconnectName, () => setFailure(null)),
    actions: { connect, reconnect, verify, retry, choose },
    headingRef,
    setUpAgainRef,
  };
  return { model, handleFocus };
}
