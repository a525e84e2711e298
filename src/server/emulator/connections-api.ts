import { randomUUID } from 'node:crypto';

import type { ProviderContext } from 'oidc-provider';

import { answerJson, answerNotFound, answerUnauthorized, bearerOf, connectionsTimestamp } from './xero-answers';
import type { EmulatedOrganisation, XeroConnectionRecord } from './xero-emulator';

// Xero's /connections API (api.xero.com): not OAuth, so not oidc-provider's. The tenants each
// consent connected, listed and deleted with an access token oidc-provider issued. Xero's paths
// are case-insensitive (its published schema spells it /Connections).

export interface ConnectionsApi {
  /** Allow on the consent page: the chosen tenants are (re)connected under this authorisation event. */
  connect(authEventId: string, tenantIds: readonly string[]): void;
  /** A copy of the current connections. */
  list(): XeroConnectionRecord[];
  /** Whether the tenant is connected now (the user's tokens reach it). */
  isConnected(tenantId: string): boolean;
  /** The organisation removes the app in Xero. */
  removeTenant(tenantId: string): void;
  /** Every connection of the user to the app is gone (revocation). */
  clear(): void;
  /** Answers GET /connections and DELETE /connections/{id}; `false` for any other request. */
  handle(ctx: ProviderContext): Promise<boolean>;
}

export interface ConnectionsApiOptions {
  organisations: readonly EmulatedOrganisation[];
  now: () => Date;
  /** The grant of a live access token, `null` otherwise. */
  grantOfAccessToken(accessToken: string): Promise<string | null>;
}

export function createConnectionsApi(options: ConnectionsApiOptions): ConnectionsApi {
  let connections: XeroConnectionRecord[] = [];

  return {
    connect(authEventId, tenantIds) {
      const stamp = connectionsTimestamp(options.now());
      for (const tenantId of tenantIds) {
        const org = options.organisations.find((candidate) => candidate.tenantId === tenantId);
        if (org === undefined) continue;
        const existing = connections.find((connection) => connection.tenantId === tenantId);
        if (existing !== undefined) {
          existing.authEventId = authEventId;
          existing.updatedDateUtc = stamp;
        } else {
          const { tenantId: id, tenantType, tenantName } = org;
          connections.push({ id: randomUUID(), authEventId, tenantId: id, tenantType, tenantName, createdDateUtc: stamp, updatedDateUtc: stamp });
        }
      }
    },
    list: () => structuredClone(connections),
    isConnected: (tenantId) => connections.some((connection) => connection.tenantId === tenantId),
    removeTenant(tenantId) {
      connections = connections.filter((connection) => connection.tenantId !== tenantId);
    },
    clear() {
      connections = [];
    },
    async handle(ctx) {
      const path = ctx.path.toLowerCase();
      if (path !== '/connections' && !path.startsWith('/connections/')) return false;
      const bearer = bearerOf(ctx);
      if (bearer === undefined || (await options.grantOfAccessToken(bearer)) === null) return answerUnauthorized(ctx, options.now());
      if (ctx.method === 'GET' && path === '/connections') {
        const authEventId = ctx.query.authEventId;
        return answerJson(
          ctx,
          200,
          connections.filter((connection) => authEventId === undefined || connection.authEventId === authEventId),
        );
      }
      if (ctx.method === 'DELETE' && path.startsWith('/connections/')) {
        const id = decodeURIComponent(ctx.path.slice('/connections/'.length)).toLowerCase();
        const before = connections.length;
        connections = connections.filter((connection) => connection.id !== id);
        if (connections.length === before) return answerNotFound(ctx);
        ctx.status = 204;
        return true;
      }
      return answerNotFound(ctx);
    },
  };
}
