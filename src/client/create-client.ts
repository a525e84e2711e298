import {
  CONTRACT_ACCEPT,
  callbackRequestSchema,
  chooseOrganisationRequestSchema,
  connectRequestSchema,
  routeLabel,
  routes,
  type CallbackRequest,
  type ChooseOrganisationRequest,
  type Connection,
  type ConnectRequest,
  type ConnectResponse,
  type DisconnectResponse,
  type RouteLabel,
  type RouteName,
} from '../contract';
import { describeIssues, summarizeIssues } from './describe-issues';
import {
  XeroConnectionNetworkError,
  XeroConnectionTimeoutError,
  XeroConnectionUsageError,
  isXeroConnectionError,
} from './errors';
import { backendClockFor, offsetFromDateHeader, type BackendClock } from './backend-clock';
import { createIdempotencyKey } from './idempotency-key';
import { readResponse, type BodySchema } from './read-response';
import { absoluteUrl, assertBaseUrl, describeValue, endpointUrl } from './resolve-url';
import { DEFAULT_RETRY, retryDelayMs, sleep, type ResolvedRetryOptions, type RetryOptions } from './retry';

/** Extra request headers: a fixed object, or a function called before every request (for short-lived auth tokens). */
export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** Options of {@link createXeroConnectionClient}. */
export interface XeroConnectionClientOptions {
  /**
   * The integration's base URL on the host's backend, e.g. `/api/integrations/xero-billing`.
   * A path resolves against the page's location when a request is made.
   */
  baseUrl: string;
  /** The fetch to use; defaults to the global one, looked up per request (so test mocks and polyfills apply). */
  fetch?: typeof globalThis.fetch;
  /** Headers for the host's own authentication, sent with every request. */
  headers?: HeadersOption;
  /** Cookie policy for every request. Default `same-origin`. */
  credentials?: RequestCredentials;
  /** Time limit for each attempt, body included. Default 15 000 ms. */
  timeoutMs?: number;
  /** Retries for reads, or `false` for none. Writes are never retried. */
  retry?: RetryOptions | false;
}

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call; an abort rejects with the signal's reason, never a client error. */
  signal?: AbortSignal;
}

/** Per-call options for writes. */
export interface WriteRequestOptions extends RequestOptions {
  /** The `Idempotency-Key` to send; a fresh UUID by default. Reuse one to make a repeated write safe. */
  idempotencyKey?: string;
}

/**
 * A typed client for one integration's backend. Every answer is validated against the contract;
 * every failure is one of the client's error classes.
 */
export interface XeroConnectionClient {
  /** The base URL the client was created with, as given. */
  readonly baseUrl: string;
  /** `GET /connection`: the connection's status. Retried with backoff on transient failures. */
  getConnection(options?: RequestOptions): Promise<Connection>;
  /**
   * `POST /connect`: starts a round trip through Xero's consent screen. A relative `returnTo`
   * resolves against the page's location. Navigate the browser to the returned `authorizeUrl`.
   */
  connect(request: ConnectRequest, options?: WriteRequestOptions): Promise<ConnectResponse>;
  /** `POST /callback`: finishes a round trip for hosts that route Xero's redirect to their own page. */
  completeCallback(request: CallbackRequest, options?: WriteRequestOptions): Promise<Connection>;
  /** `DELETE /connection`: disconnects. Succeeds when the tokens are already dead (`remoteRemoved: false`). */
  disconnect(options?: WriteRequestOptions): Promise<DisconnectResponse>;
  /** `POST /connection/verify`: asks the backend to check with Xero now. */
  verify(options?: WriteRequestOptions): Promise<Connection>;
  /**
   * `POST /connection/organisation` (contract 1.1): links the chosen one of a
   * `choosing_organisation` connection's organisations; the backend disconnects the others in Xero.
   */
  chooseOrganisation(request: ChooseOrganisationRequest, options?: WriteRequestOptions): Promise<Connection>;
}

interface ResolvedOptions {
  baseUrl: string;
  fetch: typeof globalThis.fetch | undefined;
  headers: HeadersOption | undefined;
  credentials: RequestCredentials;
  timeoutMs: number;
  retry: ResolvedRetryOptions | null;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

function resolveOptions(options: XeroConnectionClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: expected an options object with a baseUrl (got ${describeValue(options)})`,
      null,
    );
  }
  assertBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Timers overflow past 2^31 - 1 ms and fire at once, which would turn a huge limit into none.
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: timeoutMs must be a positive number of milliseconds up to ${MAX_TIMER_MS} (got ${String(timeoutMs)})`,
      null,
    );
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: fetch must be a function (got ${describeValue(options.fetch)})`,
      null,
    );
  }
  const retry = options.retry === false ? null : { ...DEFAULT_RETRY, ...options.retry };
  if (retry && !(Number.isInteger(retry.retries) && retry.retries >= 0)) {
    throw new XeroConnectionUsageError(
      `createXeroConnectionClient: retry.retries must be a whole number ≥ 0 (got ${String(retry.retries)})`,
      null,
    );
  }
  for (const key of ['baseDelayMs', 'maxDelayMs'] as const) {
    const value = retry?.[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0 && value <= MAX_TIMER_MS)) {
      throw new XeroConnectionUsageError(
        `createXeroConnectionClient: retry.${key} must be a number of milliseconds from 0 to ${MAX_TIMER_MS} (got ${String(value)})`,
        null,
      );
    }
  }
  return {
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    headers: options.headers,
    credentials: options.credentials ?? 'same-origin',
    timeoutMs,
    retry,
  };
}

async function buildHeaders(
  options: ResolvedOptions,
  endpoint: RouteLabel,
  hasBody: boolean,
  idempotencyKey: string | null,
): Promise<Headers> {
  let extra: HeadersInit | undefined;
  try {
    extra = typeof options.headers === 'function' ? await options.headers() : options.headers;
  } catch (cause) {
    throw new XeroConnectionUsageError(`${endpoint}: the headers option threw before the request was sent`, endpoint, {
      cause,
    });
  }
  // Headers throws a TypeError on a bad name or value (a space, a line break): report it as misuse.
  let headers: Headers;
  try {
    headers = new Headers(extra);
  } catch (cause) {
    throw new XeroConnectionUsageError(`${endpoint}: the headers option holds an invalid header name or value`, endpoint, {
      cause,
    });
  }
  headers.set('Accept', CONTRACT_ACCEPT);
  if (hasBody) headers.set('Content-Type', 'application/json');
  if (idempotencyKey !== null) {
    if (idempotencyKey.trim() === '') {
      throw new XeroConnectionUsageError(`${endpoint}: idempotencyKey must not be empty`, endpoint);
    }
    try {
      headers.set('Idempotency-Key', idempotencyKey);
    } catch (cause) {
      throw new XeroConnectionUsageError(`${endpoint}: idempotencyKey is not a valid header value`, endpoint, { cause });
    }
  }
  return headers;
}

interface Attempt {
  url: string;
  init: RequestInit;
  timeoutMs: number;
  callerSignal: AbortSignal | undefined;
  /** Learns the backend's clock from the answer's `Date` header, whatever its status. */
  clock: BackendClock;
}

// Settles with `promise`, or rejects as soon as `signal` aborts. A custom fetch may ignore its signal,
// and a Response it builds (a mock's, a polyfill's) has a body the signal cannot cancel: without
// this race such a call would outlive both the timeout and the caller's abort.
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

// One fetch with its own timer. The timer covers reading the body too: a backend that sends
// headers and then stalls is as stuck as one that never answers.
async function attempt<T>(fetchImpl: typeof fetch, endpoint: RouteLabel, schema: BodySchema<T>, a: Attempt): Promise<T> {
  // The caller may have aborted while an async headers function ran: its abort event is gone by now.
  if (a.callerSignal?.aborted) throw a.callerSignal.reason;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, a.timeoutMs);
  const forwardAbort = () => controller.abort(a.callerSignal?.reason);
  a.callerSignal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    let response: Response;
    let text: string;
    try {
      const sentAt = Date.now();
      response = await untilAborted(fetchImpl(a.url, { ...a.init, signal: controller.signal }), controller.signal);
      a.clock.offsetMs = offsetFromDateHeader(response.headers.get('date'), sentAt, Date.now()) ?? a.clock.offsetMs;
      text = await untilAborted(response.text(), controller.signal);
    } catch (cause) {
      if (a.callerSignal?.aborted) throw a.callerSignal.reason;
      if (timedOut) throw new XeroConnectionTimeoutError(endpoint, a.timeoutMs);
      throw new XeroConnectionNetworkError(endpoint, a.url, cause);
    }
    return readResponse(endpoint, response, text, schema);
  } finally {
    clearTimeout(timer);
    a.callerSignal?.removeEventListener('abort', forwardAbort);
  }
}

function validateBody<T>(endpoint: RouteLabel, schema: BodySchema<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = describeIssues(result.error.issues);
  throw new XeroConnectionUsageError(`${endpoint}: the request body is invalid: ${summarizeIssues(issues)}`, endpoint, {
    issues,
  });
}

/**
 * Creates a typed client for one integration's backend (one base URL per integration).
 *
 * The client also learns the backend's clock from each answer's `Date` header, so the React
 * layer measures the connection's dates ("Last used … 2 days ago", days left) from the clock that
 * wrote them. A backend on another origin must send `Access-Control-Expose-Headers: Date` for the
 * browser to show that header; without it the browser's clock is used.
 *
 * @example
 * ```ts
 * const billing = createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing' });
 * const connection = await billing.getConnection();
 * if (connection.status === 'needs_reauth') console.log(connection.reason); // 'refresh_token_expired'
 * ```
 * @throws {XeroConnectionUsageError} when an option is invalid; the message names it.
 */
export function createXeroConnectionClient(options: XeroConnectionClientOptions): XeroConnectionClient {
  const resolved = resolveOptions(options);
  const clock: BackendClock = backendClockFor(resolved.baseUrl);

  async function send<T>(name: RouteName, schema: BodySchema<T>, body: unknown, requestOptions: WriteRequestOptions = {}): Promise<T> {
    const route = routes[name];
    const endpoint = routeLabel(name);
    const { signal } = requestOptions;
    if (signal?.aborted) throw signal.reason;
    const url = endpointUrl(resolved.baseUrl, route.path, endpoint);
    const fetchImpl = resolved.fetch ?? globalThis.fetch;
    const isRead = route.method === 'GET';

    for (let attemptNumber = 0; ; attemptNumber += 1) {
      const idempotencyKey = isRead ? null : (requestOptions.idempotencyKey ?? createIdempotencyKey());
      const headers = await buildHeaders(resolved, endpoint, body !== undefined, idempotencyKey);
      try {
        return await attempt(fetchImpl, endpoint, schema, {
          url,
          timeoutMs: resolved.timeoutMs,
          callerSignal: signal,
          clock,
          init: {
            method: route.method,
            headers,
            credentials: resolved.credentials,
            body: body === undefined ? undefined : JSON.stringify(body),
          },
        });
      } catch (error) {
        // Writes are never retried here: the user decides, and the Idempotency-Key makes that safe.
        if (!isRead || !resolved.retry || !isXeroConnectionError(error) || !error.retryable) throw error;
        const retryAfter = 'retryAfterSeconds' in error ? (error.retryAfterSeconds as number | null) : null;
        const delay = retryDelayMs(attemptNumber, retryAfter, resolved.retry);
        if (delay === null) throw error;
        await sleep(delay, signal);
      }
    }
  }

  const client: XeroConnectionClient = {
    baseUrl: resolved.baseUrl,
    getConnection: (requestOptions) => send('getConnection', routes.getConnection.response, undefined, requestOptions),
    // async, so a bad argument rejects the returned promise like every other failure, never throws.
    connect: async (request, requestOptions) => {
      const endpoint = routeLabel('connect');
      const returnTo =
        request && typeof request === 'object' && typeof request.returnTo === 'string'
          ? absoluteUrl(request.returnTo, endpoint, 'returnTo')
          : request?.returnTo;
      const body = validateBody(endpoint, connectRequestSchema, { ...request, returnTo });
      return send('connect', routes.connect.response, body, requestOptions);
    },
    completeCallback: async (request, requestOptions) => {
      const body = validateBody(routeLabel('completeCallback'), callbackRequestSchema, request);
      return send('completeCallback', routes.completeCallback.response, body, requestOptions);
    },
    disconnect: (requestOptions) => send('disconnect', routes.disconnect.response, undefined, requestOptions),
    verify: (requestOptions) => send('verify', routes.verify.response, undefined, requestOptions),
    chooseOrganisation: async (request, requestOptions) => {
      const body = validateBody(routeLabel('chooseOrganisation'), chooseOrganisationRequestSchema, request);
      return send('chooseOrganisation', routes.chooseOrganisation.response, body, requestOptions);
    },
  };
  return client;
}
