import { isXeroConnectionContractError } from '../../client';
import type { XeroConnectionState } from '../../react/types';
import { describeErrorCode } from '../internal/describe-error-reason';
import { formatMessage, type XeroConnectionMessages } from '../messages';
import { formatRelative, parseDate } from './format-date';
import { formatList } from './format-list';

const DAY_MS = 86_400_000;

/** One sentence of the status region; `kind` names its `data-slot` (`xero-connection-card-<kind>`). */
export interface StatusSentence {
  /**
   * `status-text`: the status itself; `keep-alive`: the backend keeps the connection active;
   * `keep-alive-failing`: its automatic refresh fails; `expiry`: when it expires; `notice`: the
   * outcome of a disconnect; `hint`: what to do next; `outcome`: how the round trip through Xero
   * (or choosing the organisation) ended; `reconnect-link`: the page was opened from a reconnect link.
   */
  kind: 'status-text' | 'keep-alive' | 'keep-alive-failing' | 'expiry' | 'notice' | 'hint' | 'outcome' | 'reconnect-link';
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

/** What {@link describeState} needs besides the state. */
export interface DescribeStateContext {
  messages: XeroConnectionMessages;
  /** The integration's title ("Xero Billing"). */
  title: string;
  /** Set right after a disconnect made in this card. */
  notice: DisconnectedNotice | null;
  /** For dates and lists. */
  locale: string;
  /** What relative dates and days left are measured from: when the connection was read (the hook's `updatedAt`). */
  now: Date;
  /** Whether this person may act; the wording says what to do only to those who can. */
  canManage: boolean;
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
export function describeState(state: XeroConnectionState, context: DescribeStateContext): StateDescription {
  const { messages, title, notice, locale } = context;
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
    case 'expiring':
      return {
        badge: formatMessage(messages, state.status === 'expiring' ? 'badge.expiring' : 'badge.connected'),
        sentences: [
          { kind: 'status-text', text: formatMessage(messages, 'status.connected', { organisation: named }) },
          ...keepAliveAndExpiry(state, context),
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
    case 'choosing_organisation':
      return {
        badge: formatMessage(messages, 'badge.choosingOrganisation'),
        sentences: choosingSentences(state, context),
        organisation,
      };
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

type ConnectedState = Extract<XeroConnectionState, { status: 'connected' | 'expiring' }>;

/** Whole days from `now` until the refresh token's estimated expiry, or `null` when unknown. */
function daysLeft(state: ConnectedState, now: Date): number | null {
  if (state.status === 'expiring') return state.expiresInDays;
  const expiresAt = parseDate(state.connection.refreshTokenExpiresAt);
  if (expiresAt === null) return null;
  return Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
}

/**
 * What a working connection adds to "Connected to …": nothing, the expiry warning (`expiring`),
 * "Kept active automatically — last refreshed …" when the backend's keep-alive is on and works,
 * or, when it fails, that it fails and why, the expiry, and what to do.
 */
function keepAliveAndExpiry(state: ConnectedState, context: DescribeStateContext): StatusSentence[] {
  const { messages, locale, now, canManage } = context;
  const keepAlive = state.connection.keepAlive;
  const expiry = (days: number): StatusSentence => ({ kind: 'expiry', text: formatMessage(messages, 'status.expiring', { days }) });

  if (keepAlive?.enabled && keepAlive.failing) {
    const lastError = state.connection.lastError;
    const reason = lastError === null ? formatMessage(messages, 'reason.unknown') : describeErrorCode(lastError.code, messages);
    const days = daysLeft(state, now);
    const sentences: StatusSentence[] = [{ kind: 'keep-alive-failing', text: formatMessage(messages, 'status.keepAliveFailing', { reason }) }];
    if (days !== null) sentences.push(expiry(days));
    if (canManage) sentences.push({ kind: 'hint', text: formatMessage(messages, 'hint.keepAliveFailing') });
    return sentences;
  }
  // `expiring` despite a working keep-alive means it is not due before the expiry (the hook's
  // judgement): the warning is the truth then.
  if (state.status === 'expiring') return [expiry(state.expiresInDays)];
  if (!keepAlive?.enabled) return [];
  // A backend clock a little ahead of the browser's must not read "last refreshed in 2 minutes".
  const refreshedAt = parseDate(keepAlive.lastRefreshedAt);
  const relative = refreshedAt === null ? null : formatRelative(refreshedAt > now ? now : refreshedAt, locale, now);
  return [
    {
      kind: 'keep-alive',
      text:
        relative === null
          ? formatMessage(messages, 'status.keptAliveNotYetRefreshed')
          : formatMessage(messages, 'status.keptAlive', { relative }),
    },
  ];
}

/** What the card says while the organisation is still to be chosen. */
function choosingSentences(
  state: Extract<XeroConnectionState, { status: 'choosing_organisation' }>,
  context: DescribeStateContext,
): StatusSentence[] {
  const { messages, title, locale, canManage } = context;
  if (!canManage) return [{ kind: 'status-text', text: formatMessage(messages, 'status.choosingOrganisation.waiting', { title }) }];
  const names = state.organisations.map((tenant) => tenant.tenantName);
  if (state.reason === 'multiple_organisations') {
    return [
      {
        kind: 'status-text',
        text: formatMessage(messages, 'status.choosingOrganisation.multiple_organisations', { count: names.length, title }),
      },
    ];
  }
  const expected = state.tenant?.tenantName ?? formatMessage(messages, 'detail.unknownOrganisation');
  return [
    {
      kind: 'status-text',
      text: formatMessage(messages, 'status.choosingOrganisation.organisation_mismatch', {
        connected: formatList(names, locale, 'conjunction'),
        expected,
        title,
      }),
    },
    {
      kind: 'hint',
      text: formatMessage(messages, 'hint.organisationMismatch', { organisations: formatList(names, locale, 'disjunction'), expected }),
    },
  ];
}
