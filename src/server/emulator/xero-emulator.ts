import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ProviderContext } from 'oidc-provider';

import type { XeroEndpoints } from '../xero-endpoints';
import type { ApiLimits, RateLimitProblem } from './api-limits';
import { createConnectionsApi } from './connections-api';
import { consentPage } from './consent-page';
import { walkConsent } from './consent-walk';
import { authorizeDirectly, type EmulatedTokenSet } from './direct-client';
import { createIdentityProvider, EMULATED_USER, IDENTITY_PATHS, xeroProtocol } from './identity-provider';
import { readText } from './request-body';
import { createXeroApi, type XeroRecord } from './xero-api';

export type { ApiLimits, RateLimitProblem } from './api-limits';
export { XERO_API_LIMITS } from './api-limits';
export { REFRESH_TOKEN_REUSE_WINDOW_MS } from './identity-provider';
export type { XeroRecord } from './xero-api';
export type { EmulatedTokenSet } from './direct-client';

// A local stand-in for Xero's identity server, its /connections API and a minimal Accounting and
// AU Payroll API, on 127.0.0.1 only, for development, the demo and the tests. Not a security
// boundary.
//
// The OAuth side is oidc-provider 8.8.1, a certified OAuth 2.0 / OpenID Connect server: client
// authentication (client_secret_basic), exact redirect URIs, PKCE S256, single-use codes,
// rotating refresh tokens, revocation, and the consent page as its interaction (login + consent
// with a Grant). Version 8 because 9 refuses this project's Node 20. Emulated around it: a clock
// tests can advance (lifetimes are enforced on it in the store oidc-provider uses, since the
// library keeps real time), Xero's error bodies (400 {"error":"invalid_grant"}, no
// description), refresh tokens reusable for 30 minutes after their first use, JWT access tokens
// carrying authentication_event_id (a UUID per consent), and Xero's APIs (/connections, Invoices,
// Organisation, Timesheets) with their rate limits, which accept only access tokens oidc-provider
// issued. The client side is oauth4webapi.

const DAY_MS = 86_400_000;

/**
 * Xero's tenant types. Only ORGANISATION tenants serve the Accounting and Payroll APIs;
 * PRACTICEMANAGER tenants come with `tenantName: null`; any other value may appear.
 */
export type XeroTenantType = 'ORGANISATION' | 'PRACTICE' | 'PRACTICEMANAGER' | (string & {});

/** A tenant the consent page offers (an organisation, a practice, ...). */
export interface EmulatedOrganisation {
  tenantId: string;
  /** `null` as Xero lists PRACTICEMANAGER tenants. */
  tenantName: string | null;
  tenantType: XeroTenantType;
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
  /** An API call's `Xero-tenant-id` (lower case). */
  tenantId?: string;
  /** An API call's `Idempotency-Key`. */
  idempotencyKey?: string;
  /** `true`: a write whose Idempotency-Key was seen before, answered with the first answer. */
  idempotentReplay?: boolean;
  /** The `X-Rate-Limit-Problem` of an API call refused with 429. */
  rateLimitProblem?: RateLimitProblem;
}

/** A canned answer for the next matching request: rate limits and outages. */
export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
  body?: unknown;
  /** Extra response headers (e.g. `X-Rate-Limit-Problem`). */
  headers?: Readonly<Record<string, string>>;
  /**
   * `true`: the request is carried out first (a write is stored, a refresh rotates the tokens),
   * and only its answer is replaced by this one: an answer lost on the way back (502/503/504).
   */
  afterApplying?: boolean;
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
  approve(authorizeUrl: string, options?: ApproveOptions): Promise<string>;
  /** "Clicks Cancel": the redirect carries `error=access_denied`. */
  deny(authorizeUrl: string): Promise<string>;
  /**
   * The whole code flow as the registered client, without a handler (PKCE, Allow for `tenantIds`,
   * default the first organisation; the code exchanged at the token endpoint with the first
   * registered redirect URI): answers the token set. For tests that call Xero's APIs directly.
   */
  authorizeDirectly(options?: ApproveOptions & { scope?: string }): Promise<EmulatedTokenSet>;
  /** The organisation removes the app in Xero (Settings › Connected apps). Refreshes still work. */
  removeApp(tenantId: string): void;
  /**
   * The grant was revoked elsewhere (the user, Xero support, a security reset): every grant dies
   * with every refresh and access token issued under it, so the next refresh answers
   * `400 {"error":"invalid_grant"}`. The connections stay listed, as Xero would list them.
   */
  revokeAll(): void;
  /**
   * Answers the next `times` (default 1) requests whose path starts with `pathPrefix` (compared
   * case-insensitively) with this failure instead; after carrying them out with `afterApplying`.
   */
  failNext(pathPrefix: string, failure: InjectedFailure, times?: number): void;
  /**
   * Enforces a rate limit on requests whose path starts with `pathPrefix`, on the emulated clock:
   * past `calls` in the last `windowMs`, answers 429 with `Retry-After` (whole seconds until a call
   * leaves the window), as Xero does. Returns a function that lifts it.
   */
  limitRate(pathPrefix: string, limit: EmulatedRateLimit): () => void;
  /** Xero's connections of a Xero user (default {@link EMULATED_USER}), as `GET /connections` would list them. */
  connections(xeroUserId?: string): XeroConnectionRecord[];
  /** A copy of the invoices the Accounting API holds for this organisation, in the order written. */
  invoices(tenantId: string): XeroRecord[];
  /** A copy of the AU Payroll timesheets this organisation holds, in the order written. */
  timesheets(tenantId: string): XeroRecord[];
  /**
   * Changes the API rate limits (per tenant: `minute` 60, `day` 5,000, `concurrent` 5; app-wide
   * `appMinute` 10,000). Returns a function restoring Xero's defaults.
   */
  setApiLimits(limits: Partial<ApiLimits>): () => void;
  /**
   * Holds every Accounting and Payroll API answer, once the call is admitted (it counts as in
   * flight for the concurrency limit), until the returned function is called.
   */
  holdApi(): () => void;
  /** How many API calls of this tenant are in flight (admitted, not yet answered). */
  apiInFlight(tenantId: string): number;
  /** How many token requests of this grant type were made. */
  tokenCalls(grantType: 'authorization_code' | 'refresh_token'): number;
  close(): Promise<void>;
}

/** What Allow on the consent page is clicked with. */
export interface ApproveOptions {
  /** The tenants ticked; default the first organisation. */
  tenantIds?: readonly string[];
  /**
   * The Xero user who signs in; default {@link EMULATED_USER}. Xero keeps connections per user:
   * another user's consent, DELETE or revocation never touches this one's.
   */
  xeroUserId?: string;
}

/** One entry of `GET /connections`. Timestamps as Xero writes them: UTC without an offset (`2019-12-07T18:46:19.5165400`). */
export interface XeroConnectionRecord {
  id: string;
  /** A UUID shared by the connections one consent made. */
  authEventId: string;
  tenantId: string;
  tenantType: XeroTenantType;
  tenantName: string | null;
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

  const defaultTenantIds = () => organisations.slice(0, 1).map((org) => org.tenantId);
  const requests: EmulatorRequest[] = [];
  const failures: { prefix: string; failure: InjectedFailure }[] = [];
  const limits = new Set<{ prefix: string; limit: EmulatedRateLimit; calls: number[] }>();

  const matches = (path: string, prefix: string) => path.toLowerCase().startsWith(prefix.toLowerCase());

  // A 429 for a request over one of the rate limits, or undefined (the request then counts).
  function overLimit(path: string): InjectedFailure | undefined {
    const at = now().getTime();
    for (const entry of limits) {
      if (!matches(path, entry.prefix)) continue;
      entry.calls = entry.calls.filter((time) => time > at - entry.limit.windowMs);
      const oldest = entry.calls[0];
      if (oldest !== undefined && entry.calls.length >= entry.limit.calls) {
        return { status: 429, retryAfterSeconds: Math.max(1, Math.ceil((oldest + entry.limit.windowMs - at) / 1000)) };
      }
    }
    for (const entry of limits) if (matches(path, entry.prefix)) entry.calls.push(at);
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
  const holderOfAccessToken = (token: string) => identity.holderOfAccessToken(token);
  const connections = createConnectionsApi({ organisations, now, holderOfAccessToken });
  const api = createXeroApi({ organisations, now, holderOfAccessToken, isConnected: (userId, tenantId) => connections.isConnected(userId, tenantId) });
  const consent = consentPage({
    provider,
    organisations,
    async allow(interaction, userId, tenantIds) {
      const grantId = await identity.grantRequested(interaction, userId);
      connections.connect(userId, identity.authEventOf(grantId), tenantIds);
      return grantId;
    },
  });
  // In front of everything: count the request, play an injected failure, or answer the pages and
  // the APIs that are Xero's rather than OAuth's. The rest is oidc-provider's.
  provider.use(async (ctx, next) => {
    const entry: EmulatorRequest = { method: ctx.method, path: ctx.path, at: now().toISOString() };
    requests.push(entry);
    const isToken = ctx.path === IDENTITY_PATHS.token;
    try {
      const index = failures.findIndex((candidate) => matches(ctx.path, candidate.prefix));
      const injected = index === -1 ? undefined : failures.splice(index, 1)[0]?.failure;
      const failure = injected === undefined ? overLimit(ctx.path) : injected.afterApplying === true ? undefined : injected;
      if (failure !== undefined) {
        if (isToken) entry.grantType = new URLSearchParams(await readText(ctx.req)).get('grant_type') ?? '';
        return answerFailure(ctx, entry, failure);
      }
      if (!(await consent(ctx)) && !(await connections.handle(ctx)) && !(await api.handle(ctx, entry))) {
        await next();
        if (isToken) entry.grantType = grantTypeOf(ctx);
      }
      // Carried out, and the answer lost on the way back.
      if (injected !== undefined) answerFailure(ctx, entry, injected);
    } catch (error) {
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = String(error);
    } finally {
      entry.status = ctx.status;
    }
  });
  provider.use(
    xeroProtocol((userId) => {
      // Revocation removes all of the user's connections to the app, and every grant with them;
      // other Xero users' stay.
      identity.store.revokeGrantsOf(userId);
      connections.clearUser(userId);
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
      return walkConsent(authorizeUrl, {
        decision: 'allow',
        tenantIds: approveOptions.tenantIds ?? defaultTenantIds(),
        ...(approveOptions.xeroUserId === undefined ? {} : { xeroUserId: approveOptions.xeroUserId }),
      });
    },
    deny(authorizeUrl) {
      return walkConsent(authorizeUrl, { decision: 'cancel', tenantIds: [] });
    },
    authorizeDirectly({ tenantIds = defaultTenantIds(), scope, xeroUserId } = {}) {
      const redirectUri = options.redirectUris[0];
      if (redirectUri === undefined) return Promise.reject(new Error('The emulator has no registered redirect URI'));
      const client = { clientId, clientSecret, redirectUri, authorizationEndpoint: `${url}${IDENTITY_PATHS.authorization}`, tokenEndpoint: `${url}${IDENTITY_PATHS.token}` };
      return authorizeDirectly(client, { tenantIds, ...(scope === undefined ? {} : { scope }), ...(xeroUserId === undefined ? {} : { xeroUserId }) });
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
    connections: (xeroUserId = EMULATED_USER) => connections.list(xeroUserId),
    invoices: (tenantId) => api.invoices(tenantId),
    timesheets: (tenantId) => api.timesheets(tenantId),
    setApiLimits: (apiLimits) => api.setLimits(apiLimits),
    holdApi: () => api.hold(),
    apiInFlight: (tenantId) => api.inFlight(tenantId),
    tokenCalls: (grantType) => requests.filter((request) => request.path === IDENTITY_PATHS.token && request.grantType === grantType).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function answerFailure(ctx: ProviderContext, entry: EmulatorRequest, failure: InjectedFailure): void {
  ctx.status = failure.status;
  if (failure.retryAfterSeconds !== undefined) {
    ctx.set('retry-after', String(failure.retryAfterSeconds));
    entry.retryAfterSeconds = failure.retryAfterSeconds;
  }
  for (const [name, value] of Object.entries(failure.headers ?? {})) ctx.set(name, value);
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(failure.body ?? { Title: STATUS_CODES[failure.status] ?? 'Error', Status: failure.status });
}

function grantTypeOf(ctx: ProviderContext): string {
  const grantType = ctx.oidc?.params?.grant_type;
  return typeof grantType === 'string' ? grantType : '';
}
