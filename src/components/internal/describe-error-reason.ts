import { isXeroConnectionError, type XeroConnectionErrorCode } from '../../client';
import { formatMessage, type MessageKey, type XeroConnectionMessages } from '../messages';

type ReasonKey = Extract<MessageKey, `reason.${string}`>;

function reasonKey(code: XeroConnectionErrorCode): ReasonKey {
  switch (code) {
    case 'NETWORK_ERROR':
      return 'reason.network';
    case 'TIMEOUT':
      return 'reason.timeout';
    case 'XERO_RATE_LIMITED':
      return 'reason.rateLimited';
    case 'XERO_UNAVAILABLE':
      return 'reason.xeroUnavailable';
    case 'UNAUTHENTICATED':
      return 'reason.signedOut';
    case 'FORBIDDEN':
    case 'XERO_FORBIDDEN':
      return 'reason.notAllowed';
    case 'XERO_TENANT_NOT_FOUND':
      return 'reason.organisationNotFound';
    default:
      return 'reason.unknown';
  }
}

/** The reason sentence for an error `code`, the same one {@link describeErrorReason} gives this package's errors. */
export function describeErrorCode(code: XeroConnectionErrorCode, messages: XeroConnectionMessages): string {
  return formatMessage(messages, reasonKey(code));
}

/**
 * Puts a failure into one short sentence for the people using the portal. Never shows a stack
 * or an endpoint: this package's errors map by `code` to plain reasons; a host's own plain
 * `Error` (named exactly `Error`) is assumed to be written for people and shown as is; anything
 * else (a `TypeError` from a bug, an `AbortError`, an `AxiosError`, a thrown string) gets the
 * generic reason, because their messages are written for developers.
 */
export function describeErrorReason(error: unknown, messages: XeroConnectionMessages): string {
  if (isXeroConnectionError(error)) return describeErrorCode(error.code, messages);
  if (error instanceof Error && error.name === 'Error') {
    const message = error.message.trim();
    if (message !== '') return /[.!?…]$/.test(message) ? message : `${message}.`;
  }
  return formatMessage(messages, 'reason.unknown');
}
