import { randomUUID } from 'node:crypto';

import type { ProviderContext } from 'oidc-provider';

import { answerJson, answerNotFound, answerUnauthorized, bearerOf, connectionsTimestamp } from './xero-answers';
import type { TokenHolder } from './identity-provider';
import type { EmulatedOrganisation, XeroConnectionRecord } from './xero-emulator';

// Xero's /connections API (api.xero.com): not OAuth, so not oidc-provider's. The tenants each
// consent connected, listed and deleted with an access token oidc-provider issued. Xero's paths
// are case-insensitive (its published schema spells it /Connections).

export interface ConnectionsApi {
  /** Allow on the consent page: the chosen tenants are (re)connected for this Xero user under this authorisation event. */
  connect(userId: string, authEventId: string, tenantIds: readonly string[]): void;
  /** A copy of one Xero user's current connections. */
  list(userId: string): XeroConnectionRecord[];
  /** Whether the user's tokens reach the tenant now. */
  isConnected(userId: string, tenantId: string): boolean;
  /** The organisation removes the app in Xero: every user's connection to it goes. */
  removeTenant(tenantId: string): void;
  /** Every connection of this user to the app is gone (revocation); other users' stay. */
  clearUser(userId: string): void;
  /** Answers GET /connections and DELETE /connections/{id}; `false` for any other request. */
  handle(ctx: ProviderContext): Promise<boolean>;
}

export interface ConnectionsApiOptions {
  organisations: readonly EmulatedOrganisation[];
  now: () => Date;
  /** The grant and Xero user of a live access token, `null` otherwise. */
  holderOfAccessToken(accessToken: string): Promise<TokenHolder | null>;
}

// Xero keeps connections per user per app: two Xero users who connect the same organisation
// have a connection each, and one user's revocation or DELETE never touches the other's.
interface UserConnection {
  userId: string;
  record: XeroConnectionRecord;
}

export function createConnectionsApi(options: ConnectionsApiOptions): ConnectionsApi {
  let connections: UserConnection[] = [];
  const of = (userId: string) => connections.filter((connection) => connection.userId === userId).map((connection) => connection.record);

  return {
    connect(userId, authEventId, tenantIds) {
      const stamp = connectionsTimestamp(options.now());
      for (const tenantId of tenantIds) {
        const org = options.organisations.find((candidate) => candidate.tenantId === tenantId);
        if (org === undefined) continue;
        const existing = of(userId).find((record) => record.tenantId === tenantId);
        if (existing !== undefined) {
          existing.authEventId = authEventId;
          existing.updatedDateUtc = stamp;
        } else {
          const { tenantId: id, tenantType, tenantName } = org;
          connections.push({ userId, record: { id: randomUUID(), authEventId, tenantId: id, tenantType, tenantName, createdDateUtc: stamp, updatedDateUtc: stamp } });
        }
      }
    },
    list: (userId) => structuredClone(of(userId)),
    isConnected: (userId, tenantId) => of(userId).some((record) => record.tenantId === tenantId),
    removeTenant(tenantId) {
      connections = connections.filter((connection) => connection.record.tenantId !== tenantId);
    },
    clearUser(userId) {
      connections = connections.filter((connection) => connection.userId !== userId);
    },
    async handle(ctx) {
      const path = ctx.path.toLowerCase();
      if (path !== '/connections' && !path.startsWith('/connections/')) return false;
      const bearer = bearerOf(ctx);
      const holder = bearer === undefined ? null : await options.holderOfAccessToken(bearer);
      if (holder === null) return answerUnauthorized(ctx, options.now());
      if (ctx.method === 'GET' && path === '/connections') {
        const authEventId = ctx.query.authEventId;
        return answerJson(
          ctx,
          200,
          of(holder.userId).filter((record) => authEventId === undefined || record.authEventId === authEventId),
        );
      }
      if (ctx.method === 'DELETE' && path.startsWith('/connections/')) {
        const id = decodeURIComponent(ctx.path.slice('/connections/'.length)).toLowerCase();
        const before = connections.length;
        connections = connections.filter((connection) => connection.userId !== holder.userId || connection.record.id !== id);
        if (connections.length === before) return answerNotFound(ctx);
        ctx.status = 204;
        return true;
      }
      return answerNotFound(ctx);
    },
  };
}
