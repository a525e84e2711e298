import { connectRequestSchema, connectResponseSchema, callbackRequestSchema, connectionSchema, type ConnectResponse } from '../../contract';
import { decideOrganisation, expectedTenantFor } from '../../contract/round-trip-rules';
import { assertSessionLive, startConnectSession, takeConnectSession } from '../connect-sessions';
import type { ConnectionKey, ConnectSession, StoredConnection, StoredConnectionFields, StoredTokens } from '../connection-store';
import { json, readBody, redirect, ROUND_TRIP_FAILURES, withOutcome } from '../http-answers';
import { grantTargets, releaseGrant } from '../release-grant';
import { isAllowedReturnTo } from '../return-to';
import { authEventIdOf, listXeroConnections, organisationsOf, toTenant, xeroUserIdOf } from '../xero-connections';
import { XeroConnectionHandlerError } from '../xero-error';
import type { HandlerCore, RequestContext } from './handler-core';

/** `POST /connect`, and the round trip's end: `GET /callback` (Xero's redirect) and `POST /callback`. */
export function connectRoutes(core: HandlerCore) {
  const { store, lock, refresher, oauth, clock, onError, view, allowedReturnOrigins, sessionTtlMs } = core;

  // POST /connect: a single-use state bound to this user, a PKCE verifier, Xero's authorize URL.
  async function connect(ctx: RequestContext): Promise<Response> {
    const body = await readBody(ctx.request, connectRequestSchema);
    if (!isAllowedReturnTo(body.returnTo, ctx.request.url, allowedReturnOrigins)) {
      throw new XeroConnectionHandlerError('VALIDATION_FAILED', '`returnTo` must be on this origin or an allowlisted one');
    }
    const known = body.mode === 'reauth' && body.expectedTenantId === undefined ? await store.getConnection(ctx.key) : null;
    const expectedTenantId = expectedTenantFor(body, known?.tenant?.tenantId ?? null);
    const now = clock();
    const { session, codeChallenge } = await startConnectSession(store, {
      key: ctx.key,
      userId: ctx.caller.userId,
      displayName: ctx.caller.displayName,
      returnTo: body.returnTo,
      mode: body.mode,
      expectedTenantId,
      // Recorded now: Xero's redirect to GET /callback carries the browser's Accept, not the client's.
      contractMinor: ctx.contractMinor,
      now,
      ttlMs: sessionTtlMs,
    });
    const answer: ConnectResponse = {
      authorizeUrl: oauth.authorizeUrl({ state: session.state, codeChallenge }),
      state: session.state,
      expiresAt: session.expiresAt,
    };
    return json(connectResponseSchema, answer);
  }

  // The shared half of both callbacks: the code for tokens, the organisations, the store. Which
  // organisation is linked (or chosen, or refused) is the contract's rule, decideOrganisation,
  // the very one the ./testing fake follows.
  async function completeRoundTrip(session: ConnectSession, params: URLSearchParams): Promise<StoredConnection> {
    return lock(session.key, async () => {
      const tokens = await oauth.exchangeCode(params, session.state, session.codeVerifier);
      const authEventId = authEventIdOf(tokens.accessToken);
      // Only organisations can be linked: practices and Practice Manager tenants are ignored.
      let entries = organisationsOf(await listXeroConnections(oauth, tokens.accessToken, clock(), authEventId));
      // Without an auth event id (or when Xero lists nothing for it), fall back to all tenants.
      if (entries.length === 0 && authEventId !== undefined) entries = organisationsOf(await listXeroConnections(oauth, tokens.accessToken, clock()));
      const now = clock();
      const granted: Omit<StoredConnectionFields, 'tenant' | 'tokens'> & { tokens: StoredTokens; needsReauthReason: null } = {
        needsReauthReason: null,
        scopes: tokens.scopes,
        tokens: {
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: new Date(now.getTime() + tokens.expiresInSeconds * 1000).toISOString(),
          refreshToken: tokens.refreshToken,
        },
        connectedAt: now.toISOString(),
        connectedBy: { userId: session.userId, displayName: session.displayName },
        lastUsedAt: now.toISOString(),
        lastRefreshedAt: now.toISOString(),
        checkedAt: now.toISOString(),
        lastError: null,
      };

      const before = await store.getConnection(session.key);
      const decision = decideOrganisation({
        granted: entries,
        expectedTenantId: session.expectedTenantId,
        contractMinor: session.contractMinor ?? 0,
        previousTenant: before?.tenant ?? null,
        previousDisconnected: before?.status === 'disconnected',
      });
      if (decision.kind === 'fail') throw new XeroConnectionHandlerError(decision.code, ROUND_TRIP_FAILURES[decision.code]);
      const stored: StoredConnection =
        decision.kind === 'link'
          ? { ...granted, status: 'connected', tenant: toTenant(decision.organisation) }
          : {
              ...granted,
              status: 'choosing_organisation',
              tenant: decision.tenant,
              organisationChoice: { reason: decision.reason, organisations: entries.map(toTenant) },
              lastError: decision.lastErrorCode === null ? null : { code: decision.lastErrorCode, message: ROUND_TRIP_FAILURES[decision.lastErrorCode], at: now.toISOString() },
            };
      await releaseReplacedGrant(session.key, before, tokens.accessToken);
      await store.putConnection(session.key, stored);
      return stored;
    });
  }

  // A reconnect by another Xero user over a live grant: the replaced grant is given up in Xero as
  // Disconnect would, or it would stay live at Xero with nobody left holding it. Never for the
  // same Xero user (or one unknown): Xero's connections are per user, so the new consent shares
  // them, and removing or revoking would take the new connection with it. Under the lock; before
  // the new record is stored, so a crash leaves the old grant held, never an orphan.
  async function releaseReplacedGrant(key: ConnectionKey, before: StoredConnection | null, newAccessToken: string): Promise<void> {
    const newUser = xeroUserIdOf(newAccessToken);
    const oldUser = before?.tokens == null ? undefined : xeroUserIdOf(before.tokens.accessToken);
    if (newUser === undefined || oldUser === undefined || oldUser === newUser) return;
    try {
      // Its access token may be stale: refreshed first (invalid_grant: dead already, nothing to give up).
      const fresh = await refresher.freshConnectionLocked(key);
      if (fresh?.tokens != null) await releaseGrant(oauth, fresh.tokens, grantTargets(fresh), clock);
    } catch (error) {
      // The new connection stands regardless; the host hears that a grant may still be live at Xero.
      onError(error);
    }
  }

  // GET /callback: Xero's redirect. An unknown state is answered here (400), never redirected:
  // its returnTo cannot be trusted. A known one always ends in a 302 to its returnTo.
  async function callbackRedirect(ctx: RequestContext): Promise<Response> {
    const state = ctx.url.searchParams.get('state');
    if (state === null || state === '') throw new XeroConnectionHandlerError('STATE_MISMATCH', 'The callback carries no state');
    const session = await takeConnectSession(store, state, { userId: ctx.caller.userId, key: ctx.key });
    try {
      assertSessionLive(session, clock());
      await completeRoundTrip(session, ctx.url.searchParams);
      return redirect(withOutcome(session.returnTo, null));
    } catch (error) {
      if (!(error instanceof XeroConnectionHandlerError)) onError(error);
      const code = error instanceof XeroConnectionHandlerError ? error.code : 'INTERNAL';
      return redirect(withOutcome(session.returnTo, code));
    }
  }

  // POST /callback {code, state}: the same for hosts that route the redirect to their own page.
  async function callbackJson(ctx: RequestContext): Promise<Response> {
    const body = await readBody(ctx.request, callbackRequestSchema);
    const session = await takeConnectSession(store, body.state, { userId: ctx.caller.userId, key: ctx.key });
    assertSessionLive(session, clock());
    const stored = await completeRoundTrip(session, new URLSearchParams({ code: body.code, state: body.state }));
    return json(connectionSchema, view(stored, ctx.contractMinor));
  }


  return { connect, callbackRedirect, callbackJson };
}
