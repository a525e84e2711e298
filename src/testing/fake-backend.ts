import { delay, http, HttpResponse, type HttpHandler } from 'msw';

import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  PROBLEM_CONTENT_TYPE,
  acceptedContractMinor,
  callbackRequestSchema,
  chooseOrganisationRequestSchema,
  connectRequestSchema,
  connectResponseSchema,
  connectionSchema,
  disconnectResponseSchema,
  routes,
  tenantSchema,
  type Connection,
  type ConnectMode,
  type ErrorCode,
  type Problem,
  type RouteName,
  type Tenant,
} from '../contract';
import { outcomeForCode, withConnectOutcome } from '../client/connect-return';
import { answerIdempotently, createMemoryIdempotencyRecords } from '../contract/idempotency';
import { decideOrganisation, expectedTenantFor } from '../contract/round-trip-rules';
import { buildConnection, buildProblem, demoTenant } from './fixtures';

// A stateful stand-in for an integration's backend, for tests and stories: one in-memory
// connection, every contract endpoint as an msw handler, and knobs for failures and delays.
// msw only, no React, so the same fake serves node tests, browser tests and Storybook.

const DAY_MS = 86_400_000;

/** The host that fake authorize URLs point to. Nothing answers there; tests assert on the URL. */
export const FAKE_AUTHORIZE_ORIGIN = 'https://login.xero.test';

/** Options of {@link createFakeXeroBackend}. */
export interface FakeXeroBackendOptions {
  /**
   * The integration's base URL, as the client is given it. In a browser a path works (msw resolves
   * it against the page); in Node use an absolute URL.
   */
  baseUrl: string;
  /** The connection at the start. Default: never connected. */
  initial?: Connection;
  /**
   * The fake's clock, for the timestamps it writes and the `Date` header of every answer (so the
   * hook and card measure relative dates from it, as from a real backend's). Default: the real clock.
   */
  now?: () => Date;
  /** Milliseconds every answer waits before it is sent, like a slow network. Default 0. */
  latencyMs?: number;
}

/**
 * What the user does on Xero's consent screen in this fake: `allow` connects the demo tenant,
 * `deny` (Cancel in Xero) makes the round trip end with `XERO_ACCESS_DENIED`.
 */
export type FakeConsent = 'allow' | 'deny';

/** One request the fake received. */
export interface FakeRequest {
  /** The endpoint it matched, e.g. `disconnect`. */
  readonly endpoint: RouteName;
  /** `GET`, `POST` or `DELETE`. */
  readonly method: string;
  /** The path relative to the base URL, e.g. `/connection`. */
  readonly path: string;
  /** The absolute URL. */
  readonly url: string;
  /** Every request header, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `Idempotency-Key` header, or `null` when absent. */
  readonly idempotencyKey: string | null;
  /** The parsed JSON body, or `null` when there was none. */
  readonly body: unknown;
}

/** A connect round trip the fake started with `POST /connect`, waiting for its callback. */
export interface FakeConnectSession {
  /** The OAuth state in the authorize URL; `POST /callback` must bring it back. */
  readonly state: string;
  /** The mode `POST /connect` asked for. */
  readonly mode: ConnectMode;
  /** Where the browser returns after Xero. */
  readonly returnTo: string;
  /** The tenant that must be connected: the one `POST /connect` named or, in `reauth` mode, the one linked before; `null` for any. */
  readonly expectedTenantId: string | null;
  /** The contract minor the client announced in `Accept` (0 for a 1.0 client): 1.1 may be asked to choose. */
  readonly contractMinor: number;
}

/**
 * How the next call to an endpoint fails: an error code or a full problem (answered as
 * `application/problem+json`), `'network_error'` (the request never gets an answer), or a function
 * that builds any `Response` (for contract violations such as an HTML sign-in page).
 */
export type FakeFailure = ErrorCode | Problem | 'network_error' | (() => Response);

/** A stateful in-memory backend for one integration. See {@link createFakeXeroBackend}. */
export interface FakeXeroBackend {
  /** The base URL the handlers answer under. */
  readonly baseUrl: string;
  /** msw handlers for every contract endpoint: pass them to `setupWorker`, `setupServer` or `worker.use`. */
  readonly handlers: readonly HttpHandler[];
  /** The connection as the backend holds it now. */
  getConnection(): Connection;
  /** Replaces the connection (validated against the contract). */
  setConnection(connection: Connection): void;
  /** Every request received so far, oldest first. */
  readonly requests: readonly FakeRequest[];
  /** The requests received by one endpoint. */
  requestsTo(endpoint: RouteName): FakeRequest[];
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Round trips started with `POST /connect`, oldest first; a callback consumes its session. */
  readonly connectSessions: readonly FakeConnectSession[];
  /** Makes the next `times` calls to `endpoint` fail with `failure`. Queued failures are used in order. */
  failNext(endpoint: RouteName, failure: FakeFailure, times?: number): void;
  /** Delays the answer to the next `times` calls to `endpoint` by `ms` (failures queued too are delayed as well). */
  delayNext(endpoint: RouteName, ms: number, times?: number): void;
  /**
   * Holds the answers to `endpoint` until the returned function is called: for asserting on what
   * the UI shows while a call is in flight, without timing.
   */
  hold(endpoint: RouteName): () => void;
  /**
   * Makes every call to `endpoint` fail with `failure` until the returned function is called (or
   * {@link FakeXeroBackend.reset}). Queued {@link FakeXeroBackend.failNext} failures are used first.
   */
  failEvery(endpoint: RouteName, failure: FakeFailure): () => void;
  /** Sets the delay before every answer, in milliseconds (0 for none). */
  setLatency(ms: number): void;
  /**
   * What the user does on Xero's consent screen from now on (default `allow`). With `deny`,
   * `POST /callback` answers `XERO_ACCESS_DENIED` and {@link FakeXeroBackend.returnFromXero} returns
   * `?xero=error&code=XERO_ACCESS_DENIED`.
   */
  setConsent(consent: FakeConsent): void;
  /**
   * The organisations the user ticks on Xero's consent screen from now on (default: the demo
   * tenant alone). With more than one, or without the one a reconnect expects, a contract 1.1
   * client's round trip ends `choosing_organisation`; a 1.0 client gets the first one, or
   * `XERO_TENANT_MISMATCH`, as a 1.0 backend would answer.
   */
  setGrantedOrganisations(organisations: readonly Tenant[]): void;
  /**
   * Plays Xero's part of a round trip started with `POST /connect`: the user answers the consent
   * screen (see {@link FakeXeroBackend.setConsent}), Xero redirects to the backend's
   * `GET /callback`, and the backend finishes it. Consumes the session (the latest one unless
   * `state` names another) and returns the URL the backend redirects the browser to:
   * `returnTo?xero=connected`, or `returnTo?xero=error&code=…`.
   */
  returnFromXero(state?: string): string;
  /** The fake's clock. */
  now(): Date;
  /** Back to the initial connection, with no requests, sessions, failures, delays or consent choice. */
  reset(): void;
}

interface Queues {
  failures: Map<RouteName, FakeFailure[]>;
  delays: Map<RouteName, number[]>;
  holds: Map<RouteName, Promise<void>>;
  standing: Map<RouteName, FakeFailure>;
}

function take<T>(map: Map<RouteName, T[]>, endpoint: RouteName): T | undefined {
  const queue = map.get(endpoint);
  const next = queue?.shift();
  if (queue && queue.length === 0) map.delete(endpoint);
  return next;
}

function contractHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION, ...extra };
}

function problemResponse(problem: Problem): Response {
  const retryAfter: Record<string, string> = problem.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(problem.retryAfterSeconds) };
  return new HttpResponse(JSON.stringify(problem), {
    status: problem.status,
    headers: contractHeaders({ 'Content-Type': PROBLEM_CONTENT_TYPE, ...retryAfter }),
  });
}

function failureResponse(failure: FakeFailure): Response {
  if (failure === 'network_error') return HttpResponse.error();
  if (typeof failure === 'function') return failure();
  return problemResponse(typeof failure === 'string' ? buildProblem(failure) : failure);
}

// Every answer goes through its schema: a fake that drifts from the contract fails here, loudly,
// instead of teaching the code under test to accept a wrong body.
function jsonAnswer(schema: { parse: (value: unknown) => unknown }, body: unknown): Response {
  return HttpResponse.json(schema.parse(body) as Record<string, unknown>, { headers: contractHeaders() });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function headersOf(request: Request): Record<string, string> {
  const result: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    result[name.toLowerCase()] = value;
  });
  return result;
}

function randomState(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function checkedLatency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a number of milliseconds ≥ 0 (got ${String(ms)})`);
  return ms;
}

function validationProblem(detail: string): Response {
  return problemResponse(buildProblem('VALIDATION_FAILED', { detail }));
}

/**
 * Creates a stateful in-memory backend for one integration, answering every contract endpoint
 * through msw.
 *
 * - `GET /connection` answers the current connection.
 * - `DELETE /connection` stores `disconnected` / `user_disconnected` and answers
 *   `{ status: 'disconnected', remoteRemoved }`, where `remoteRemoved` is false only when the
 *   connection was `needs_reauth` because the refresh token expired (Xero cannot be told then).
 * - `POST /connect` answers an authorize URL on {@link FAKE_AUTHORIZE_ORIGIN} with a fresh state.
 * - `POST /callback` with a state from `POST /connect` connects the demo tenant; an unknown state is
 *   `STATE_MISMATCH`, a `reauth` session expecting another tenant is `XERO_TENANT_MISMATCH`, and
 *   after `setConsent('deny')` (Cancel on Xero's consent screen) it is `XERO_ACCESS_DENIED`.
 *   `returnFromXero()` plays the redirect variant (`GET /callback` → `returnTo?xero=…`).
 * - `POST /connection/verify` stamps `checkedAt` and, when connected, refreshes the token (which
 *   restarts its lifetime), then answers the connection.
 *
 * Request bodies are checked against the contract (`VALIDATION_FAILED` otherwise); answers are
 * validated before they are sent. Writes follow the contract's `Idempotency-Key` rule, the very
 * module the reference backend uses: a repeat of a key (same route and body, within 24 hours)
 * gets the first answer again with `Idempotent-Replayed: true` and changes nothing; the key with
 * another body is `VALIDATION_FAILED` 422; a repeat while the first call is still held or delayed
 * is 409. Only 2xx answers and non-retryable outcome problems are kept, so a call that failed with
 * a retryable problem (or `VALIDATION_FAILED`, or a network error) acts again under the same key.
 *
 * @example
 * ```ts
 * const backend = createFakeXeroBackend({ baseUrl: '/api/integrations/xero-billing', initial: buildConnection('needsReauthExpired') });
 * worker.use(...backend.handlers);
 * backend.failNext('disconnect', 'XERO_UNAVAILABLE');
 * ```
 */
export function createFakeXeroBackend(options: FakeXeroBackendOptions): FakeXeroBackend {
  const now = options.now ?? (() => new Date());
  const base = options.baseUrl.replace(/\/+$/, '');
  const initial = (): Connection =>
    connectionSchema.parse(options.initial ?? buildConnection('neverConnected', {}, now()));

  let connection = initial();
  let requests: FakeRequest[] = [];
  let sessions: FakeConnectSession[] = [];
  // The contract's Idempotency-Key rule, the same module the reference backend answers with.
  const idempotency = createMemoryIdempotencyRecords(10_000);
  const queues: Queues = { failures: new Map(), delays: new Map(), holds: new Map(), standing: new Map() };
  let latencyMs = checkedLatency(options.latencyMs ?? 0);
  let consent: FakeConsent = 'allow';
  let granted: readonly Tenant[] = [demoTenant];
  // The organisation linked before a disconnect, never reported (disconnected says `tenant: null`):
  // the reference backend remembers it too, so a reconnect's mismatch can name the one expected.
  let disconnectedTenant: Tenant | null = null;

  function record(endpoint: RouteName, request: Request, body: unknown): void {
    const url = new URL(request.url);
    const basePath = new URL(base, url).pathname.replace(/\/+$/, '');
    const headers = headersOf(request);
    requests.push({
      endpoint,
      method: request.method,
      path: url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname,
      url: request.url,
      headers,
      idempotencyKey: headers['idempotency-key'] ?? null,
      body,
    });
  }

  function afterLifetime(at: Date, lifetimeDays: number): string {
    return new Date(at.getTime() + lifetimeDays * DAY_MS).toISOString();
  }

  // What Xero's redirect to the backend's callback does, for both POST /callback and
  // returnFromXero(): consume the session, honour the consent choice, connect the demo tenant.
  function finishRoundTrip(state: string): 'connected' | ErrorCode {
    const session = sessions.find((candidate) => candidate.state === state);
    if (!session) return 'STATE_MISMATCH';
    sessions = sessions.filter((candidate) => candidate !== session);
    if (consent === 'deny') return 'XERO_ACCESS_DENIED';
    const at = now();
    const stamps = {
      connectedAt: at.toISOString(),
      lastUsedAt: at.toISOString(),
      lastRefreshedAt: at.toISOString(),
      checkedAt: at.toISOString(),
      refreshTokenExpiresAt: afterLifetime(at, connection.refreshTokenLifetimeDays),
    };
    const decision = decideOrganisation({
      granted,
      expectedTenantId: session.expectedTenantId,
      contractMinor: session.contractMinor,
      previousTenant: connection.tenant ?? disconnectedTenant,
      previousDisconnected: connection.status === 'disconnected',
    });
    if (decision.kind === 'fail') return decision.code;
    connection =
      decision.kind === 'link'
        ? connectionSchema.parse({ ...buildConnection('connected', {}, at), ...stamps, tenant: decision.organisation })
        : connectionSchema.parse({
            ...buildConnection('choosingOrganisation', {}, at),
            ...stamps,
            reason: decision.reason,
            tenant: decision.tenant,
            organisations: granted,
            lastError: decision.lastErrorCode === null ? null : { code: decision.lastErrorCode, message: buildProblem(decision.lastErrorCode).title, at: at.toISOString() },
          });
    return 'connected';
  }

  // Like a backend's GET /callback, with the very function the reference backend redirects with:
  // returnTo's query kept as it is and ours appended, so a host's own `code` parameter survives.
  function returnUrl(session: FakeConnectSession, outcome: 'connected' | ErrorCode): string {
    return withConnectOutcome(session.returnTo, outcome === 'connected' ? { kind: 'connected' } : outcomeForCode(outcome));
  }

  const answers: Record<RouteName, (body: unknown, request: Request) => Response> = {
    getConnection: () => jsonAnswer(connectionSchema, connection),

    disconnect: () => {
      const remoteRemoved = !(connection.status === 'needs_reauth' && connection.reason === 'refresh_token_expired');
      disconnectedTenant = connection.tenant ?? disconnectedTenant;
      connection = connectionSchema.parse({
        ...buildConnection('disconnected', {}, now()),
        lastUsedAt: connection.lastUsedAt,
        lastRefreshedAt: connection.lastRefreshedAt,
        refreshTokenLifetimeDays: connection.refreshTokenLifetimeDays,
      });
      return jsonAnswer(disconnectResponseSchema, { status: 'disconnected', remoteRemoved });
    },

    connect: (body, request) => {
      const parsed = connectRequestSchema.safeParse(body);
      if (!parsed.success) return validationProblem('The POST /connect body does not match the contract');
      const state = randomState();
      sessions.push({
        state,
        mode: parsed.data.mode,
        returnTo: parsed.data.returnTo,
        expectedTenantId: expectedTenantFor(parsed.data, (connection.tenant ?? disconnectedTenant)?.tenantId ?? null),
        contractMinor: acceptedContractMinor(request.headers.get('accept')),
      });
      const authorizeUrl = new URL('/identity/connect/authorize', FAKE_AUTHORIZE_ORIGIN);
      authorizeUrl.search = new URLSearchParams({
        response_type: 'code',
        client_id: 'fake-client',
        scope: 'openid profile email offline_access accounting.invoices accounting.contacts',
        state,
        code_challenge: 'fake-challenge',
        code_challenge_method: 'S256',
      }).toString();
      return jsonAnswer(connectResponseSchema, {
        authorizeUrl: authorizeUrl.href,
        state,
        expiresAt: new Date(now().getTime() + 10 * 60_000).toISOString(),
      });
    },

    completeCallback: (body) => {
      const parsed = callbackRequestSchema.safeParse(body);
      if (!parsed.success) return validationProblem('The POST /callback body does not match the contract');
      const outcome = finishRoundTrip(parsed.data.state);
      if (outcome !== 'connected') return problemResponse(buildProblem(outcome));
      return jsonAnswer(connectionSchema, connection);
    },

    chooseOrganisation: (body) => {
      const parsed = chooseOrganisationRequestSchema.safeParse(body);
      if (!parsed.success) return validationProblem('The POST /connection/organisation body does not match the contract');
      if (connection.status !== 'choosing_organisation') {
        return validationProblem(`There is no organisation to choose: the connection is ${connection.status}`);
      }
      const tenant = connection.organisations.find((candidate) => candidate.tenantId === parsed.data.tenantId);
      if (tenant === undefined) return problemResponse(buildProblem('XERO_TENANT_NOT_FOUND'));
      const at = now().toISOString();
      connection = connectionSchema.parse({ ...connection, status: 'connected', reason: null, tenant, checkedAt: at, organisations: undefined });
      return jsonAnswer(connectionSchema, connection);
    },

    verify: () => {
      const at = now().toISOString();
      connection =
        connection.status === 'connected'
          ? connectionSchema.parse({
              ...connection,
              checkedAt: at,
              lastUsedAt: at,
              lastRefreshedAt: at,
              refreshTokenExpiresAt: afterLifetime(new Date(at), connection.refreshTokenLifetimeDays),
              // The refresh worked, so keep-alive is no longer failing (its next run is not moved).
              ...(connection.keepAlive ? { keepAlive: { ...connection.keepAlive, failing: false } } : {}),
            })
          : connectionSchema.parse({ ...connection, checkedAt: at });
      return jsonAnswer(connectionSchema, connection);
    },
  };

  // Every answer says what time it is on the fake's clock, as an HTTP server's `Date` does. A
  // network error, or a host's own failure Response with immutable headers, goes as it is.
  function dated(response: Response): Response {
    try {
      if (!response.headers.has('date')) response.headers.set('date', now().toUTCString());
    } catch {
      // Immutable headers.
    }
    return response;
  }

  async function respond(endpoint: RouteName, request: Request): Promise<Response> {
    const route = routes[endpoint];
    const text = route.body !== null ? await request.text() : null;
    const json = text === null ? { ok: true as const, value: null } : parseJson(text);
    record(endpoint, request, json.ok ? json.value : null);

    // Held, delayed and failing calls are in progress under their key, as a slow or failing
    // backend's would be: a repeat meanwhile is answered 409, and a kept failure is replayed.
    return answerIdempotently({
      request,
      path: route.path,
      body: text,
      now,
      slot: (key) => idempotency.slot(JSON.stringify([route.method, route.path, key])),
      refuse: ({ status, detail, retryAfterSeconds }) =>
        problemResponse(buildProblem('VALIDATION_FAILED', { status, detail, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) })),
      run: async () => {
        const held = queues.holds.get(endpoint);
        if (held) await held;
        const wait = (take(queues.delays, endpoint) ?? 0) + latencyMs;
        if (wait > 0) await delay(wait);

        const failure = take(queues.failures, endpoint) ?? queues.standing.get(endpoint);
        if (failure !== undefined) return failureResponse(failure);
        if (!json.ok) return validationProblem('The body is not valid JSON');
        return answers[endpoint](json.value, request);
      },
    });
  }

  const handlers = (Object.keys(routes) as RouteName[]).map((endpoint) => {
    const route = routes[endpoint];
    const url = `${base}${route.path}`;
    const resolver = async ({ request }: { request: Request }) => dated(await respond(endpoint, request));
    if (route.method === 'GET') return http.get(url, resolver);
    if (route.method === 'DELETE') return http.delete(url, resolver);
    return http.post(url, resolver);
  });

  function queue<T>(map: Map<RouteName, T[]>, endpoint: RouteName, value: T, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a whole number ≥ 1 (got ${String(times)})`);
    const list = map.get(endpoint) ?? [];
    for (let index = 0; index < times; index += 1) list.push(value);
    map.set(endpoint, list);
  }

  return {
    baseUrl: options.baseUrl,
    handlers,
    getConnection: () => connection,
    setConnection: (next) => {
      connection = connectionSchema.parse(next);
      disconnectedTenant = null; // a connection set by hand starts its own history
    },
    get requests() {
      return requests;
    },
    requestsTo: (endpoint) => requests.filter((request) => request.endpoint === endpoint),
    clearRequests: () => {
      requests = [];
    },
    get connectSessions() {
      return sessions;
    },
    failNext: (endpoint, failure, times = 1) => queue(queues.failures, endpoint, failure, times),
    delayNext: (endpoint, ms, times = 1) => queue(queues.delays, endpoint, ms, times),
    hold: (endpoint) => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      queues.holds.set(endpoint, gate);
      return () => {
        if (queues.holds.get(endpoint) === gate) queues.holds.delete(endpoint);
        release();
      };
    },
    failEvery: (endpoint, failure) => {
      queues.standing.set(endpoint, failure);
      return () => {
        if (queues.standing.get(endpoint) === failure) queues.standing.delete(endpoint);
      };
    },
    setLatency: (ms) => {
      latencyMs = checkedLatency(ms);
    },
    setConsent: (next) => {
      consent = next;
    },
    setGrantedOrganisations: (organisations) => {
      if (organisations.length === 0) throw new RangeError('setGrantedOrganisations: the user must tick at least one organisation');
      granted = organisations.map((tenant) => tenantSchema.parse(tenant));
    },
    returnFromXero: (state) => {
      const session = state === undefined ? sessions.at(-1) : sessions.find((candidate) => candidate.state === state);
      if (!session) {
        throw new Error(
          state === undefined
            ? 'returnFromXero(): no connect round trip is waiting. Start one with POST /connect (connect() or reconnect()) first.'
            : `returnFromXero(): no connect round trip has the state ${JSON.stringify(state)}.`,
        );
      }
      return returnUrl(session, finishRoundTrip(session.state));
    },
    now,
    reset: () => {
      connection = initial();
      requests = [];
      sessions = [];
      idempotency.clear();
      queues.failures.clear();
      queues.delays.clear();
      queues.holds.clear();
      queues.standing.clear();
      latencyMs = checkedLatency(options.latencyMs ?? 0);
      consent = 'allow';
      granted = [demoTenant];
      disconnectedTenant = null;
    },
  };
}
