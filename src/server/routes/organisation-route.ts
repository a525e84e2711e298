import { chooseOrganisationRequestSchema, connectionSchema } from '../../contract';
import type { StoredConnection, StoredTokens } from '../connection-store';
import { json, readBody } from '../http-answers';
import { deleteXeroConnection, XeroAccessTokenRejected } from '../xero-connections';
import { XeroConnectionHandlerError } from '../xero-error';
import type { HandlerCore, RequestContext } from './handler-core';

/** `POST /connection/organisation` (contract 1.1). */
export function organisationRoute(core: HandlerCore) {
  const { store, lock, refresher, oauth, clock, view } = core;

  // POST /connection/organisation {tenantId} (contract 1.1): link the chosen organisation of a
  // choosing_organisation connection and remove the others' connections in Xero, so the grant
  // reaches nothing the portal does not use.
  async function chooseOrganisation(ctx: RequestContext): Promise<Response> {
    const body = await readBody(ctx.request, chooseOrganisationRequestSchema);
    const stored = await lock(ctx.key, async () => {
      const current = await store.getConnection(ctx.key);
      const choice = current?.status === 'choosing_organisation' ? current.organisationChoice : null;
      if (choice === null || choice === undefined) {
        const status = current === null ? 'never connected' : current.status;
        throw new XeroConnectionHandlerError('VALIDATION_FAILED', `There is no organisation to choose: the connection is ${status}`);
      }
      const chosen = choice.organisations.find((candidate) => candidate.tenantId === body.tenantId);
      if (chosen === undefined) {
        throw new XeroConnectionHandlerError('XERO_TENANT_NOT_FOUND', 'That organisation is not one of those Xero granted: choose one of `organisations`');
      }
      const others = choice.organisations.filter((candidate) => candidate.tenantId !== chosen.tenantId);
      const live = async (force: boolean): Promise<StoredConnection & { tokens: StoredTokens }> => {
        const fresh = await refresher.freshConnectionLocked(ctx.key, { force });
        if (fresh === null || fresh.status !== 'choosing_organisation' || fresh.tokens === null) {
          // Xero answered invalid_grant: the refresher stored needs_reauth.
          throw new XeroConnectionHandlerError('XERO_INVALID_GRANT', 'Xero no longer accepts this authorisation: connect again');
        }
        return { ...fresh, tokens: fresh.tokens };
      };
      const removeOthers = async (accessToken: string) => {
        for (const other of others) await deleteXeroConnection(oauth, accessToken, other.connectionId, clock());
      };
      let fresh = await live(false);
      try {
        await removeOthers(fresh.tokens.accessToken);
      } catch (error) {
        if (!(error instanceof XeroAccessTokenRejected)) throw error;
        // Refused before its time: one forced refresh, and the removals again (404 counts as done).
        fresh = await live(true);
        await removeOthers(fresh.tokens.accessToken);
      }
      const now = clock().toISOString();
      const next: StoredConnection = {
        ...fresh,
        status: 'connected',
        needsReauthReason: null,
        tenant: chosen,
        organisationChoice: null,
        checkedAt: now,
        lastUsedAt: now,
        lastError: null,
      };
      await store.putConnection(ctx.key, next);
      return next;
    });
    return json(connectionSchema, view(stored, ctx.contractMinor));
  }


  return { chooseOrganisation };
}
