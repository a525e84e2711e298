import type { ConnectOutcome } from '../../client';
import type { XeroConnectionState } from '../../react/types';
import { describeErrorCode } from '../internal/describe-error-reason';
import { formatMessage, type XeroConnectionMessages } from '../messages';

/** How the card words a round trip's outcome: a polite sentence, or an alert for a failure. */
export type OutcomeDescription = { tone: 'status'; text: string } | { tone: 'alert'; text: string };

function failureText(code: Extract<ConnectOutcome, { kind: 'failed' }>['code'], messages: XeroConnectionMessages): string {
  switch (code) {
    case 'CONNECT_SESSION_EXPIRED':
      return formatMessage(messages, 'outcome.sessionExpired');
    case 'STATE_MISMATCH':
      return formatMessage(messages, 'outcome.stateMismatch');
    case 'XERO_TENANT_MISMATCH':
      return formatMessage(messages, 'outcome.tenantMismatch');
    case 'XERO_CONNECTION_LIMIT':
      return formatMessage(messages, 'outcome.connectionLimit');
    default:
      // The same reason sentence an API error with this code gets.
      return formatMessage(messages, 'outcome.failed', { reason: describeErrorCode(code, messages) });
  }
}

/**
 * The card's words for how the round trip ended, or `null` when there is nothing to say in this
 * state: nothing while loading; "connected" is only said while the connection shows as connected (a later change makes
 * it stale); being cancelled is not an error, so it is said politely; failures are alerts.
 */
export function describeOutcome(
  outcome: ConnectOutcome | null,
  state: XeroConnectionState,
  messages: XeroConnectionMessages,
  title: string,
): OutcomeDescription | null {
  // Said with the status it is about, not over "Checking…" while the status is read again.
  if (outcome === null || state.status === 'loading') return null;
  switch (outcome.kind) {
    case 'connected':
      if (state.status !== 'connected' && state.status !== 'expiring') return null;
      return {
        tone: 'status',
        text: formatMessage(messages, 'outcome.connected', { organisation: state.tenant.tenantName, title }),
      };
    case 'cancelled':
      return {
        tone: 'status',
        text: formatMessage(messages, outcome.reason === 'consent_denied' ? 'notice.consentCancelled' : 'outcome.popupClosed'),
      };
    case 'popup_blocked':
      return { tone: 'alert', text: formatMessage(messages, 'outcome.popupBlocked') };
    case 'failed':
      return { tone: 'alert', text: failureText(outcome.code, messages) };
  }
}
