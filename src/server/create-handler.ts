import {
  callbackRequestSchema,
  connectionSchema,
  connectRequestSchema,
  connectResponseSchema,
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  disconnectResponseSchema,
  ERROR_CODE_INFO,
  PROBLEM_CONTENT_TYPE,
  problemSchema,
  problemTypeFor,
  type Connection,
  type ConnectResponse,
  type DisconnectResponse,
  type ErrorCode,
  type Problem,
} from '../contract';
import { outcomeForCode, withConnectOutcome } from '../client/connect-return';
import { assertSessionLive, DEFAULT_CONNECT_SESSION_TTL_MS, startConnectSession, takeConnectSession } from './connect-sessions';
import {
  createMemoryConnectionStore,
  type ConnectionKey,
  type ConnectionStore,
  type ConnectSession,
  type StoredConnection,
} from './connection-store';
import { toContractConnection } from './connection-view';
import { createXeroOAuth } from './oauth';
import { composeConnectionLock, createKeyedLock, createRefresher, type Refresher } from './refresher';
import { isAllowedReturnTo } from './return-to';
import {
  authEventIdOf,
  deleteXeroConnection,
  listXeroConnections,
  toTenant,
  XeroAccessTokenRejected,
  type XeroConnectionEntry,
} from './xero-connections';
import { resolveXeroEndpoints, type XeroEndpoints } from './xero-endpoints';
import { XeroConnectionHandlerError } from './xero-error';

/** Who is calling, as the host's own session says. */
export interface AuthenticatedCaller {
  /** The portal user. A connect round trip can only be finished by the user who started it. */
  userId: string;
  /** Whether the user may connect, reconnect and disconnect. Reads and `verify` need only a session. */
  canManage: boolean;
  /** Shown as `connectedBy.displayName`; defaults to `userId`. */
  displayName?: string;
  /**
   * The portal account (care provider, organisation) whose connection this is. One connection per
   * integration per account; default `'default'` for single-account portals.
   */
  accountId?: string;
}

/** Options of {@link createXeroConnectionHandler}. */
export interface XeroConnectionHandlerOptions {
  /** The path the handler is mounted at, e.g. `/api/integrations/xero-billing`. Routes are relative to it. */
  basePath: string;
  /** The host's authentication: `null` for no session (401). Runs before anything else, on every request. */
  authenticate: (request: Request) => AuthenticatedCaller | null | Promise<AuthenticatedCaller | null>;
  clientId: string;
  clientSecret: string;
  /** The redirect URI registered with Xero, exactly (Xero compares strings): this handler's `GET /callback`. */
  redirectUri: string;
  /** Scopes to request; `offline_access` is always added. */
  scopes: readonly string[];
  /** Origins besides the request's own that `returnTo` may point at (exact origins, no wildcards). */
  allowedReturnOrigins?: readonly string[];
  /** Where the tokens live. Default: in memory (tests, the demo, one process). */
  store?: ConnectionStore;
  /** Xero's endpoints, for the local emulator. http is accepted on loopback only. */
  endpoints?: Partial<XeroEndpoints>;
  /** Names this integration in the store when several share one; default `basePath`. */
  integrationKey?: string;
  /** Xero's refresh token lifetime when unused, reported to the UI. Default 60. */
  refreshTokenLifetimeDays?: number;
  /** How long a connect round trip may take. Default 10 minutes. */
  connectSessionTtlMs?: number;
  /** The clock; tests share the emulator's. */
  clock?: () => Date;
  /** The fetch used to reach Xero. Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /** Called with failures the handler answers as `INTERNAL`. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** A Fetch-API handler: mount it in node:http, Hono, Next.js route handlers, or Express through an adapter. */
export type XeroConnectionHandler = (request: Request) => Promise<Response>;

interface Context {
  request: Request;
  url: URL;
  caller: Required<AuthenticatedCaller>;
  key: ConnectionKey;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/**
 * The reference backend of the contract, against Xero (or the local emulator). Every response
 * carries the contract version header; every error is `application/problem+json`; every body is
 * checked against the contract's schemas before it is sent.
 */
export function createXeroConnectionHandler(options: XeroConnectionHandlerOptions): XeroConnectionHandler {
  if (typeof options.authenticate !== 'function') {
    throw new TypeError('createXeroConnectionHandler: `authenticate` is required: no endpoint answers without it.');
  }
  const basePath = options.basePath.replace(/\/+$/, '');
  const clock = options.clock ?? (() => new Date());
  const store = options.store ?? createMemoryConnectionStore();
  const lifetimeDays = options.refreshTokenLifetimeDays ?? 60;
  const sessionTtlMs = options.connectSessionTtlMs ?? DEFAULT_CONNECT_SESSION_TTL_MS;
  const integrationKey = options.integrationKey ?? basePath;
  const allowedReturnOrigins = options.allowedReturnOrigins ?? [];
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const oauth = createXeroOAuth({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    scopes: options.scopes,
    endpoints: resolveXeroEndpoints(options.endpoints),
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    clock,
  });
  // Token work runs under this process's lock, then the store's own when it is shared between
  // instances (PostgreSQL): one refresh per connection across the whole deployment.
  const lock = composeConnectionLock(createKeyedLock(), store);
  const refresher: Refresher = createRefresher({ store, oauth, lock, clock, refreshTokenLifetimeDays: lifetimeDays });

  function view(stored: StoredConnection | null): Connection {
    return toContractConnection(stored, lifetimeDays, clock());
  }

  // ---------------------------------------------------------------------------------------------
  // GET /connection: the stored state, refreshed first when the access token is stale (so the
  // refresh token's window slides whenever anyone looks). No call to GET /connections: that is verify.
  async function getConnection(ctx: Context): Promise<Response> {
    try {
      return json(connectionSchema, view(await refresher.freshConnection(ctx.key)));
    } catch (error) {
      if (!(error instanceof XeroConnectionHandlerError)) throw error;
      const stored = await store.getConnection(ctx.key);
      const reported = view(stored);
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
  async function verify(ctx: Context): Promise<Response> {
    const stored = await lock(ctx.key, async () => {
      let fresh = await refresher.freshConnectionLocked(ctx.key);
      if (fresh === null || fresh.status !== 'connected' || fresh.tokens === null || fresh.tenant === null) return fresh;
      let entries: XeroConnectionEntry[];
      try {
        entries = await listXeroConnections(oauth, fresh.tokens.accessToken, clock());
      } catch (error) {
        if (!(error instanceof XeroAccessTokenRejected)) throw error;
        // The access token was refused before its time (revoked?): one forced refresh decides.
        fresh = await refresher.freshConnectionLocked(ctx.key, { force: true });
        if (fresh === null || fresh.status !== 'connected' || fresh.tokens === null || fresh.tenant === null) return fresh;
        entries = await listXeroConnections(oauth, fresh.tokens.accessToken, clock());
      }
      const now = clock().toISOString();
      const tenantId = fresh.tenant.tenantId;
      const entry = entries.find((candidate) => candidate.tenantId === tenantId);
      const next: StoredConnection =
        entry === undefined
          ? {
              ...fresh,
              status: 'needs_reauth',
              needsReauthReason: 'tenant_removed_in_xero',
              checkedAt: now,
              lastUsedAt: now,
              lastError: { code: 'XERO_TENANT_NOT_FOUND', message: 'The organisation is no longer connected in Xero', at: now },
            }
          : { ...fresh, tenant: toTenant(entry), checkedAt: now, lastUsedAt: now };
      await store.putConnection(ctx.key, next);
      return next;
    });
    return json(connectionSchema, view(stored));
  }

  // POST /connect: a single-use state bound to this user, a PKCE verifier, Xero's authorize URL.
  async function connect(ctx: Context): Promise<Response> {
    const body = await readBody(ctx.request, connectRequestSchema);
    if (!isAllowedReturnTo(body.returnTo, ctx.request.url, allowedReturnOrigins)) {
      throw new XeroConnectionHandlerError('VALIDATION_FAILED', '`returnTo` must be on this origin or an allowlisted one');
    }
    let expectedTenantId = body.expectedTenantId ?? null;
    if (body.mode === 'reauth' && expectedTenantId === null) {
      expectedTenantId = (await store.getConnection(ctx.key))?.tenant?.tenantId ?? null;
    }
    const now = clock();
    const { session, codeChallenge } = await startConnectSession(store, {
      key: ctx.key,
      userId: ctx.caller.userId,
      displayName: ctx.caller.displayName,
      returnTo: body.returnTo,
      mode: body.mode,
      expectedTenantId,
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

  // The shared half of both callbacks: the code for tokens, the tenant, the store.
  async function completeRoundTrip(session: ConnectSession, params: URLSearchParams): Promise<StoredConnection> {
    return lock(session.key, async () => {
      const tokens = await oauth.exchangeCode(params, session.state, session.codeVerifier);
      const authEventId = authEventIdOf(tokens.accessToken);
      let entries = await listXeroConnections(oauth, tokens.accessToken, clock(), authEventId);
      // Without an auth event id (or when Xero lists nothing for it), fall back to all tenants.
      if (entries.length === 0 && authEventId !== undefined) entries = await listXeroConnections(oauth, tokens.accessToken, clock());
      const entry =
        session.expectedTenantId !== null
          ? entries.find((candidate) => candidate.tenantId === session.expectedTenantId)
          : entries[0];
      if (entry === undefined) {
        if (session.expectedTenantId !== null && entries.length > 0) {
          throw new XeroConnectionHandlerError('XERO_TENANT_MISMATCH', 'Xero connected a different organisation than the one expected');
        }
        throw new XeroConnectionHandlerError('XERO_TENANT_NOT_FOUND', 'Xero listed no organisation for this authorisation');
      }
      const now = clock();
      const stored: StoredConnection = {
        status: 'connected',
        needsReauthReason: null,
        tenant: toTenant(entry),
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
      await store.putConnection(session.key, stored);
      return stored;
    });
  }

  // GET /callback: Xero's redirect. An unknown state is answered here (400), never redirected:
  // its returnTo cannot be trusted. A known one always ends in a 302 to its returnTo.
  async function callbackRedirect(ctx: Context): Promise<Response> {
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
  async function callbackJson(ctx: Context): Promise<Response> {
    const body = await readBody(ctx.request, callbackRequestSchema);
    const session = await takeConnectSession(store, body.state, { userId: ctx.caller.userId, key: ctx.key });
    assertSessionLive(session, clock());
    const stored = await completeRoundTrip(session, new URLSearchParams({ code: body.code, state: body.state }));
    return json(connectionSchema, view(stored));
  }

  // DELETE /connection: idempotent. Xero is told when it can be (DELETE /connections/{id}, then
  // revocation unless the grant still reaches other tenants); the local state is cleared when
  // the grant is already dead. A rate limit or outage clears nothing: the user can try again.
  async function disconnect(ctx: Context): Promise<Response> {
    const remoteRemoved = await lock(ctx.key, async () => {
      const fresh = await refresher.freshConnectionLocked(ctx.key);
      if (fresh === null) return false;
      let removed = false;
      if (fresh.status === 'connected' || fresh.status === 'needs_reauth') {
        if (fresh.tokens !== null && fresh.tenant !== null) {
          try {
            removed = await deleteXeroConnection(oauth, fresh.tokens.accessToken, fresh.tenant.connectionId, clock());
            const others = await listXeroConnections(oauth, fresh.tokens.accessToken, clock());
            if (others.length === 0) await oauth.revoke(fresh.tokens.refreshToken);
          } catch (error) {
            if (!(error instanceof XeroAccessTokenRejected)) throw error;
          }
        }
      }
      const now = clock().toISOString();
      await store.putConnection(ctx.key, {
        ...fresh,
        status: 'disconnected',
        needsReauthReason: null,
        tenant: null,
        tokens: null,
        checkedAt: now,
        lastError: null,
      });
      return removed;
    });
    const answer: DisconnectResponse = { status: 'disconnected', remoteRemoved };
    return json(disconnectResponseSchema, answer);
  }

  const table: Record<string, Record<string, { manage: boolean; run: (ctx: Context) => Promise<Response> }>> = {
    '/connection': { GET: { manage: false, run: getConnection }, DELETE: { manage: true, run: disconnect } },
    '/connection/verify': { POST: { manage: false, run: verify } },
    '/connect': { POST: { manage: true, run: connect } },
    '/callback': { GET: { manage: true, run: callbackRedirect }, POST: { manage: true, run: callbackJson } },
  };

  return async function handleXeroConnection(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const instance = url.pathname;
    try {
      const caller = await options.authenticate(request);
      if (caller === null) return problem('UNAUTHENTICATED', instance);
      const routePath = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : null;
      const route = routePath === null ? undefined : table[routePath];
      if (route === undefined) return problem('VALIDATION_FAILED', instance, { status: 404, detail: 'No such endpoint' });
      const endpoint = route[request.method];
      if (endpoint === undefined) {
        return problem('VALIDATION_FAILED', instance, {
          status: 405,
          detail: `${request.method} is not allowed here`,
          headers: { allow: Object.keys(route).join(', ') },
        });
      }
      if (endpoint.manage && !caller.canManage) return problem('FORBIDDEN', instance);
      const ctx: Context = {
        request,
        url,
        caller: {
          userId: caller.userId,
          canManage: caller.canManage,
          displayName: caller.displayName ?? caller.userId,
          accountId: caller.accountId ?? 'default',
        },
        key: { integrationKey, accountId: caller.accountId ?? 'default' },
      };
      return await endpoint.run(ctx);
    } catch (error) {
      if (error instanceof XeroConnectionHandlerError) {
        return problem(error.code, instance, {
          detail: error.message,
          retryAfterSeconds: error.retryAfterSeconds,
          status: error.status,
        });
      }
      onError(error);
      return problem('INTERNAL', instance);
    }
  };
}

// -----------------------------------------------------------------------------------------------
// Responses

function withVersion(headers: Record<string, string>): Headers {
  return new Headers({ ...headers, [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION });
}

interface Checkable<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

function json<T>(schema: Checkable<T>, body: T): Response {
  // The contract's own schema checks every body on the way out: a bug here answers 500, never a
  // body that breaks the client.
  if (!schema.safeParse(body).success) throw new Error('createXeroConnectionHandler: a response broke the contract');
  return new Response(JSON.stringify(body), { status: 200, headers: withVersion(JSON_HEADERS) });
}

function problem(
  code: ErrorCode,
  instance: string | undefined,
  extra: { status?: number; detail?: string; retryAfterSeconds?: number; headers?: Record<string, string> } = {},
): Response {
  const info = ERROR_CODE_INFO[code];
  const body: Problem = {
    type: problemTypeFor(code),
    title: info.title,
    status: extra.status ?? info.status,
    code,
    retryable: info.retryable,
    ...(extra.detail === undefined ? {} : { detail: extra.detail }),
    ...(instance === undefined ? {} : { instance }),
    ...(extra.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: extra.retryAfterSeconds }),
  };
  problemSchema.parse(body);
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...extra.headers };
  if (extra.retryAfterSeconds !== undefined) headers['retry-after'] = String(extra.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status: body.status, headers: withVersion(headers) });
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: withVersion({ location, 'cache-control': 'no-store' }) });
}

/** `returnTo` with `?xero=connected` or `?xero=error&code=CODE`, its own query kept as it is. */
function withOutcome(returnTo: string, code: ErrorCode | null): string {
  return withConnectOutcome(returnTo, code === null ? { kind: 'connected' } : outcomeForCode(code));
}

// The contract's bodies are a few hundred bytes. The limit is enforced here, not only by the
// node:http adapter, because hosts mount the handler directly in Next.js, Hono or workers.
const MAX_BODY_BYTES = 65_536;

/** The body as text, stopping (and cancelling the stream) as soon as it passes `limit` bytes. */
async function readLimitedText(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new XeroConnectionHandlerError('VALIDATION_FAILED', `The body is larger than ${limit / 1024} KiB`, { status: 413 });
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
}

async function readBody<T>(request: Request, schema: Checkable<T>): Promise<T> {
  // JSON only: a cross-site form cannot send it without a CORS preflight, so a forged form post
  // cannot start or finish a round trip with the user's cookies.
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The body must be application/json', { status: 415 });
  }
  const text = await readLimitedText(request, MAX_BODY_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The body is not JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The body does not match the contract');
  return result.data;
}
