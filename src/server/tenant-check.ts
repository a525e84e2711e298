import type { ConnectionKey, ConnectionStore, StoredConnection } from './connection-store';
import type { XeroOAuth } from './oauth';
import type { FreshConnection, Refresher } from './refresher';
import { listXeroConnections, organisationsOf, toTenant, XeroAccessTokenRejected, type XeroConnectionEntry } from './xero-connections';

/** What {@link createTenantCheck} needs from the handler. */
export interface TenantCheckDependencies {
  store: ConnectionStore;
  oauth: XeroOAuth;
  refresher: Refresher;
  clock: () => Date;
}

/**
 * Asks Xero (`GET /connections`) whether the linked organisation is still connected, for a caller
 * holding the connection's lock: refreshed first when due, once more when Xero refuses the access
 * token before its time. An organisation that removed the app in Xero (while refreshes still
 * work) is stored `needs_reauth` / `tenant_removed_in_xero`; a listed one is stored with Xero's
 * current name for it. A connection that is not `connected` is answered as it is, without a call.
 * Used by `POST /connection/verify` and by `xeroFetch` after Xero's 403 `AuthenticationUnsuccessful`.
 */
export function createTenantCheck({ store, oauth, refresher, clock }: TenantCheckDependencies) {
  type Linked = StoredConnection & { tokens: NonNullable<StoredConnection['tokens']>; tenant: NonNullable<StoredConnection['tenant']> };
  const linked = (connection: FreshConnection): connection is Linked =>
    connection !== null && connection.status === 'connected' && connection.tokens !== null && connection.tenant !== null;

  return async function checkTenantLocked(key: ConnectionKey): Promise<FreshConnection> {
    let fresh = await refresher.freshConnectionLocked(key);
    if (!linked(fresh)) return fresh;
    let entries: XeroConnectionEntry[];
    try {
      entries = await listXeroConnections(oauth, fresh.tokens.accessToken, clock());
    } catch (error) {
      if (!(error instanceof XeroAccessTokenRejected)) throw error;
      // The access token was refused before its time (revoked?): one forced refresh decides.
      fresh = await refresher.freshConnectionLocked(key, { force: true });
      if (!linked(fresh)) return fresh;
      entries = await listXeroConnections(oauth, fresh.tokens.accessToken, clock());
    }
    const now = clock().toISOString();
    const tenantId = fresh.tenant.tenantId;
    const entry = organisationsOf(entries).find((candidate) => candidate.tenantId === tenantId);
    const next: StoredConnection =
      entry === undefined
        ? {
            ...fresh,
            status: 'needs_reauth',
            needsReauthReason: 'tenant_removed_in_xero',
            organisationChoice: null,
            checkedAt: now,
            lastUsedAt: now,
            lastError: { code: 'XERO_TENANT_NOT_FOUND', message: 'The organisation is no longer connected in Xero', at: now },
          }
        : { ...fresh, tenant: toTenant(entry), checkedAt: now, lastUsedAt: now };
    await store.putConnection(key, next);
    return next;
  };
}

/** The function {@link createTenantCheck} makes. */
export type CheckTenantLocked = ReturnType<typeof createTenantCheck>;
