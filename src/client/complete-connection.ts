import type { Connection } from '../contract';
import { codeForOAuthError as codeForXeroOAuthError } from '../contract/round-trip-rules';
import { outcomeForCode, withConnectOutcome, type ConnectReturn } from './connect-return';
import { findConnectSession, forgetConnectSession } from './connect-sessions';
import { createXeroConnectionClient, type XeroConnectionClient } from './create-client';
import { XeroConnectionUsageError, isXeroConnectionApiError, isXeroConnectionError, type XeroConnectionError } from './errors';

const NAME = 'completeXeroConnection';

/** Options of {@link completeXeroConnection}: a `client` or a `baseUrl`, like the provider. */
export type CompleteXeroConnectionOptions = {
  /**
   * The callback page's URL, to read `code`, `state` and Xero's `error` from. Default the page's
   * own location.
   */
  location?: string | URL | Location;
  /** The authorization code; default the `code` query parameter of `location`. */
  code?: string;
  /** The OAuth state; default the `state` query parameter of `location`. */
  state?: string;
  /** Xero's OAuth error instead of a code (`access_denied` when the user chose Cancel); default the `error` parameter. */
  error?: string;
  /**
   * Where to send the user when the round trip's own `returnTo` is not known in this browser (it
   * started elsewhere, or storage is off). Must be on the callback page's origin; default `/`.
   */
  fallbackReturnTo?: string;
  /**
   * How to go back: default `location.replace()`, so Back does not return to a callback URL whose
   * code is spent. `false` navigates nowhere (read `returnTo` from the result).
   */
  navigate?: ((url: string) => void) | false;
} & (
  | {
      /** The integration's client. */
      client: XeroConnectionClient;
      baseUrl?: never;
    }
  | {
      /** The integration's base URL; a default client is made for it. */
      baseUrl: string;
      client?: never;
    }
);

/** What {@link completeXeroConnection} did. */
export interface CompleteXeroConnectionResult {
  /** How the round trip ended. */
  outcome: ConnectReturn['outcome'];
  /** The same-origin URL the user was (or, with `navigate: false`, should be) sent back to, outcome included. */
  returnTo: string;
  /** The new connection, when connected. */
  connection: Connection | null;
  /** Why `POST /callback` failed, when it was called and failed. */
  error: XeroConnectionError | null;
}

// Xero's OAuth errors on the redirect (RFC 6749 §4.1.2.1) as contract codes: the contract's one
// table, the backend's too.
function codeForOAuthError(error: string): string {
  return codeForXeroOAuthError(error);
}

function pageUrl(location: CompleteXeroConnectionOptions['location']): URL {
  const given = location ?? (typeof globalThis.location === 'undefined' ? undefined : globalThis.location);
  if (given === undefined) {
    throw new XeroConnectionUsageError(`${NAME}: there is no page location; pass { location } with the callback page's URL`, null);
  }
  try {
    return new URL(typeof given === 'string' ? given : given.href);
  } catch (cause) {
    throw new XeroConnectionUsageError(`${NAME}: location is not an absolute URL`, null, { cause });
  }
}

/** `url` resolved against `page` when it is on the same origin; otherwise `null` (no open redirects). */
function sameOrigin(url: string | undefined, page: URL): URL | null {
  if (url === undefined) return null;
  try {
    const resolved = new URL(url, page);
    return resolved.origin === page.origin ? resolved : null;
  } catch {
    return null;
  }
}

function clientFrom(options: CompleteXeroConnectionOptions): XeroConnectionClient {
  const hasClient = options.client !== undefined;
  const hasBaseUrl = options.baseUrl !== undefined;
  if (hasClient === hasBaseUrl) {
    throw new XeroConnectionUsageError(
      `${NAME}: pass either { client } or { baseUrl: "/api/integrations/xero-billing" }, ${hasClient ? 'not both' : 'one is needed'}`,
      null,
    );
  }
  return options.client ?? createXeroConnectionClient({ baseUrl: options.baseUrl as string });
}

/**
 * Finishes a connect round trip on a page of the host's own app, for hosts that register a page
 * of theirs (not the backend's `GET /callback`) as Xero's redirect URI.
 *
 * Reads `code` and `state` (or Xero's `error=access_denied`) from the page's URL, calls
 * `POST /callback`, then sends the user back to where the round trip started (the `returnTo` that
 * `connect()` remembered in this browser under the state) with `?xero=connected` or
 * `?xero=error&code=CODE` added, exactly as the backend's redirect would: the card there shows the
 * outcome. It never navigates to another origin: an unknown or cross-origin `returnTo` becomes
 * `fallbackReturnTo` (same origin, default `/`). A failure of `POST /callback` does not reject:
 * it is the outcome the user is sent back with.
 *
 * Needs no React: it is exported from `./client` too, for callback pages outside React.
 *
 * @example
 * ```ts
 * // On the page registered as the redirect URI, e.g. /integrations/xero/callback:
 * await completeXeroConnection({ baseUrl: '/api/integrations/xero-billing' });
 * ```
 * @throws {XeroConnectionUsageError} (as a rejection) without a client or base URL, or without a page location.
 */
export async function completeXeroConnection(options: CompleteXeroConnectionOptions): Promise<CompleteXeroConnectionResult> {
  const client = clientFrom(options);
  const page = pageUrl(options.location);
  const params = page.searchParams;
  const state = options.state ?? params.get('state') ?? undefined;
  const code = options.code ?? params.get('code') ?? undefined;
  const oauthError = options.error ?? params.get('error') ?? undefined;

  const session = state ? findConnectSession(state) : null;
  const back =
    sameOrigin(session?.returnTo, page) ?? sameOrigin(options.fallbackReturnTo, page) ?? new URL('/', page.origin);

  let outcome: ConnectReturn['outcome'];
  let connection: Connection | null = null;
  let error: XeroConnectionError | null = null;
  if (oauthError) {
    outcome = outcomeForCode(codeForOAuthError(oauthError));
  } else if (!state) {
    outcome = { kind: 'failed', code: 'STATE_MISMATCH' };
  } else if (!code) {
    outcome = { kind: 'failed', code: 'VALIDATION_FAILED' };
  } else {
    try {
      connection = await client.completeCallback({ code, state });
      outcome = { kind: 'connected' };
    } catch (caught) {
      if (!isXeroConnectionError(caught)) throw caught;
      error = caught;
      outcome = outcomeForCode(isXeroConnectionApiError(caught) ? caught.code : 'INTERNAL');
    }
  }
  if (state) forgetConnectSession(state);

  const returnTo = withConnectOutcome(back, outcome);
  const navigate = options.navigate ?? ((url: string) => globalThis.location.replace(url));
  if (navigate !== false) navigate(returnTo);
  return { outcome, returnTo, connection, error };
}
