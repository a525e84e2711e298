/**
 * A piece of copy: a string with `{placeholders}` (handy for translation files), or a function of
 * its parameters (handy for plurals and grammar).
 */
export type Message<P extends Record<string, string | number> = Record<never, never>> = string | ((params: P) => string);

/**
 * Every string the components show. Override any subset through the `messages` prop; the rest
 * keep the English defaults. Dates are formatted separately with `Intl` (see `locale`).
 */
export interface XeroConnectionMessages {
  /** Badge text per state. */
  'badge.connected': Message;
  'badge.expiring': Message;
  'badge.needsReauth': Message;
  'badge.disconnected': Message;
  'badge.error': Message;
  'badge.loading': Message;
  /** Xero granted access, but the organisation to use is still to be chosen (`choosing_organisation`). */
  'badge.choosingOrganisation': Message;

  'status.loading': Message<{ title: string }>;
  'status.connected': Message<{ organisation: string }>;
  'status.expiring': Message<{ days: number }>;
  'status.needsReauth.refresh_token_expired': Message<{ lifetimeDays: number }>;
  'status.needsReauth.refresh_token_revoked': Message<{ organisation: string }>;
  'status.needsReauth.tenant_removed_in_xero': Message<{ organisation: string }>;
  'status.disconnected': Message;
  'status.error.backend': Message<{ title: string }>;
  'status.error.rate_limited': Message;
  'status.error.xero_unavailable': Message;
  'status.error.contract': Message<{ title: string }>;

  /**
   * Connected, and the backend's keep-alive refreshes the connection on a schedule (so it never
   * expires unused); `{relative}` is when it last did, e.g. "2 days ago". Shown instead of an expiry.
   */
  'status.keptAlive': Message<{ relative: string }>;
  /** The same, before keep-alive's first refresh of this connection. */
  'status.keptAliveNotYetRefreshed': Message;
  /**
   * Keep-alive's last refresh failed; `{reason}` is one of the `reason.*` sentences. The expiry
   * ("Expires in N days unless used") follows it, then `hint.keepAliveFailing` for people who can act.
   */
  'status.keepAliveFailing': Message<{ reason: string }>;
  /** What to do while keep-alive fails: the "Check connection" button refreshes the connection now. */
  'hint.keepAliveFailing': Message;

  /**
   * One consent in Xero covered several organisations (`choosing_organisation`,
   * `multiple_organisations`); nothing is exported until one is chosen. For people who can choose.
   */
  'status.choosingOrganisation.multiple_organisations': Message<{ count: number; title: string }>;
  /**
   * A reconnect came back with another organisation than the one connected before
   * (`organisation_mismatch`). `{connected}` names what Xero connected ("A", or "A and B"),
   * `{expected}` the organisation connected before.
   */
  'status.choosingOrganisation.organisation_mismatch': Message<{ connected: string; expected: string; title: string }>;
  /** What to do about a mismatch; `{organisations}` is "A", or "A or B" when Xero connected several. */
  'hint.organisationMismatch': Message<{ organisations: string; expected: string }>;
  /** `choosing_organisation` for people who may not choose (`canManage={false}`). */
  'status.choosingOrganisation.waiting': Message<{ title: string }>;

  /** The organisation picker's question (the radio group's `<legend>`). */
  'picker.legend': Message<{ title: string }>;
  /** Xero's kind of tenant, shown under each organisation's name in the picker. */
  'picker.type.ORGANISATION': Message;
  'picker.type.PRACTICE': Message;
  /** Said when "Use this organisation" is pressed before an organisation was chosen. */
  'picker.required': Message;

  'detail.organisation': Message;
  'detail.connectedSince': Message;
  'detail.connectedBy': Message;
  'detail.lastUsed': Message;
  'detail.never': Message;
  /** Stands in for the organisation's name when it is not known, mid-sentence ("Disconnect your Xero organisation from…"). */
  'detail.unknownOrganisation': Message;
  /** A date with how long ago it was, e.g. "24 Nov 2026 (2 days ago)". */
  'detail.dateWithRelative': Message<{ date: string; relative: string }>;

  'action.disconnectMyAccount': Message;
  'action.disconnect': Message;
  'action.reconnect': Message;
  'action.connect': Message;
  'action.setUpAgain': Message<{ title: string }>;
  'action.checkConnection': Message;
  'action.tryAgain': Message;
  'action.working': Message;
  /** Links the organisation chosen in the picker. */
  'action.useThisOrganisation': Message;
  /** Links the only organisation Xero connected (one consent, one organisation left to confirm). */
  'action.useOrganisation': Message<{ organisation: string }>;
  /** Keeps the organisation Xero connected instead of the one connected before (a mismatch). */
  'action.useOrganisationInstead': Message<{ organisation: string }>;
  /** After a mismatch: disconnect and go back to Xero to choose the organisation connected before. */
  'action.tryAgainInXero': Message;

  'dialog.title': Message<{ organisation: string; title: string }>;
  'dialog.description': Message;
  'dialog.confirm': Message;
  'dialog.cancel': Message;
  'dialog.pending': Message;
  'dialog.failed': Message<{ reason: string }>;

  'notice.disconnected': Message;
  'notice.removeInXero': Message;
  'notice.consentCancelled': Message;
  'notice.askAdmin': Message;
  'notice.actionFailed': Message<{ reason: string }>;
  /** Choosing an organisation failed; the choice stays selected. `{reason}` is one of the `reason.*` sentences. */
  'notice.chooseOrganisationFailed': Message<{ organisation: string; reason: string }>;

  /** How the round trip through Xero ended, shown when the user is back (or the pop-up is done). */
  'outcome.connected': Message<{ organisation: string; title: string }>;
  'outcome.popupClosed': Message;
  'outcome.popupBlocked': Message;
  'outcome.sessionExpired': Message;
  'outcome.stateMismatch': Message;
  /** The organisation chosen in Xero was not the one to reconnect: says what to do. */
  'outcome.tenantMismatch': Message;
  'outcome.connectionLimit': Message;
  /** Any other failure; `{reason}` is one of the `reason.*` sentences. */
  'outcome.failed': Message<{ reason: string }>;

  /**
   * The page was opened from a reconnect link (the portal's email or webhook, with the event's
   * `reconnectUrl`) and the connection still needs someone: said first in the status, beside the
   * focused Reconnect (or Connect) button.
   */
  'reconnectLink.requested': Message<{ title: string }>;
  /** The same link, but the connection works again by the time the page opened (someone fixed it already). */
  'reconnectLink.nothingToDo': Message<{ title: string }>;

  /** For people who may not change the connection (`canManage={false}`). */
  'admin.contactLabel': Message;
  /** Subject of the e-mail the administrator link starts. */
  'admin.emailSubject': Message<{ title: string }>;
  'admin.linkLabel': Message;
  'action.copyLink': Message;
  'notice.linkCopied': Message;
  'notice.copyLinkFailed': Message;

  /**
   * `XeroReconnectNotice`, where an export failed because the connection needs reconnecting
   * (`XERO_INVALID_GRANT`, `XERO_TENANT_NOT_FOUND`, …): its title. The card's
   * `status.needsReauth.*` sentence follows it as the reason.
   */
  'reconnectNotice.needsReconnect': Message<{ title: string }>;
  /**
   * Back from Xero after Cancel (or a closed pop-up) on a reconnect this notice started: the
   * reconnect disconnected first, so the integration is not connected now.
   */
  'reconnectNotice.cancelledWhileDisconnected': Message<{ title: string }>;
  /** The export met an integration that was never connected (or was disconnected): there is nothing to reconnect, only to connect. */
  'reconnectNotice.notConnected': Message<{ title: string }>;
  /** The same, for someone who may not connect it. */
  'reconnectNotice.askAdminToConnect': Message<{ title: string }>;
  /** `XeroReconnectNotice` once the reconnect it started came back connected; the host's retry follows. */
  'reconnectNotice.reconnected': Message<{ title: string }>;
  /** `XeroReconnectNotice` for people who may not reconnect (`canManage={false}`). */
  'reconnectNotice.askAdmin': Message<{ title: string }>;
  /**
   * `XeroReconnectNotice` for `XERO_RATE_LIMITED`: `{time}` is when to try again, from the
   * problem's `retryAfterSeconds` ("10:42 am", or with the date when it is not today).
   */
  'reconnectNotice.rateLimited': Message<{ time: string }>;
  /** The same without `retryAfterSeconds`. */
  'reconnectNotice.rateLimitedNoTime': Message;
  /** `XeroReconnectNotice` for `XERO_UNAVAILABLE` with `retryAfterSeconds`; `{time}` as above. */
  'reconnectNotice.unavailable': Message<{ time: string }>;
  /** The same without `retryAfterSeconds`. */
  'reconnectNotice.unavailableNoTime': Message;

  /** Why an action failed, in one sentence for people (never an endpoint or a stack). */
  'reason.network': Message;
  'reason.timeout': Message;
  'reason.rateLimited': Message;
  'reason.xeroUnavailable': Message;
  'reason.signedOut': Message;
  'reason.notAllowed': Message;
  /** `XERO_TENANT_NOT_FOUND`: the organisation is no longer connected to the app in Xero. */
  'reason.organisationNotFound': Message;
  'reason.unknown': Message;
}

/** The English defaults (en-AU spelling, as the portal uses). */
export const defaultMessages: XeroConnectionMessages = {
  'badge.connected': 'Connected',
  'badge.expiring': 'Expiring soon',
  'badge.needsReauth': 'Action needed',
  'badge.disconnected': 'Not connected',
  'badge.error': 'Unavailable',
  'badge.loading': 'Checking…',
  'badge.choosingOrganisation': 'Action needed',

  'status.loading': 'Checking the connection to {title}…',
  'status.connected': 'Connected to {organisation}',
  'status.expiring': ({ days }) =>
    days <= 0
      ? 'Expires today unless used'
      : `Expires in ${days} ${days === 1 ? 'day' : 'days'} unless used`,
  'status.needsReauth.refresh_token_expired':
    "The connection to Xero expired because it wasn't used for {lifetimeDays} days. Exports to Xero are paused until you reconnect.",
  'status.needsReauth.refresh_token_revoked':
    'Access to {organisation} was revoked in Xero. Exports to Xero are paused until you reconnect.',
  'status.needsReauth.tenant_removed_in_xero': '{organisation} removed this app in Xero. Connect again to resume exports.',
  'status.disconnected': 'Not connected to Xero',
  'status.error.backend': "We couldn't check the connection to {title}. Your connection hasn't changed.",
  'status.error.rate_limited': 'Xero is busy right now, so we couldn’t check the connection. Try again in a minute.',
  'status.error.xero_unavailable': 'Xero is not answering right now. Your connection hasn’t changed.',
  'status.error.contract': "The portal's server answered in a way this page doesn't understand, so we couldn't check {title}.",

  'status.keptAlive': 'Kept active automatically — last refreshed {relative}',
  'status.keptAliveNotYetRefreshed': 'Kept active automatically',
  'status.keepAliveFailing': 'Automatic refresh is failing — {reason}',
  'hint.keepAliveFailing': 'Check the connection now to keep it active.',

  'status.choosingOrganisation.multiple_organisations':
    'You gave {title} access to {count} organisations in Xero. Choose the one it should use; nothing is exported until you do.',
  'status.choosingOrganisation.organisation_mismatch': 'You connected {connected}, but {title} was connected to {expected}.',
  'hint.organisationMismatch':
    'Use {organisations} instead, or try again and choose {expected} in Xero. Nothing is exported until you do.',
  'status.choosingOrganisation.waiting':
    'Waiting for an administrator to choose the organisation for {title}. Nothing is exported until then.',

  'picker.legend': 'Which organisation should {title} use?',
  'picker.type.ORGANISATION': 'Organisation',
  'picker.type.PRACTICE': 'Practice',
  'picker.required': 'Choose an organisation first.',

  'detail.organisation': 'Organisation',
  'detail.connectedSince': 'Connected since',
  'detail.connectedBy': 'Connected by',
  'detail.lastUsed': 'Last used',
  'detail.never': 'Never',
  'detail.unknownOrganisation': 'your Xero organisation',
  'detail.dateWithRelative': '{date} ({relative})',

  'action.disconnectMyAccount': 'Disconnect my account',
  'action.disconnect': 'Disconnect',
  'action.reconnect': 'Reconnect',
  'action.connect': 'Connect to Xero',
  'action.setUpAgain': 'Set up {title} again',
  'action.checkConnection': 'Check connection',
  'action.tryAgain': 'Try again',
  'action.working': 'Working…',
  'action.useThisOrganisation': 'Use this organisation',
  'action.useOrganisation': 'Use {organisation}',
  'action.useOrganisationInstead': 'Use {organisation} instead',
  'action.tryAgainInXero': 'Try again',

  'dialog.title': 'Disconnect {organisation} from {title}?',
  'dialog.description': 'Exports to Xero stop until you connect again. Nothing in Xero is deleted.',
  'dialog.confirm': 'Yes, disconnect',
  'dialog.cancel': 'No, keep it',
  'dialog.pending': 'Disconnecting…',
  'dialog.failed': "The disconnection didn't go through: {reason} Nothing changed. Try again.",

  'notice.disconnected': 'Your Xero account has been disconnected.',
  'notice.removeInXero':
    'Xero could not be told about the disconnection. To remove the app in Xero too, go to Settings › Connected apps in Xero.',
  'notice.consentCancelled': 'You cancelled the connection in Xero. Nothing changed.',
  'notice.askAdmin': 'Ask an administrator to reconnect Xero.',
  'notice.actionFailed': "That didn't work: {reason}",
  'notice.chooseOrganisationFailed': "{organisation} wasn't connected: {reason} Nothing changed.",

  'outcome.connected': 'You connected {organisation} to {title}.',
  'outcome.popupClosed': 'The Xero window was closed before the connection finished. Nothing changed.',
  'outcome.popupBlocked': 'Your browser blocked the Xero window. Allow pop-ups for this site, then try again.',
  'outcome.sessionExpired': 'Connecting to Xero took too long, so nothing was connected. Try again.',
  'outcome.stateMismatch':
    "We couldn't confirm that the connection was started from this page, so nothing was connected. Try again from here.",
  'outcome.tenantMismatch':
    'In Xero you chose a different organisation from the one connected before, so nothing was connected. Try again and choose the same organisation. To switch organisations, disconnect first, then connect.',
  'outcome.connectionLimit':
    "Xero didn't allow the connection: this app has reached its limit of connected organisations. Disconnect one you no longer use, or contact support.",
  'outcome.failed': "Connecting to Xero didn't finish: {reason} Nothing changed. Try again.",

  'reconnectLink.requested': 'You followed a link asking you to reconnect {title}.',
  'reconnectLink.nothingToDo': 'You followed a link asking you to reconnect {title}. It is connected now: there is nothing to do.',

  'admin.contactLabel': 'Your administrator:',
  'admin.emailSubject': 'Please reconnect {title} to Xero',
  'admin.linkLabel': 'Link to this page',
  'action.copyLink': 'Copy link to this page',
  'notice.linkCopied': 'Link copied.',
  'notice.copyLinkFailed': "The link couldn't be copied automatically. Select it below and copy it.",

  'reconnectNotice.needsReconnect': '{title} needs reconnecting before this export can run.',
  'reconnectNotice.cancelledWhileDisconnected': 'You cancelled in Xero, so {title} is not connected now: exports stay paused until you reconnect.',
  'reconnectNotice.notConnected': '{title} is not connected: set it up before this export can run.',
  'reconnectNotice.askAdminToConnect': 'Ask an administrator to connect {title}.',
  'reconnectNotice.reconnected': '{title} is connected again.',
  'reconnectNotice.askAdmin': 'Ask an administrator to reconnect {title}.',
  'reconnectNotice.rateLimited': 'Xero is busy: try this export again at {time}.',
  'reconnectNotice.rateLimitedNoTime': 'Xero is busy: try this export again in a minute.',
  'reconnectNotice.unavailable': 'Xero is not answering right now: try this export again at {time}.',
  'reconnectNotice.unavailableNoTime': 'Xero is not answering right now: try this export again in a few minutes.',

  'reason.network': "The portal's server couldn't be reached.",
  'reason.timeout': "The portal's server took too long to answer.",
  'reason.rateLimited': 'Xero is busy right now.',
  'reason.xeroUnavailable': 'Xero is not answering right now.',
  'reason.signedOut': 'You have been signed out of the portal.',
  'reason.notAllowed': "You don't have permission to change this connection.",
  'reason.organisationNotFound': 'Xero no longer lists that organisation for this app.',
  'reason.unknown': "Something went wrong on the portal's server.",
};

/** A key of {@link XeroConnectionMessages}. */
export type MessageKey = keyof XeroConnectionMessages;

type ParamsOf<K extends MessageKey> = XeroConnectionMessages[K] extends Message<infer P> ? P : never;

/**
 * Renders one message: calls a function message, or fills a string's `{placeholders}`.
 * An unknown placeholder is left as written, so a typo in an override shows instead of vanishing.
 */
export function formatMessage<K extends MessageKey>(
  messages: XeroConnectionMessages,
  key: K,
  ...[params]: keyof ParamsOf<K> extends never ? [] : [ParamsOf<K>]
): string {
  const message = messages[key] as Message<Record<string, string | number>>;
  const values = (params ?? {}) as Record<string, string | number>;
  if (typeof message === 'function') return message(values);
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

/** Merges a host's partial overrides over the defaults. */
export function resolveMessages(overrides?: Partial<XeroConnectionMessages>): XeroConnectionMessages {
  return overrides ? { ...defaultMessages, ...overrides } : defaultMessages;
}
