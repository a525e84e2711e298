import { isXeroConnectionContractError } from '../../client';
import type { XeroConnectionState } from '../../react/types';
import { formatMessage, type XeroConnectionMessages } from '../messages';

/** One sentence of the status region; `kind` names its `data-slot` (`xero-connection-card-<kind>`). */
export interface StatusSentence {
  /**
   * `status-text`: the status itself; `expiry`: when it expires; `notice`: the outcome of a
   * disconnect; `hint`: what to do next; `outcome`: how the round trip through Xero ended.
   */
  kind: 'status-text' | 'expiry' | 'notice' | 'hint' | 'outcome';
  text: string;
}

/** What the card says about a state: the badge, and the sentences of its live status region. */
export interface StateDescription {
  /** The badge's short text ("Connected", "Action needed"). */
  badge: string;
  /** The status, one sentence per entry; the live region reads them all when any changes. */
  sentences: StatusSentence[];
  /** The organisation's name when the state knows it. */
  organisation: string | null;
}

/** Why the card is showing "just disconnected" copy instead of the plain disconnected status. */
export interface DisconnectedNotice {
  /** Whether Xero was told; `false` adds the "remove the app in Xero" hint. */
  remoteRemoved: boolean;
}

function tenantName(state: XeroConnectionState): string | null {
  switch (state.status) {
    case 'connected':
    case 'expiring':
      return state.tenant.tenantName;
    case 'needs_reauth':
      return state.tenant?.tenantName ?? null;
    case 'error':
      return state.connection?.tenant?.tenantName ?? null;
    default:
      return null;
  }
}

// The stand-in for an unknown organisation is written mid-sentence ("your Xero organisation");
// where a message starts with it, the sentence still starts with a capital.
function capitalise(text: string, locale: string): string {
  try {
    return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
  } catch {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
}

/** Turns the hook's state into the card's copy. Pure, so every state's wording is testable on its own. */
export function describeState(
  state: XeroConnectionState,
  messages: XeroConnectionMessages,
  title: string,
  notice: DisconnectedNotice | null,
  locale: string,
): StateDescription {
  const organisation = tenantName(state);
  const named = organisation ?? formatMessage(messages, 'detail.unknownOrganisation');
  switch (state.status) {
    case 'loading':
      return {
        badge: formatMessage(messages, 'badge.loading'),
        sentences: [{ kind: 'status-text', text: formatMessage(messages, 'status.loading', { title }) }],
        organisation,
      };
    case 'connected':
      return {
        badge: formatMessage(messages, 'badge.connected'),
        sentences: [{ kind: 'status-text', text: formatMessage(messages, 'status.connected', { organisation: named }) }],
        organisation,
      };
    case 'expiring':
      return {
        badge: formatMessage(messages, 'badge.expiring'),
        sentences: [
          { kind: 'status-text', text: formatMessage(messages, 'status.connected', { organisation: named }) },
          { kind: 'expiry', text: formatMessage(messages, 'status.expiring', { days: state.expiresInDays }) },
        ],
        organisation,
      };
    case 'needs_reauth': {
      const sentence =
        state.reason === 'refresh_token_expired'
          ? formatMessage(messages, 'status.needsReauth.refresh_token_expired', {
              lifetimeDays: state.connection.refreshTokenLifetimeDays,
            })
          : formatMessage(messages, `status.needsReauth.${state.reason}`, { organisation: named });
      const text = organisation === null ? capitalise(sentence, locale) : sentence;
      return {
        badge: formatMessage(messages, 'badge.needsReauth'),
        sentences: [{ kind: 'status-text', text }],
        organisation,
      };
    }
    case 'disconnected': {
      const sentences: StatusSentence[] = notice
        ? [{ kind: 'notice', text: formatMessage(messages, 'notice.disconnected') }]
        : [{ kind: 'status-text', text: formatMessage(messages, 'status.disconnected') }];
      if (notice && !notice.remoteRemoved) sentences.push({ kind: 'hint', text: formatMessage(messages, 'notice.removeInXero') });
      return { badge: formatMessage(messages, 'badge.disconnected'), sentences, organisation };
    }
    case 'error': {
      let sentence: string;
      if (state.error) {
        sentence = isXeroConnectionContractError(state.error)
          ? formatMessage(messages, 'status.error.contract', { title })
          : formatMessage(messages, 'status.error.backend', { title });
      } else if (state.reason) {
        sentence = formatMessage(messages, `status.error.${state.reason}`);
      } else {
        sentence = formatMessage(messages, 'status.error.backend', { title });
      }
      return {
        badge: formatMessage(messages, 'badge.error'),
        sentences: [{ kind: 'status-text', text: sentence }],
        organisation,
      };
    }
  }
}
