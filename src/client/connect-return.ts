import {
  ERROR_CODES,
  RETURN_CODE_PARAM,
  RETURN_INTEGRATION_PARAM,
  RETURN_PARAM,
  RETURN_POPUP_PARAM,
  RETURN_RECONNECT_VALUE,
  type ErrorCode,
} from '../contract';

// The browser's half of the connect round trip's return: what `?xero=…` says, how our parameters
// are put into `returnTo` and taken out of a URL again. Pure string work on URLs, no `window`.

/**
 * How a connect round trip ended, as the page that started it learns it.
 *
 * - `connected`: the backend stored the new connection.
 * - `cancelled`: nothing changed because the user chose so: Cancel on Xero's consent screen
 *   (`consent_denied`, Xero's `access_denied`) or closing the pop-up (`popup_closed`). Not an error.
 * - `failed`: the backend reported `code` (`CONNECT_SESSION_EXPIRED`, `STATE_MISMATCH`,
 *   `XERO_TENANT_MISMATCH`, `XERO_CONNECTION_LIMIT`, …).
 * - `popup_blocked`: the browser blocked the pop-up and `popupFallback` is `'none'`.
 */
export type ConnectOutcome =
  | { kind: 'connected' }
  | { kind: 'cancelled'; reason: 'consent_denied' | 'popup_closed' }
  | { kind: 'failed'; code: ErrorCode }
  | { kind: 'popup_blocked' };

/** What a returning URL carries: the outcome, and which integration and window it is for. */
export interface ConnectReturn {
  outcome: Extract<ConnectOutcome, { kind: 'connected' | 'cancelled' | 'failed' }>;
  /** The base URL from {@link RETURN_INTEGRATION_PARAM}, or `null` when the URL does not say. */
  integration: string | null;
  /** Whether the round trip ran in a pop-up ({@link RETURN_POPUP_PARAM}). */
  popup: boolean;
}

const KNOWN_CODES = new Set<string>(ERROR_CODES);

/** The outcome a backend's error code stands for: `XERO_ACCESS_DENIED` is the user's choice, not a failure. */
export function outcomeForCode(code: string | null): ConnectReturn['outcome'] {
  if (code === 'XERO_ACCESS_DENIED') return { kind: 'cancelled', reason: 'consent_denied' };
  return { kind: 'failed', code: code !== null && KNOWN_CODES.has(code) ? (code as ErrorCode) : 'INTERNAL' };
}

function toUrl(url: string | URL): URL {
  return new URL(typeof url === 'string' ? url : url.href);
}

/**
 * Reads `?xero=connected` or `?xero=error&code=CODE` (plus our optional markers) from a URL;
 * `null` when the URL carries no return (or a `xero` value that is not ours). An unknown code is
 * read as `INTERNAL`. When a host's own `code` parameter is there too, ours is the last one (the
 * backend appends to `returnTo`'s query).
 */
export function readConnectReturn(url: string | URL): ConnectReturn | null {
  const params = toUrl(url).searchParams;
  const value = params.get(RETURN_PARAM);
  if (value !== 'connected' && value !== 'error') return null;
  const codes = params.getAll(RETURN_CODE_PARAM);
  const outcome: ConnectReturn['outcome'] =
    value === 'connected' ? { kind: 'connected' } : outcomeForCode(codes.length > 0 ? (codes[codes.length - 1] ?? null) : null);
  const integration = params.get(RETURN_INTEGRATION_PARAM);
  return { outcome, integration: integration === '' ? null : integration, popup: params.get(RETURN_POPUP_PARAM) === '1' };
}

/**
 * The URL without this package's parameters, everything else (other parameters, their order,
 * the hash) kept. `code` is only ours next to `xero=error`, and then only its last occurrence.
 */
export function withoutConnectReturn(url: string | URL): string {
  const parsed = toUrl(url);
  const entries = [...parsed.searchParams.entries()];
  const isError = parsed.searchParams.get(RETURN_PARAM) === 'error';
  let lastCode = -1;
  if (isError) entries.forEach(([name], index) => (name === RETURN_CODE_PARAM ? (lastCode = index) : undefined));
  const ours = new Set([RETURN_PARAM, RETURN_INTEGRATION_PARAM, RETURN_POPUP_PARAM]);
  const kept = entries.filter(([name], index) => !ours.has(name) && index !== lastCode);
  if (kept.length === entries.length) return parsed.href;
  // Rebuilt rather than deleted one by one, so a host's parameters keep their order.
  parsed.search = new URLSearchParams(kept).toString();
  return parsed.href;
}

/**
 * The `returnTo` to send in `POST /connect`: `url` without any earlier return's parameters, plus
 * the integration marker (and the pop-up marker) the return will be recognised by.
 */
export function returnToFor(url: string | URL, marker: { baseUrl: string; popup: boolean }): string {
  const parsed = new URL(withoutConnectReturn(url));
  parsed.searchParams.set(RETURN_INTEGRATION_PARAM, marker.baseUrl);
  if (marker.popup) parsed.searchParams.set(RETURN_POPUP_PARAM, '1');
  return parsed.href;
}

/**
 * A link that asks a person to reconnect one integration: `pageUrl` (the host's page with the
 * card) with `?xero=reconnect&xeroIntegration=<integration>`, its own query and hash kept. What a
 * backend puts in a connection event's `reconnectUrl`.
 */
export function withReconnectRequest(pageUrl: string | URL, integration: string): string {
  const parsed = new URL(withoutConnectReturn(pageUrl));
  parsed.searchParams.set(RETURN_PARAM, RETURN_RECONNECT_VALUE);
  parsed.searchParams.set(RETURN_INTEGRATION_PARAM, integration);
  return parsed.href;
}

/** The integration a reconnect link names (see {@link withReconnectRequest}), or `null` when the URL is not one. */
export function readReconnectRequest(url: string | URL): { integration: string | null } | null {
  const params = toUrl(url).searchParams;
  if (params.get(RETURN_PARAM) !== RETURN_RECONNECT_VALUE) return null;
  const integration = params.get(RETURN_INTEGRATION_PARAM);
  return { integration: integration === null || integration === '' ? null : integration };
}

/** `returnTo` with the outcome added the way a backend's `GET /callback` redirect adds it. */
export function withConnectOutcome(returnTo: string | URL, outcome: ConnectReturn['outcome']): string {
  const parsed = toUrl(returnTo);
  parsed.searchParams.delete(RETURN_PARAM);
  if (outcome.kind === 'connected') {
    parsed.searchParams.append(RETURN_PARAM, 'connected');
  } else {
    parsed.searchParams.append(RETURN_PARAM, 'error');
    parsed.searchParams.append(RETURN_CODE_PARAM, outcome.kind === 'cancelled' ? 'XERO_ACCESS_DENIED' : outcome.code);
  }
  return parsed.href;
}
