import { isXeroConnectionError, type XeroConnectionErrorCode } from '../../client';

// TODO(messages): these reasons belong in `XeroConnectionMessages` (proposed keys in the
// comments) so hosts can translate them through the one messages object. Until then hosts
// override them with the `describeError` prop. Each is a whole sentence, because the copy
// around it ('dialog.failed', 'notice.actionFailed') puts it mid-paragraph.
const REASONS = {
  /** proposed key: reason.network */
  network: "The portal's server couldn't be reached.",
  /** proposed key: reason.timeout */
  timeout: "The portal's server took too long to answer.",
  /** proposed key: reason.rateLimited */
  rateLimited: 'Xero is busy right now.',
  /** proposed key: reason.xeroUnavailable */
  xeroUnavailable: 'Xero is not answering right now.',
  /** proposed key: reason.signedOut */
  signedOut: 'You have been signed out of the portal.',
  /** proposed key: reason.notAllowed */
  notAllowed: "You don't have permission to change this connection.",
  /** proposed key: reason.unknown */
  unknown: "Something went wrong on the portal's server.",
} as const;

function reasonForCode(code: XeroConnectionErrorCode): string {
  switch (code) {
    case 'NETWORK_ERROR':
      return REASONS.network;
    case 'TIMEOUT':
      return REASONS.timeout;
    case 'XERO_RATE_LIMITED':
      return REASONS.rateLimited;
    case 'XERO_UNAVAILABLE':
      return REASONS.xeroUnavailable;
    case 'UNAUTHENTICATED':
      return REASONS.signedOut;
    case 'FORBIDDEN':
    case 'XERO_FORBIDDEN':
      return REASONS.notAllowed;
    default:
      return REASONS.unknown;
  }
}

// Built-in error types that only ever mean a bug; their messages are for developers.
const PROGRAMMER_ERRORS = new Set(['TypeError', 'ReferenceError', 'SyntaxError', 'RangeError', 'EvalError', 'URIError']);

/**
 * Puts a failure into one short sentence for the people using the portal. Never shows a stack
 * or an endpoint: this package's errors map by `code` to plain reasons; a host's own `Error`
 * (with a plain `Error` name) is assumed to be written for people and shown as is; anything
 * else (a `TypeError` from a bug, a thrown string) gets the generic reason.
 */
export function describeErrorReason(error: unknown): string {
  if (isXeroConnectionError(error)) return reasonForCode(error.code);
  if (error instanceof Error && !PROGRAMMER_ERRORS.has(error.name)) {
    const message = error.message.trim();
    if (message !== '') return /[.!?…]$/.test(message) ? message : `${message}.`;
  }
  return REASONS.unknown;
}
