import type { StoredConnection, StoredTokens } from './connection-store';
import type { Tenant } from '../contract';
import type { XeroOAuth } from './oauth';
import { deleteXeroConnection, listXeroConnections, XeroAccessTokenRejected } from './xero-connections';

// Giving a grant up in Xero, as Disconnect does and as a reconnect by another Xero user does for
// the grant it replaces: its connections removed, then the grant revoked, but only when it reaches
// nothing else. Xero's revocation removes ALL of the Xero user's connections to the app, and the
// same user may have connected other organisations (other portal accounts) with other grants.

/** The organisations a stored grant was linked to: all of a consent still choosing, else its tenant. */
export function grantTargets(connection: StoredConnection): Tenant[] {
  if (connection.status === 'choosing_organisation') return [...(connection.organisationChoice?.organisations ?? [])];
  return connection.status !== 'disconnected' && connection.tenant !== null ? [connection.tenant] : [];
}

/**
 * Removes the grant's connections to `targets` in Xero (404 counts as removed), then revokes the
 * refresh token when `GET /connections` lists nothing more for the user. Answers whether every
 * target was removed; `false` when Xero refused the access token (the grant is dead already).
 * Any other failure of Xero's is thrown: nothing after it was done.
 */
export async function releaseGrant(oauth: XeroOAuth, tokens: StoredTokens, targets: readonly Tenant[], clock: () => Date): Promise<boolean> {
  if (targets.length === 0) return false;
  let removed = false;
  try {
    let all = true;
    for (const target of targets) all = (await deleteXeroConnection(oauth, tokens.accessToken, target.connectionId, clock())) && all;
    removed = all;
    const others = await listXeroConnections(oauth, tokens.accessToken, clock());
    if (others.length === 0) await oauth.revoke(tokens.refreshToken);
  } catch (error) {
    if (!(error instanceof XeroAccessTokenRejected)) throw error;
  }
  return removed;
}
