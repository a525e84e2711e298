import { loadOAuth4WebApi } from './load-oauth4webapi';

import type { ConnectMode } from '../contract';
import type { ConnectionKey, ConnectionStore, ConnectSession } from './connection-store';
import { XeroConnectionHandlerError } from './xero-error';

/** How long a started round trip may take before the browser comes back. */
export const DEFAULT_CONNECT_SESSION_TTL_MS = 10 * 60_000;

/**
 * Pending round trips one user may have for one integration and account: a person retrying a
 * few times, never thousands (each holds a state and a PKCE verifier until it expires).
 */
export const MAX_PENDING_CONNECTS_PER_USER = 10;
/** Pending round trips one account may have for one integration: its administrators together. */
export const MAX_PENDING_CONNECTS_PER_ACCOUNT = 50;

/** Starts a round trip: a fresh single-use `state` bound to the user, and a PKCE verifier. */
export async function startConnectSession(
  store: ConnectionStore,
  input: {
    key: ConnectionKey;
    userId: string;
    displayName: string;
    returnTo: string;
    mode: ConnectMode;
    expectedTenantId: string | null;
    /** The contract minor the client announced; decides how the callback answers (see {@link ConnectSession.contractMinor}). */
    contractMinor: number;
    now: Date;
    ttlMs: number;
  },
): Promise<{ session: ConnectSession; codeChallenge: string }> {
  const oauth = await loadOAuth4WebApi();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const session: ConnectSession = {
    state: oauth.generateRandomState(),
    key: input.key,
    userId: input.userId,
    displayName: input.displayName,
    codeVerifier,
    returnTo: input.returnTo,
    mode: input.mode,
    expectedTenantId: input.expectedTenantId,
    contractMinor: input.contractMinor,
    expiresAt: new Date(input.now.getTime() + input.ttlMs).toISOString(),
  };
  if (store.startConnectSession === undefined) {
    await store.putConnectSession(session);
  } else {
    const verdict = await store.startConnectSession(session, {
      perUser: MAX_PENDING_CONNECTS_PER_USER,
      perAccount: MAX_PENDING_CONNECTS_PER_ACCOUNT,
      now: input.now.toISOString(),
    });
    if (!verdict.stored) {
      const who = verdict.limit === 'user' ? 'you have' : verdict.limit === 'account' ? 'this account has' : 'the backend has';
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(verdict.retryAt) - input.now.getTime()) / 1000));
      // A 429 the client waits out; the list of codes is closed, and this is the one that says so.
      throw new XeroConnectionHandlerError('XERO_RATE_LIMITED', `Too many connect round trips pending: ${who} the most allowed; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }
  return { session, codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier) };
}

/**
 * Takes the session for `state` (it is gone afterwards, whatever happens next) and checks that it
 * belongs to this user and this integration and has not expired. A state presented by anyone else
 * is spent too: a leaked state must not stay usable.
 */
export async function takeConnectSession(
  store: ConnectionStore,
  state: string,
  caller: { userId: string; key: ConnectionKey },
): Promise<ConnectSession> {
  const session = await store.takeConnectSession(state);
  if (
    session === null ||
    session.userId !== caller.userId ||
    session.key.integrationKey !== caller.key.integrationKey ||
    session.key.accountId !== caller.key.accountId
  ) {
    throw new XeroConnectionHandlerError('STATE_MISMATCH', 'The OAuth state is unknown, already used, or belongs to another session');
  }
  return session;
}

/** Throws `CONNECT_SESSION_EXPIRED` when the user came back too late. */
export function assertSessionLive(session: ConnectSession, now: Date): void {
  if (Date.parse(session.expiresAt) <= now.getTime()) {
    throw new XeroConnectionHandlerError('CONNECT_SESSION_EXPIRED', 'The connect session expired');
  }
}
