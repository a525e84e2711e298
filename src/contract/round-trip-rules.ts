import type { CHOOSING_ORGANISATION_REASONS } from './connection';
import type { ErrorCode } from './error-codes';

// The rulebook of a connect round trip: the decisions every backend of the contract makes the same
// way, as pure functions. The reference backend (src/server) and the ./testing fake both call them,
// so the two cannot drift apart; test/conformance proves it by HTTP against both.

/** Why a finished consent waits for the user to choose: one of `CHOOSING_ORGANISATION_REASONS`. */
export type ChoosingReason = (typeof CHOOSING_ORGANISATION_REASONS)[number];

/** What a backend knows when Xero's consent comes back. */
export interface FinishedConsent<Granted extends { tenantId: string }, Known extends { tenantId: string }> {
  /** The organisations the consent covers that can be linked, in Xero's order. */
  granted: readonly Granted[];
  /** The organisation the round trip must link again (a reconnect), or `null` for any. */
  expectedTenantId: string | null;
  /** The contract minor the client announced on `POST /connect`: from 1 it can be asked to choose. */
  contractMinor: number;
  /** The organisation the stored connection names (kept after a disconnect), or `null`. */
  previousTenant: Known | null;
  /** Whether the stored connection was disconnected when the consent came back. */
  previousDisconnected: boolean;
}

/**
 * What a finished consent leads to: link one organisation, wait for the user to choose
 * (`choosing_organisation`, reporting `tenant`), or fail the round trip with `code`.
 */
export type OrganisationDecision<Granted, Known> =
  | { readonly kind: 'link'; readonly organisation: Granted }
  | {
      readonly kind: 'choose';
      readonly reason: ChoosingReason;
      readonly tenant: Known | null;
      /** The code the connection's `lastError` reports while the user chooses: a mismatch is one. */
      readonly lastErrorCode: 'XERO_TENANT_MISMATCH' | null;
    }
  | { readonly kind: 'fail'; readonly code: 'XERO_TENANT_MISMATCH' | 'XERO_TENANT_NOT_FOUND' };

/**
 * Which organisation a finished consent links.
 *
 * - None granted: `XERO_TENANT_NOT_FOUND`.
 * - A reconnect expecting X: X when granted. Otherwise a 1.1 client chooses
 *   (`organisation_mismatch`, reporting X when it is the organisation the record knows, even a
 *   disconnected one), and a 1.0 client gets `XERO_TENANT_MISMATCH`.
 * - Nothing expected: the only one granted, or for a 1.0 client the first. A 1.1 client given
 *   several chooses (`multiple_organisations`), reporting the organisation still linked before
 *   (none after a disconnect): the card can say which one it replaces.
 */
export function decideOrganisation<Granted extends { tenantId: string }, Known extends { tenantId: string }>(
  consent: FinishedConsent<Granted, Known>,
): OrganisationDecision<Granted, Known> {
  const { granted, expectedTenantId: expected, previousTenant: previous } = consent;
  if (granted.length === 0) return { kind: 'fail', code: 'XERO_TENANT_NOT_FOUND' };
  const asksToChoose = consent.contractMinor >= 1;
  const match =
    expected === null ? (granted.length === 1 || !asksToChoose ? granted[0] : undefined) : granted.find((candidate) => candidate.tenantId === expected);
  if (match !== undefined) return { kind: 'link', organisation: match };
  if (!asksToChoose) return { kind: 'fail', code: 'XERO_TENANT_MISMATCH' };
  if (expected !== null) {
    return { kind: 'choose', reason: 'organisation_mismatch', tenant: previous?.tenantId === expected ? previous : null, lastErrorCode: 'XERO_TENANT_MISMATCH' };
  }
  return { kind: 'choose', reason: 'multiple_organisations', tenant: consent.previousDisconnected ? null : previous, lastErrorCode: null };
}

/**
 * The organisation a round trip must link, decided on `POST /connect`: the one the request names,
 * or for a reconnect (`mode: 'reauth'`) that names none, the one the stored connection knows
 * (kept after a disconnect); `null` for any.
 */
export function expectedTenantFor(request: { mode: 'connect' | 'reauth'; expectedTenantId?: string | undefined }, knownTenantId: string | null): string | null {
  if (request.expectedTenantId !== undefined) return request.expectedTenantId;
  return request.mode === 'reauth' ? knownTenantId : null;
}

/**
 * Xero's OAuth errors (RFC 6749 §4.1.2.1 on the redirect, §5.2 from the token endpoint) as
 * contract codes. One table for the backend's callback and token calls and for the browser's
 * `completeXeroConnection`.
 */
export const OAUTH_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  access_denied: 'XERO_ACCESS_DENIED',
  invalid_grant: 'XERO_INVALID_GRANT',
  invalid_client: 'XERO_INVALID_CLIENT',
  unauthorized_client: 'XERO_UNAUTHORIZED_CLIENT',
  invalid_scope: 'XERO_INVALID_SCOPE',
  temporarily_unavailable: 'XERO_UNAVAILABLE',
  server_error: 'XERO_UNAVAILABLE',
};

/**
 * The contract code for Xero's OAuth `error`. Any error not in {@link OAUTH_ERROR_CODES}
 * (`invalid_request`, `unsupported_response_type`, `unsupported_grant_type`, a code Xero adds
 * later) is `INTERNAL`: Xero is saying our request was malformed, which waiting will not fix, so
 * `XERO_UNAVAILABLE` ("Xero is down, try later") would send the user round in circles. `INTERNAL`
 * puts the fault where it is, with the integration (its request or its configuration).
 */
export function codeForOAuthError(error: string): ErrorCode {
  return Object.hasOwn(OAUTH_ERROR_CODES, error) ? (OAUTH_ERROR_CODES[error] as ErrorCode) : 'INTERNAL';
}
