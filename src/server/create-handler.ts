import {
  acceptedContractMinor,
  callbackRequestSchema,
  chooseOrganisationRequestSchema,
  connectionSchema,
  connectRequestSchema,
  connectResponseSchema,
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  disconnectResponseSchema,
  type Connection,
  type ConnectResponse,
  type DisconnectResponse,
  type ErrorCode,
} from '../contract';
import { outcomeForCode, withConnectOutcome } from '../client/connect-return';
import { answerIdempotently, readIdempotencyKey } from '../contract/idempotency';
import { decideOrganisation, expectedTenantFor } from '../contract/round-trip-rules';
import { routes as contractRoutes } from '../contract/routes';
import { assertSessionLive, DEFAULT_CONNECT_SESSION_TTL_MS, startConnectSession, takeConnectSession } from './connect-sessions';
import {
  createMemoryConnectionStore,
  type ConnectionKey,
  type ConnectionStore,
  type ConnectSession,
  type StoredConnection,
  type StoredTokens,
} from './connection-store';
import { toContractConnection } from './connection-view';
import {
  createKeepAlive,
  defaultSleep,
  XeroKeepAliveConfigurationError,
  type KeepAlive,
  type KeepAliveRunSummary,
  type KeepAliveSleep,
  type KeepAliveTimer,
  type RefreshDueConnectionsOptions,
  type StartKeepAliveOptions,
  type XeroKeepAliveOptions,
} from './keep-alive';
import { createXeroOAuth } from './oauth';
import { composeConnectionLock, createKeyedLock, createRefresher, type Refresher } from './refresher';
import { isAllowedReturnTo } from './return-to';
import { checkCaller, crossSiteRefusal } from './request-guards';
import { createTenantCheck } from './tenant-check';
import { createTenantLimiter } from './tenant-limiter';
import {
  authEventIdOf,
  deleteXeroConnection,
  listXeroConnections,
  organisationsOf,
  toTenant,
  XeroAccessTokenRejected,
  xeroUserIdOf,
} from './xero-connections';
import { grantTargets, releaseGrant } from './release-grant';
import { idempotencySlot } from './idempotency-slots';
import { resolveXeroEndpoints, type XeroEndpoints } from './xero-endpoints';
import { DEFAULT_XERO_TIMEOUT_MS, fetchWithTimeout } from './xero-http';
import { buildProblem, logSummary, problemResponse, XeroConnectionConfigurationError, XeroConnectionHandlerError } from './xero-error';
import { checkedXeroFetchOptions, createXeroFetch, type XeroFetch, type XeroFetchOptions } from './xero-fetch';

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
  /**
   * Origins besides the request's own that `returnTo` may point at, and that may send writes (exact
   * origins, no wildcards): a write whose `Origin` is another one, or marked `Sec-Fetch-Site: cross-site`, is 403.
   */
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
  /**
   * How long one call to Xero may take (token, revocation, `/connections`, each `xeroFetch`
   * attempt) before it is abandoned as `XERO_UNAVAILABLE`. A request waits for a connection's lock
   * at most twice this. Default 15,000 ms.
   */
  xeroTimeoutMs?: number;
  /**
   * Called with failures the handler answers as `INTERNAL`, with keep-alive failures that no
   * connection records (a store error, a timer run that threw), and once with a
   * `XeroConnectionConfigurationError` when `authenticate` answers something that is neither `null`
   * nor a caller. Default: one line on `console.error` with the error's name and code, never its
   * text (a host's database error may hold a password) nor a token: pass your own logger to see more.
   */
  onError?: (error: unknown) => void;
  /**
   * Keep-alive (contract 1.1): refresh every connection whose refresh token has gone unused for
   * `olderThanDays` (default 7), so Xero's 60-day expiry never comes. `true` for the defaults, or
   * thresholds and pacing ({@link XeroKeepAliveOptions}). When set, every `Connection` reports
   * `keepAlive`, and the options and the store are checked now (the store needs
   * `listDueConnections`; a bad threshold or a store without it throws
   * `XeroKeepAliveConfigurationError`). The runs themselves are made by
   * {@link XeroConnectionHandlerWithKeepAlive.refreshDueConnections} (from the host's scheduler) or
   * {@link XeroConnectionHandlerWithKeepAlive.startKeepAlive} (a timer in this process).
   * Default: off; no `keepAlive` field is reported.
   */
  keepAlive?: boolean | XeroKeepAliveOptions;
  /**
   * How keep-alive and `xeroFetch` wait (pacing, a 429's `Retry-After`, a retry after a lost
   * answer). Tests pass one that moves their clock. Default: a timer.
   */
  sleep?: KeepAliveSleep;
  /** Pacing and retries of {@link XeroConnectionBackend.xeroFetch}. Default: Xero's limits. */
  xeroFetch?: XeroFetchOptions;
}

/** A Fetch-API handler: mount it in node:http, Hono, Next.js route handlers, or Express through an adapter. */
export type XeroConnectionHandler = (request: Request) => Promise<Response>;

/**
 * What {@link createXeroConnectionHandler} returns: the Fetch-API handler of the contract, which
 * also calls Xero's APIs for the portal through the same connections (`xeroFetch`).
 */
export interface XeroConnectionBackend extends XeroConnectionHandler {
  /**
   * Calls Xero's APIs through one account's connection: the one path every Xero call of the
   * portal should take, so one refresher serves them all and a dead grant is seen (and stored
   * `needs_reauth`) the moment an export meets it.
   *
   * Adds `Authorization` and the linked organisation's `Xero-tenant-id`; takes the access token
   * under the connection's single-flight lock (a token that expired under 50 concurrent calls is
   * refreshed once); refreshes once and retries after a 401; confirms a 403
   * `AuthenticationUnsuccessful` with `GET /connections`; waits out short 429s and paces calls per
   * organisation (with keep-alive); sends every write with an `Idempotency-Key` and sends it again
   * when its answer is lost. Records a successful call as the connection's `lastUsedAt`.
   *
   * @example
   * ```ts
   * const response = await handler.xeroFetch('/api.xro/2.0/Invoices', {
   *   method: 'PUT',
   *   headers: { 'content-type': 'application/json' },
   *   body: JSON.stringify({ Invoices: invoices }),
   *   accountId: session.accountId,
   *   idempotencyKey: exportId,
   * });
   * ```
   * @throws {XeroConnectionHandlerError} (as a rejection) `XERO_INVALID_GRANT` or `XERO_TENANT_NOT_FOUND` when the connection needs the user to connect again (never connected, disconnected, expired, revoked, removed in Xero); `XERO_RATE_LIMITED` with `retryAfterSeconds` for a wait longer than `maxRetryAfterSeconds`; `XERO_UNAVAILABLE` when Xero cannot be reached; `XERO_FORBIDDEN` when Xero refuses even a fresh token. Its `toResponse()` is the problem to answer the browser with.
   * @throws {TypeError} (as a rejection) for an input off Xero's API origin, a bad `accountId` or `idempotencyKey`.
   */
  xeroFetch: XeroFetch;
}

/**
 * What {@link createXeroConnectionHandler} returns when `keepAlive` is on: the backend, which also
 * runs keep-alive over its own integration's connections, with its store, Xero app and locks.
 * Without `keepAlive` the type has neither method (at run time both refuse with
 * `XeroKeepAliveConfigurationError` `not_enabled`, for callers without types).
 */
export interface XeroConnectionHandlerWithKeepAlive extends XeroConnectionBackend {
  /**
   * One keep-alive run: refreshes every connection of this integration whose refresh token has
   * gone unused longer than `olderThanDays`, one at a time, each under the same locks as any
   * refresh (in process, and the store's across instances) and read again under them, so a
   * connection refreshed meanwhile (by a read, or by another instance's run) is skipped. Calls are
   * paced for Xero's limits; a 429 is waited out per `Retry-After` (or stops the run when longer
   * than `maxRetryAfterSeconds`). Each outcome is recorded on its connection; `invalid_grant` makes
   * that connection `needs_reauth`, a transient failure marks it `keepAlive.failing`, and the rest
   * carry on. Call it from a scheduler (cron, a queue) on one or many instances: a call while a
   * run is in progress in this process joins that run.
   *
   * @throws {XeroKeepAliveConfigurationError} (as a rejection) when the handler was made without `keepAlive` (`not_enabled`) or `olderThanDays` is out of bounds.
   */
  refreshDueConnections(options?: RefreshDueConnectionsOptions): Promise<KeepAliveRunSummary>;
  /**
   * Runs keep-alive on a timer in this process, for single-instance deployments: a run, then
   * `intervalMs` after it ends, the next (runs never overlap). The timer is unref'd; stop it with
   * the returned {@link KeepAliveTimer.stop}. Several instances should each call it only if the
   * store's lock is shared (PostgreSQL): they then never refresh a connection twice.
   *
   * @throws {XeroKeepAliveConfigurationError} when the handler was made without `keepAlive` (`not_enabled`), or `intervalMs` is out of bounds or, added to `olderThanDays`, reaches into the safety margin.
   */
  startKeepAlive(options: StartKeepAliveOptions): KeepAliveTimer;
}

interface Context {
  request: Request;
  url: URL;
  caller: Required<AuthenticatedCaller>;
  key: ConnectionKey;
  /** The contract minor the request's `Accept` announces: 0 for a 1.0 client. */
  contractMinor: number;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/**
 * The reference backend of the contract, against Xero (or the local emulator), with keep-alive
 * (`keepAlive: true` or its options): the handler, `xeroFetch`, `refreshDueConnections` and
 * `startKeepAlive`. Every response carries the contract version header; every error is
 * `application/problem+json`; every body is checked against the contract's schemas before it is sent.
 */
export function createXeroConnectionHandler(options: XeroConnectionHandlerOptions & { keepAlive: true | XeroKeepAliveOptions }): XeroConnectionHandlerWithKeepAlive;
/**
 * The reference backend of the contract, against Xero (or the local emulator): the handler and
 * `xeroFetch`. Every response carries the contract version header; every error is
 * `application/problem+json`; every body is checked against the contract's schemas before it is sent.
 */
export function createXeroConnectionHandler(options: XeroConnectionHandlerOptions): XeroConnectionBackend;
export function createXeroConnectionHandler(options: XeroConnectionHandlerOptions): XeroConnectionHandlerWithKeepAlive {
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
  const onError = options.onError ?? logSummary;
  // Every request to Xero goes through the host's `fetch` (or the global one, looked up per call).
  const xeroTimeoutMs = options.xeroTimeoutMs ?? DEFAULT_XERO_TIMEOUT_MS;
  const fetchXero = fetchWithTimeout(options.fetch ?? ((input, init) => globalThis.fetch(input, init)), xeroTimeoutMs);
  const oauth = createXeroOAuth({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    scopes: options.scopes,
    endpoints: resolveXeroEndpoints(options.endpoints),
    fetch: fetchXero,
    clock,
  });
  // Token work runs under this process's lock, then the store's own when it is shared between
  // instances (PostgreSQL): one refresh per connection across the whole deployment.
  // A request waits for the connection's lock at most as long as two calls to Xero may take.
  const lock = composeConnectionLock(createKeyedLock(2 * xeroTimeoutMs), store);
  const refresher: Refresher = createRefresher({ store, oauth, lock, clock, refreshTokenLifetimeDays: lifetimeDays });
  const checkTenantLocked = createTenantCheck({ store, oauth, refresher, clock });
  const sleep = options.sleep ?? defaultSleep;
  const fetchSettings = checkedXeroFetchOptions(options.xeroFetch ?? {});
  // One pacing per organisation for every Xero call this handler makes: exports and keep-alive.
  const limiter = createTenantLimiter({
    clock,
    sleep,
    callsPerMinute: fetchSettings.tenantCallsPerMinute,
    concurrency: fetchSettings.tenantConcurrency,
  });

  // Keep-alive: checked now when configured (a bad threshold or store fails at start-up, not at
  // the first run). Only then may it run: a keep-alive the contract does not report would leave
  // the card warning of an expiry that keep-alive prevents.
  const keepAliveSettings = options.keepAlive === true ? {} : options.keepAlive === false ? undefined : options.keepAlive;
  const keepAlive: KeepAlive | null =
    keepAliveSettings === undefined
      ? null
      : createKeepAlive({
          store,
          integrationKey,
          lock,
          refresher,
          clock,
          sleep,
          limiter,
          refreshTokenLifetimeDays: lifetimeDays,
          settings: keepAliveSettings,
          onError,
        });
  const reportedKeepAliveDays = keepAlive?.olderThanDays ?? null;
  const enabledKeepAlive = (call: string): KeepAlive => {
    if (keepAlive !== null) return keepAlive;
    throw new XeroKeepAliveConfigurationError(
      'not_enabled',
      `${call}: keep-alive is off. Pass \`keepAlive: true\` (or its options) to createXeroConnectionHandler, so every connection reports it and the card stops warning of an expiry it prevents.`,
    );
  };

  function view(stored: StoredConnection | null, contractMinor: number): Connection {
    return toContractConnection(stored, { lifetimeDays, now: clock(), contractMinor, keepAliveDays: reportedKeepAliveDays });
  }

  // ---------------------------------------------------------------------------------------------
  // GET /connection: the stored state, refreshed first when the access token is stale (so the
  // refresh token's window slides whenever anyone looks). No call to GET /connections: that is verify.
  async function getConnection(ctx: Context): Promise<Response> {
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
  async function verify(ctx: Context): Promise<Response> {
    const stored = await lock(ctx.key, () => checkTenantLocked(ctx.key));
    return json(connectionSchema, view(stored, ctx.contractMinor));
  }

  // POST /connect: a single-use state bound to this user, a PKCE verifier, Xero's authorize URL.
  async function connect(ctx: Context): Promise<Response> {
    const body = await readBody(ctx.request, connectRequestSchema);
    if (!isAllowedReturnTo(body.returnTo, ctx.request.url, allowedReturnOrigins)) {
      throw new XeroConnectionHandlerError('VALIDATION_FAILED', '`returnTo` must be on this origin or an allowlisted one');
    }
    const known = body.mode === 'reauth' && body.expectedTenantId === undefined ? await store.getConnection(ctx.key) : null;
    const expectedTenantId = expectedTenantFor(body, known?.tenant?.tenantId ?? null);
    const now = clock();
    const { session, codeChallenge } = await startConnectSession(store, {
      key: ctx.key,
      userId: ctx.caller.userId,
      displayName: ctx.caller.displayName,
      returnTo: body.returnTo,
      mode: body.mode,
      expectedTenantId,
      // Recorded now: Xero's redirect to GET /callback carries the browser's Accept, not the client's.
      contractMinor: ctx.contractMinor,
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

  // The shared half of both callbacks: the code for tokens, the organisations, the store. Which
  // organisation is linked (or chosen, or refused) is the contract's rule, decideOrganisation,
  // the very one the ./testing fake follows.
  async function completeRoundTrip(session: ConnectSession, params: URLSearchParams): Promise<StoredConnection> {
    return lock(session.key, async () => {
      const tokens = await oauth.exchangeCode(params, session.state, session.codeVerifier);
      const authEventId = authEventIdOf(tokens.accessToken);
      // Only organisations can be linked: practices and Practice Manager tenants are ignored.
      let entries = organisationsOf(await listXeroConnections(oauth, tokens.accessToken, clock(), authEventId));
      // Without an auth event id (or when Xero lists nothing for it), fall back to all tenants.
      if (entries.length === 0 && authEventId !== undefined) entries = organisationsOf(await listXeroConnections(oauth, tokens.accessToken, clock()));
      const now = clock();
      const granted: Omit<StoredConnection, 'status' | 'tenant'> = {
        needsReauthReason: null,
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

      const before = await store.getConnection(session.key);
      const decision = decideOrganisation({
        granted: entries,
        expectedTenantId: session.expectedTenantId,
        contractMinor: session.contractMinor ?? 0,
        previousTenant: before?.tenant ?? null,
        previousDisconnected: before?.status === 'disconnected',
      });
      if (decision.kind === 'fail') throw new XeroConnectionHandlerError(decision.code, ROUND_TRIP_FAILURES[decision.code]);
      const stored: StoredConnection =
        decision.kind === 'link'
          ? { ...granted, status: 'connected', tenant: toTenant(decision.organisation) }
          : {
              ...granted,
              status: 'choosing_organisation',
              tenant: decision.tenant,
              organisationChoice: { reason: decision.reason, organisations: entries.map(toTenant) },
              lastError: decision.lastErrorCode === null ? null : { code: decision.lastErrorCode, message: ROUND_TRIP_FAILURES[decision.lastErrorCode], at: now.toISOString() },
            };
      await releaseReplacedGrant(session.key, tokens.accessToken);
      await store.putConnection(session.key, stored);
      return stored;
    });
  }

  // A reconnect by another Xero user over a live grant: the replaced grant is given up in Xero as
  // Disconnect would, or it would stay live at Xero with nobody left holding it. Never for the
  // same Xero user (or one unknown): Xero's connections are per user, so the new consent shares
  // them, and removing or revoking would take the new connection with it. Under the lock; before
  // the new record is stored, so a crash leaves the old grant held, never an orphan.
  async function releaseReplacedGrant(key: ConnectionKey, newAccessToken: string): Promise<void> {
    const newUser = xeroUserIdOf(newAccessToken);
    const before = await store.getConnection(key);
    const oldUser = before?.tokens == null ? undefined : xeroUserIdOf(before.tokens.accessToken);
    if (newUser === undefined || oldUser === undefined || oldUser === newUser) return;
    try {
      // Its access token may be stale: refreshed first (invalid_grant: dead already, nothing to give up).
      const fresh = await refresher.freshConnectionLocked(key);
      if (fresh?.tokens != null) await releaseGrant(oauth, fresh.tokens, grantTargets(fresh), clock);
    } catch (error) {
      // The new connection stands regardless; the host hears that a grant may still be live at Xero.
      onError(error);
    }
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
    return json(connectionSchema, view(stored, ctx.contractMinor));
  }

  // POST /connection/organisation {tenantId} (contract 1.1): link the chosen organisation of a
  // choosing_organisation connection and remove the others' connections in Xero, so the grant
  // reaches nothing the portal does not use.
  async function chooseOrganisation(ctx: Context): Promise<Response> {
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

  // DELETE /connection: idempotent. Xero is told when it can be (DELETE /connections/{id}, then
  // revocation unless the grant still reaches other tenants); the local state is cleared when
  // the grant is already dead. A rate limit or outage clears nothing: the user can try again.
  async function disconnect(ctx: Context): Promise<Response> {
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
      });
      return removed;
    });
    const answer: DisconnectResponse = { status: 'disconnected', remoteRemoved };
    return json(disconnectResponseSchema, answer);
  }

  const table: Record<string, Record<string, { manage: boolean; run: (ctx: Context) => Promise<Response> }>> = {
    '/connection': { GET: { manage: false, run: getConnection }, DELETE: { manage: true, run: disconnect } },
    '/connection/verify': { POST: { manage: false, run: verify } },
    '/connection/organisation': { POST: { manage: true, run: chooseOrganisation } },
    '/connect': { POST: { manage: true, run: connect } },
    '/callback': { GET: { manage: true, run: callbackRedirect }, POST: { manage: true, run: callbackJson } },
  };

  // A host whose authenticate answers loosely is told once, not on every request.
  let looseCallerReported = false;
  function reportLooseCaller(detail: string): void {
    if (looseCallerReported) return;
    looseCallerReported = true;
    onError(new XeroConnectionConfigurationError(`${detail}: the request was answered 401, and so will every such request.`));
  }

  // Every answer's Date is the handler's clock: the browser measures the connection's dates
  // ("Last used … 2 days ago", days left) from it, not from a laptop's clock that may be off.
  async function handleXeroConnection(request: Request): Promise<Response> {
    const response = await answer(request);
    const date = clock().toUTCString();
    try {
      response.headers.set('date', date);
      return response;
    } catch {
      // A response whose headers are immutable: the same answer with the Date added.
      const headers = new Headers(response.headers);
      headers.set('date', date);
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
  }

  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const instance = url.pathname;
    try {
      const checked = checkCaller(await options.authenticate(request));
      if (checked.kind === 'invalid') reportLooseCaller(checked.problem);
      if (checked.kind !== 'caller') return problem('UNAUTHENTICATED', instance);
      const { caller } = checked;
      const crossSite = crossSiteRefusal(request, allowedReturnOrigins);
      if (crossSite !== null) return problem('FORBIDDEN', instance, { detail: crossSite });
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
        caller,
        key: { integrationKey, accountId: caller.accountId },
        contractMinor: acceptedContractMinor(request.headers.get('accept')),
      };
      // Writes follow the contract's Idempotency-Key rule (one module, shared with the fake).
      const path = routePath ?? url.pathname; // never null here: a route was found under basePath
      const routeLabel = `${request.method} ${path}`;
      return await answerIdempotently({
        request,
        path,
        body: await fingerprintedBody(request, path),
        now: clock,
        slot: (key) => idempotencySlot(store, { ...ctx.key, userId: ctx.caller.userId, route: routeLabel, key }),
        refuse: ({ status, detail, retryAfterSeconds }) => problem('VALIDATION_FAILED', instance, { status, detail, retryAfterSeconds }),
        // The endpoint's own problems are answers too: the rule decides which are kept.
        run: () => endpoint.run(ctx).catch((error: unknown) => answerFailure(error, instance)),
      });
    } catch (error) {
      return answerFailure(error, instance);
    }
  }

  function answerFailure(error: unknown, instance: string): Response {
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

  const xeroFetch = createXeroFetch({
    integrationKey,
    apiBaseUrl: oauth.endpoints.apiBaseUrl,
    store,
    lock,
    refresher,
    checkTenantLocked,
    limiter,
    fetch: fetchXero,
    clock,
    sleep,
    onError,
    settings: fetchSettings,
  });

  return Object.assign(handleXeroConnection, {
    xeroFetch,
    // async: a refusal rejects the promise, never throws at the call (startKeepAlive throws, as it does for a bad interval).
    refreshDueConnections: async (runOptions?: RefreshDueConnectionsOptions) => enabledKeepAlive('refreshDueConnections').refreshDueConnections(runOptions),
    startKeepAlive: (timerOptions: StartKeepAliveOptions) => enabledKeepAlive('startKeepAlive').startKeepAlive(timerOptions),
  });
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
  const { headers, ...fields } = extra;
  return problemResponse(buildProblem(code, { ...fields, ...(instance === undefined ? {} : { instance }) }), headers);
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: withVersion({ location, 'cache-control': 'no-store' }) });
}

// Why a round trip failed, as the problem's detail.
const ROUND_TRIP_FAILURES = {
  XERO_TENANT_MISMATCH: 'Xero connected a different organisation than the one expected',
  XERO_TENANT_NOT_FOUND: 'Xero listed no organisation for this authorisation',
} as const;

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

/**
 * What an Idempotency-Key's fingerprint covers besides the method and route: the body, for a
 * keyed write to a route that reads one (read here within the same limit, from a copy, so the
 * endpoint still reads it), and `null` otherwise.
 */
async function fingerprintedBody(request: Request, path: string): Promise<string | null> {
  if (readIdempotencyKey(request).kind !== 'key') return null;
  const takesBody = Object.values(contractRoutes).some((route) => route.method === request.method && route.path === path && route.body !== null);
  if (!takesBody || request.body === null) return takesBody ? '' : null;
  return readLimitedText(request.clone(), MAX_BODY_BYTES);
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
