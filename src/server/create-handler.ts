import { acceptedContractMinor, type Connection } from '../contract';
import { answerIdempotently } from '../contract/idempotency';
import { DEFAULT_CONNECT_SESSION_TTL_MS } from './connect-sessions';
import { createMemoryConnectionStore, type ConnectionStore, type StoredConnection } from './connection-store';
import { toContractConnection } from './connection-view';
import {
  createEventDelivery,
  type ConnectionEventDeliverySummary,
  type DeliverConnectionEventsOptions,
  type EventDeliveryTimer,
  type SendConnectionEvent,
  type StartEventDeliveryOptions,
} from './event-delivery';
import { fingerprintedBody, problem } from './http-answers';
import { idempotencySlot } from './idempotency-slots';
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
import { checkCaller, crossSiteRefusal } from './request-guards';
import { connectRoutes } from './routes/connect-routes';
import { connectionRoutes } from './routes/connection-routes';
import type { HandlerCore, RequestContext } from './routes/handler-core';
import { organisationRoute } from './routes/organisation-route';
import { routeTable } from './routes/route-table';
import { createTenantCheck } from './tenant-check';
import { createTenantLimiter } from './tenant-limiter';
import { resolveXeroEndpoints, type XeroEndpoints } from './xero-endpoints';
import { logSummary, XeroConnectionConfigurationError, XeroConnectionHandlerError } from './xero-error';
import { checkedXeroFetchOptions, createXeroFetch, type XeroFetch, type XeroFetchOptions } from './xero-fetch';
import { DEFAULT_XERO_TIMEOUT_MS, fetchWithTimeout } from './xero-http';

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
  /**
   * The host's page where a person fixes a connection (e.g. `https://portal.example/settings/integrations`).
   * Events that need a person (`needs_reauth`, `keep_alive_failing`, `expiring`) are delivered with
   * `reconnectUrl`: this page with the package's reconnect parameters (`withReconnectRequest`), which
   * the card reads to bring Reconnect into view. Default: no `reconnectUrl`.
   */
  reconnectPageUrl?: string;
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
  /**
   * One delivery run of this integration's connection events (the store's outbox): hands each
   * undelivered, due event to `send`, oldest first, and marks it delivered when `send` resolves.
   * When `send` throws, the event stays for a later run after a backoff, and is dead-lettered
   * after `maxAttempts` failures. Events are leased while sent, so runs on several instances (on
   * PostgreSQL: `FOR UPDATE SKIP LOCKED`) never hand out one event twice. A call while a run is in
   * progress in this process waits for it. Delivery is at least once: a process that dies after
   * `send` but before the mark sends that event again, with the same `id`. Each run first records
   * `expiring` notices (keep-alive off or failing, refresh token expiring within 7 days, then 1 day,
   * once per token each), so a timer on this method is all the host runs.
   *
   * @throws {XeroConnectionConfigurationError} (as a rejection) when the store keeps no outbox.
   */
  deliverConnectionEvents(send: SendConnectionEvent, options?: DeliverConnectionEventsOptions): Promise<ConnectionEventDeliverySummary>;
  /**
   * Runs {@link XeroConnectionBackend.deliverConnectionEvents} on a timer in this process: a run,
   * then `intervalMs` after it ends, the next (runs never overlap). The timer is unref'd; stop it
   * with the returned {@link EventDeliveryTimer.stop}. Safe on several instances sharing a store.
   *
   * @throws {TypeError} when `intervalMs` is out of bounds or `send` is not a function.
   */
  startEventDelivery(options: StartEventDeliveryOptions): EventDeliveryTimer;
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


  const core: HandlerCore = { store, lock, refresher, oauth, clock, onError, checkTenantLocked, view, allowedReturnOrigins, sessionTtlMs };
  const { getConnection, verify, disconnect } = connectionRoutes(core);
  const { connect, callbackRedirect, callbackJson } = connectRoutes(core);
  const { chooseOrganisation } = organisationRoute(core);
  const table = routeTable({ getConnection, connect, completeCallback: callbackJson, disconnect, verify, chooseOrganisation }, callbackRedirect);
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
      const route = routePath === null ? undefined : table.get(routePath);
      if (route === undefined) return problem('VALIDATION_FAILED', instance, { status: 404, detail: 'No such endpoint' });
      const endpoint = route.get(request.method);
      if (endpoint === undefined) {
        return problem('VALIDATION_FAILED', instance, {
          status: 405,
          detail: `${request.method} is not allowed here`,
          headers: { allow: [...route.keys()].join(', ') },
        });
      }
      if (endpoint.manage && !caller.canManage) return problem('FORBIDDEN', instance);
      const ctx: RequestContext = {
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

  const delivery = createEventDelivery({
    store,
    integrationKey,
    clock,
    onError,
    lock,
    refreshTokenLifetimeDays: lifetimeDays,
    keepAliveOn: keepAlive !== null,
    ...(options.reconnectPageUrl === undefined ? {} : { reconnectPageUrl: options.reconnectPageUrl }),
  });

  return Object.assign(handleXeroConnection, {
    xeroFetch,
    deliverConnectionEvents: delivery.deliverConnectionEvents,
    startEventDelivery: delivery.startEventDelivery,
    // async: a refusal rejects the promise, never throws at the call (startKeepAlive throws, as it does for a bad interval).
    refreshDueConnections: async (runOptions?: RefreshDueConnectionsOptions) => enabledKeepAlive('refreshDueConnections').refreshDueConnections(runOptions),
    startKeepAlive: (timerOptions: StartKeepAliveOptions) => enabledKeepAlive('startKeepAlive').startKeepAlive(timerOptions),
  });
}

