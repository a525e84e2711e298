/**
 * The version of the HTTP contract this package speaks, as `major.minor`.
 *
 * A backend sends it on every response in the {@link CONTRACT_VERSION_HEADER} header. Minor versions
 * only add optional fields, so a client accepts any minor of its major; a different major is a
 * contract violation the client reports instead of misreading the body.
 */
export const CONTRACT_VERSION = '1.0';

/**
 * Response header that carries the backend's {@link CONTRACT_VERSION}. A response without it is
 * read as version `1.0`, the first published contract, so that hand-written backends keep working.
 */
export const CONTRACT_VERSION_HEADER = 'X-Xero-Connection-Contract';
