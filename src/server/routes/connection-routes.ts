import { connectionSchema, disconnectResponseSchema, type DisconnectResponse } from '../../contract';
import { json } from '../http-answers';
import { grantTargets, releaseGrant } from '../release-grant';
import { XeroConnectionHandlerError } from '../xero-error';
import type { HandlerCore, RequestContext } from './handler-core';

/** `GET /connection`, `POST /connection/verify` and `DELETE /connection`. */
export function connectionRoutes(core: HandlerCore) {
  const { store, lock, refresher, oauth, clock, checkTenantLocked, view } = core;

  async function getConnection(ctx: RequestContext): Promise<Response> {
    try {
      return json(connectionSchema, view(await refresher.freshConnection(ctx.key), ctx.contractMinor));
    } catch (error) {
      if (!(error instanceof XeroConnectionHandlerError)) throw error;
      const stored = await store.getConnection(ctx.key);
      const reported = view(stored, ctx.contractMinor);
      if (reported.status !== 'connected') return json(connectionSchema, reported);
      const now = clock().toISOString();
      return json(connectionSchema, {
        ...reported,
        status: 'error',
        reason: error.code === 'XERO_RATE_LIMITED' ? 'rate_limited' : 'xero_unavailable',
        lastError: { code: error.code, message: error.message, at: now },
      });
    }
  }

  // POST /connection/verify: refresh if due, then confirm with GET /connections that the tenant
  // is still connected (an organisation can remove the app in Xero while refreshes still work).
  async function verify(ctx: RequestContext): Promise<Response> {
    const stored = await lock(ctx.key, () => checkTenantLocked(ctx.key));
    return json(connectionSchema, view(stored, ctx.contractMinor));
  }


  // DELETE /connection: idempotent. Xero is told when it can be (DELETE /connections/{id}, then
  // revocation unless the grant still reaches other tenants); the local state is cleared when
  // the grant is already dead. A rate limit or outage clears nothing: the user can try again.
  async function disconnect(ctx: RequestContext): Promise<Response> {
    const remoteRemoved = await lock(ctx.key, async () => {
      const fresh = await refresher.freshConnectionLocked(ctx.key);
      if (fresh === null) return false;
      // While choosing, the grant reaches every organisation of the consent: all of them are removed.
      const removed = fresh.tokens === null ? false : await releaseGrant(oauth, fresh.tokens, grantTargets(fresh), clock);
      const now = clock().toISOString();
      await store.putConnection(ctx.key, {
        ...fresh,
        status: 'disconnected',
        needsReauthReason: null,
        // `tenant` stays (never reported) for a reconnect's mismatch to name; see StoredConnection.tenant.
        tokens: null,
        organisationChoice: null,
        keepAlive: null,
        checkedAt: now,
        lastError: null,
        disconnectedWhileNeeding: fresh.status === 'needs_reauth' ? fresh.needsReauthReason : null,
      });
      return removed;
    });
    const answer: DisconnectResponse = { status: 'disconnected', remoteRemoved };
    return json(disconnectResponseSchema, answer);
  }


  return { getConnection, verify, disconnect };
}
