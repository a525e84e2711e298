import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ProviderContext } from 'oidc-provider';

import type { XeroEndpoints } from '../xero-endpoints';
import { createConnectionsApi } from './connections-api';
import { consentPage } from './consent-page';
import { walkConsent } from './consent-walk';
import { createIdentityProvider, IDENTITY_PATHS, xeroProtocol } from './identity-provider';
import { readText } from './request-body';

// A local stand-in for Xero's identity server and its /connections API, on 127.0.0.1 only, for
// development, the demo and the tests. Not a security boundary.
//
// The OAuth side is oidc-provider 8.8.1, a certified OAuth 2.0 / OpenID Connect server: client
// authentication (client_secret_basic), exact redirect URIs, PKCE S256, single-use codes,
// rotating refresh tokens, revocation, and the consent page as its interaction (login + consent
// with a Grant). Version 8 because 9 refuses this project's Node 20. Emulated around it: a clock
// tests can advance (lifetimes are enforced on it in the store oidc-provider uses, since the
// library keeps real time), Xero's error bodies (400 {"error":"invalid_grant"}, no
// description), JWT access tokens carrying authentication_event_id, and Xero's /connections API,
// which accepts only access tokens oidc-provider issued. The client side is oauth4webapi.

const DAY_MS = 86_400_000;

/** An organisation the consent page offers. */
export interface EmulatedOrganisation {
  tenantId: string;
  tenantName: string;
  tenantType: 'ORGANISATION' | 'PRACTICE';
}

/** Options of {@link startXeroEmulator}. */
export interface XeroEmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Exact redirect URIs the app registered (Xero compares strings). */
  redirectUris: readonly string[];
  organisations?: readonly EmulatedOrganisation[];
  /** Days a refresh token lives unused. Default 60, like Xero. */
  refreshTokenLifetimeDays?: number;
  /** Access token lifetime. Default 1800 s, like Xero. */
  accessTokenLifetimeSeconds?: number;
  /** The starting time of the emulator's clock. Default now. */
  now?: Date;
  /** `true`: time moves only by {@link XeroEmulator.advance} (tests). Default `false`: real time plus advances. */
  frozenClock?: boolean;
  /**
   * The port to listen on, on 127.0.0.1. Default `0`: a free port, read back from
   * {@link XeroEmulator.url}. A fixed port suits a demo whose Xero app registration names it.
   */
  port?: number;
}

/** One request the emulator answered, for tests to count. */
export interface EmulatorRequest {
  method: string;
  path: string;
  /** `grant_type` of a token request. */
  grantType?: string;
  /** When it arrived, on the emulator's clock (ISO 8601). */
  at: string;
  /** The status it was answered with (set once answered). */
  status?: number;
  /** The `Retry-After` it was answered with, in seconds, when any. */
  retryAfterSeconds?: number;
}

/** A canned answer for the next matching request: rate limits and outages. */
export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
  body?: unknown;
}

/** A rate limit the emulator enforces, like Xero's: at most `calls` per `windowMs` (emulated clock) on a path prefix. */
export interface EmulatedRateLimit {
  calls: number;
  windowMs: number;
}

export interface XeroEmulator {
  readonly url: string;
  /** The endpoints to give `createXeroConnectionHandler`. */
  readonly endpoints: XeroEndpoints;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly organisations: readonly EmulatedOrganisation[];
  readonly requests: EmulatorRequest[];
  /** The emulator's clock, to share with the handler under test. */
  now(): Date;
  advance(ms: number): void;
  advanceDays(days: number): void;
  /**
   * "Clicks Allow" on the consent page for `authorizeUrl` (a real POST to the page's form, with
   * the cookies a browser would carry) and returns the redirect to the app,
   * `redirect_uri?code&state`. Rejects when the page answers an error (e.g. 400 for a
   * redirect URI the app did not register: that never goes back to the app).
   */
  approve(authorizeUrl: string, options?: { tenantIds?: readonly string[] }): Promise<string>;
  /** "Clicks Cancel": the redirect carries `error=access_denied`. */
  deny(authorizeUrl: string): Promise<string>;
  /** The organisation removes the app in Xero (Settings › Connected apps). Refreshes still work. */
  removeApp(tenantId: string): void;
  /**
   * The grant was revoked elsewhere (the user, Xero support, a security reset): every grant dies
   * with every refresh and access token issued under it, so the next refresh answers
   * `400 {"error":"invalid_grant"}`. The connections stay listed, as Xero would list them.
   */
  revokeAll(): void;
  /** Answers the next `times` (default 1) requests whose path starts with `pathPrefix` with this failure instead. */
  failNext(pathPrefix: string, failure: InjectedFailure, times?: number): void;
  /**
   * Enforces a rate limit on requests whose path starts with `pathPrefix`, on the emulated clock:
   * past `calls` in the last `windowMs`, answers 429 with `Retry-After` (whole seconds until a call
   * leaves the window), as Xero does. Returns a function that lifts it.
   */
  limitRate(pathPrefix: string, limit: EmulatedRateLimit): () => void;
  /** Xero's connections of the emulated user, as `GET /connections` would list them. */
  connections(): XeroConnectionRecord[];
  /** How many token requests of this grant type were made. */
  tokenCalls(grantType: 'authorization_code' | 'refresh_token'): number;
  close(): Promise<void>;
}

export interface XeroConnectionRecord {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: 'ORGANISATION' | 'PRACTICE';
  tenantName: string;
  createdDateUtc: string;
  updatedDateUtc: string;
}

const DEFAULT_ORGANISATIONS: readonly EmulatedOrganisation[] = [
  { tenantId: '3f1b6b3e-6a3e-4c1e-9f4e-0c6f2f1d2a10', tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION' },
  { tenantId: '8c2d4e6f-0a1b-4c3d-8e5f-6a7b8c9d0e1f', tenantName: 'Harbour View Homes', tenantType: 'ORGANISATION' },
];

/** Starts the emulator on 127.0.0.1, on `options.port` (default: a free port). */
export async function startXeroEmulator(options: XeroEmulatorOptions): Promise<XeroEmulator> {
  const clientId = options.clientId ?? 'emulator-client-id';
  const clientSecret = options.clientSecret ?? 'emulator-client-secret';
  const organisations = options.organisations ?? DEFAULT_ORGANISATIONS;
  const startedAt = Date.now();
  const start = options.now?.getTime() ?? startedAt;
  let offsetMs = 0;
  const now = () => new Date(start + offsetMs + (options.frozenClock === true ? 0 : Date.now() - startedAt));

  const requests: EmulatorRequest[] = [];
  const failures: { prefix: string; failure: InjectedFailure }[] = [];
  const limits = new Set<{ prefix: string; limit: EmulatedRateLimit; calls: number[] }>();

  // A 429 for a request over one of the rate limits, or undefined (the request then counts).
  function overLimit(path: string): InjectedFailure | undefined {
    const at = now().getTime();
    for (const entry of limits) {
      if (!path.startsWith(entry.prefix)) continue;
      entry.calls = entry.calls.filter((time) => time > at - entry.limit.windowMs);
      const oldest = entry.calls[0];
      if (oldest !== undefined && entry.calls.length >= entry.limit.calls) {
        return { status: 429, retryAfterSeconds: Math.max(1, Math.ceil((oldest + entry.limit.windowMs - at) / 1000)) };
      }
    }
    for (const entry of limits) if (path.startsWith(entry.prefix)) entry.calls.push(at);
    return undefined;
  }

  // The issuer names the port, so the server listens before oidc-provider is made.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const identity = await createIdentityProvider({
    issuer: url,
    clientId,
    clientSecret,
    redirectUris: options.redirectUris,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 1800,
    refreshTokenLifetimeMs: (options.refreshTokenLifetimeDays ?? 60) * DAY_MS,
    now,
  }).catch((error: unknown) => {
    server.close();
    throw error;
  });
  const { provider } = identity;
  const connections = createConnectionsApi({ organisations, now, grantOfAccessToken: (token) => identity.grantOfAccessToken(token) });
  const consent = consentPage({
    provider,
    organisations,
    async allow(interaction, tenantIds) {
      const grantId = await identity.grantRequested(interaction);
      connections.connect(grantId, tenantIds);
      return grantId;
    },
  });
  // In front of everything: count the request, play an injected failure, or answer the pages and
  // the API that are Xero's rather than OAuth's. The rest is oidc-provider's.
  provider.use(async (ctx, next) => {
    const entry: EmulatorRequest = { method: ctx.method, path: ctx.path, at: now().toISOString() };
    requests.push(entry);
    const isToken = ctx.path === IDENTITY_PATHS.token;
    try {
      const index = failures.findIndex((candidate) => ctx.path.startsWith(candidate.prefix));
      const failure = index === -1 ? overLimit(ctx.path) : failures.splice(index, 1)[0]?.failure;
      if (failure !== undefined) {
        if (isToken) entry.grantType = new URLSearchParams(await readText(ctx.req)).get('grant_type') ?? '';
        if (failure.retryAfterSeconds !== undefined) entry.retryAfterSeconds = failure.retryAfterSeconds;
        return answerFailure(ctx, failure);
      }
      if ((await consent(ctx)) || (await connections.handle(ctx))) return;
      await next();
      if (isToken) entry.grantType = grantTypeOf(ctx);
    } catch (error) {
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = String(error);
    } finally {
      entry.status = ctx.status;
    }
  });
  provider.use(
    xeroProtocol(() => {
      // Revocation removes all of the user's connections to the app, and every grant with them.
      identity.store.revokeAllGrants();
      connections.clear();
    }),
  );
  server.on('request', provider.callback());

  return {
    url,
    endpoints: {
      authorizationEndpoint: `${url}${IDENTITY_PATHS.authorization}`,
      tokenEndpoint: `${url}${IDENTITY_PATHS.token}`,
      revocationEndpoint: `${url}${IDENTITY_PATHS.revocation}`,
      connectionsUrl: `${url}/connections`,
      issuer: url,
      apiBaseUrl: url,
    },
    clientId,
    clientSecret,
    organisations,
    requests,
    now,
    advance(ms) {
      offsetMs += ms;
    },
    advanceDays(days) {
      offsetMs += days * DAY_MS;
    },
    approve(authorizeUrl, approveOptions = {}) {
      const first = organisations[0];
      return walkConsent(authorizeUrl, { decision: 'allow', tenantIds: approveOptions.tenantIds ?? (first === undefined ? [] : [first.tenantId]) });
    },
    deny(authorizeUrl) {
      return walkConsent(authorizeUrl, { decision: 'cancel', tenantIds: [] });
    },
    removeApp(tenantId) {
      connections.removeTenant(tenantId);
    },
    revokeAll() {
      identity.store.revokeAllGrants();
    },
    failNext(pathPrefix, failure, times = 1) {
      for (let count = 0; count < times; count += 1) failures.push({ prefix: pathPrefix, failure });
    },
    limitRate(pathPrefix, limit) {
      const entry = { prefix: pathPrefix, limit, calls: [] as number[] };
      limits.add(entry);
      return () => {
        limits.delete(entry);
      };
    },
    connections: () => connections.list(),
    tokenCalls: (grantType) => requests.filter((request) => request.path === IDENTITY_PATHS.token && request.grantType === grantType).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function answerFailure(ctx: ProviderContext, failure: InjectedFailure): void {
  ctx.status = failure.status;
  if (failure.retryAfterSeconds !== undefined) ctx.set('retry-after', String(failure.retryAfterSeconds));
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(failure.body ?? { Title: 'Too Many Requests', Status: failure.status });
}

function grantTypeOf(ctx: ProviderContext): string {
  const grantType = ctx.oidc?.params?.grant_type;
  return typeof grantType === 'string' ? grantType : '';
}
