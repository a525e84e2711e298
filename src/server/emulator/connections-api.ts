import { randomUUID } from 'node:crypto';

import type { ProviderContext } from 'oidc-provider';

import type { EmulatedOrganisation, XeroConnectionRecord } from './xero-emulator';

// Xero's /connections API (api.xero.com): not OAuth, so not oidc-provider's. The tenants each
// consent connected, listed and deleted with an access token oidc-provider issued.

export interface ConnectionsApi {
  /** Allow on the consent page: the chosen tenants are (re)connected under this authorisation event. */
  connect(authEventId: string, tenantIds: readonly string[]): void;
  /** A copy of the current connections. */
  list(): XeroConnectionRecord[];
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

  function json(ctx: ProviderContext, status: number, body: unknown): true {
    ctx.status = status;
    ctx.body = body;
    return true;
  }

  return {
    connect(authEventId, tenantIds) {
      const stamp = options.now().toISOString();
      for (const tenantId of tenantIds) {
        const org = options.organisations.find((candidate) => candidate.tenantId === tenantId);
        if (org === undefined) continue;
        const existing = connections.find((connection) => connection.tenantId === tenantId);
        if (existing !== undefined) {
          existing.authEventId = authEventId;
          existing.updatedDateUtc = stamp;
        } else {
          connections.push({ id: randomUUID(), authEventId, ...org, createdDateUtc: stamp, updatedDateUtc: stamp });
        }
      }
    },
    list: () => structuredClone(connections),
    removeTenant(tenantId) {
      connections = connections.filter((connection) => connection.tenantId !== tenantId);
    },
    clear() {
      connections = [];
    },
    async handle(ctx) {
      if (ctx.path !== '/connections' && !ctx.path.startsWith('/connections/')) return false;
      const bearer = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
      if (bearer === undefined || (await options.grantOfAccessToken(bearer)) === null) {
        const detail = `TokenExpired: token expired at ${options.now().toUTCString()}`;
        return json(ctx, 401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: detail });
      }
      if (ctx.method === 'GET' && ctx.path === '/connections') {
        const authEventId = ctx.query.authEventId;
        return json(
          ctx,
          200,
          connections.filter((connection) => authEventId === undefined || connection.authEventId === authEventId),
        );
      }
      if (ctx.method === 'DELETE' && ctx.path.startsWith('/connections/')) {
        const id = decodeURIComponent(ctx.path.slice('/connections/'.length));
        const before = connections.length;
        connections = connections.filter((connection) => connection.id !== id);
        if (connections.length === before) return json(ctx, 404, { Title: 'Not Found', Status: 404 });
        ctx.status = 204;
        return true;
      }
      return json(ctx, 404, { Title: 'Not Found', Status: 404 });
    },
  };
}
