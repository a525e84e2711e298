/**
 * The version of the HTTP contract this package speaks, as `major.minor`.
 *
 * A backend sends it on every response in the {@link CONTRACT_VERSION_HEADER} header. Minor versions
 * only add optional fields, so a client accepts any minor of its major; a different major is a
 * contract violation the client reports instead of misreading the body.
 */
export const CONTRACT_VERSION = '1.1';

/**
 * Response header that carries the backend's {@link CONTRACT_VERSION}. A response without it is
 * read as version `1.0`, the first published contract, so that hand-written backends keep working.
 */
export const CONTRACT_VERSION_HEADER = 'X-Xero-Connection-Contract';

/**
 * The media-type parameter by which a client tells the backend the contract minor it understands:
 * `Accept: application/json; contract=1.1`. Additions a 1.0 client could not parse (the
 * `choosing_organisation` status) are sent only to clients that announce 1.1 or later; a request
 * without it is answered as contract 1.0. `Accept` stays a CORS-safelisted header with this
 * parameter, so cross-origin backends need no new preflight.
 */
export const CONTRACT_ACCEPT_PARAM = 'contract';

/** The `Accept` header this package's client sends. */
export const CONTRACT_ACCEPT = `application/json; ${CONTRACT_ACCEPT_PARAM}=${CONTRACT_VERSION}, application/problem+json`;

/**
 * The contract minor a request's `Accept` header announces for this major, e.g. `1` for
 * `application/json; contract=1.1`; `0` when it announces none (a 1.0 client) or another major.
 */
export function acceptedContractMinor(accept: string | null): number {
  const match = /(?:^|[;,\s])contract\s*=\s*"?(\d+)\.(\d+)/i.exec(accept ?? '');
  if (match === null || match[1] !== CONTRACT_VERSION.split('.')[0]) return 0;
  return Number(match[2]);
}
