import { randomUUID } from 'node:crypto';

import type { ConnectionKey, ConnectionStore, StoredConnection, StoredTokens } from './connection-store';
import type { KeepAliveSleep } from './keep-alive';
import type { FreshnessOptions, KeyedLock, Refresher } from './refresher';
import type { CheckTenantLocked } from './tenant-check';
import { XERO_TENANT_CALLS_PER_MINUTE, XERO_TENANT_CONCURRENCY, type TenantLimiter } from './tenant-limiter';
import { readRetryAfter, XeroConnectionHandlerError } from './xero-error';
import { networkFailure } from './xero-http';

/** `init` of `handler.xeroFetch`: the Fetch API's `RequestInit`, plus which connection to use. */
export interface XeroFetchInit extends RequestInit {
  /**
   * The portal account whose connection makes the call, as `authenticate` names it
   * (`AuthenticatedCaller.accountId`). Default `'default'`, as for single-account portals.
   */
  accountId?: string;
  /**
   * The `Idempotency-Key` Xero receives (at most 128 visible ASCII characters). Writes (POST, PUT,
   * PATCH) always carry one: this, else an `Idempotency-Key` header of `init`, else a new UUID for
   * the call. Pass your own (e.g. the export's id) to make a retry of the whole export safe too.
   */
  idempotencyKey?: string;
}

/**
 * A fetch-shaped call of Xero's APIs through one account's connection: `handler.xeroFetch`.
 *
 * `input` is a path on Xero's API origin (`/api.xro/2.0/Invoices`, resolved against
 * `endpoints.apiBaseUrl`), or an absolute URL or `Request` on that origin: the access token is
 * never sent anywhere else. Resolves with Xero's own response for everything that is not an
 * authorisation, rate-limit or transport failure (a 400 validation error comes back as Xero sent
 * it); rejects with a {@link XeroConnectionHandlerError} for those, whose `toResponse()` a portal
 * route can return to its browser. Rejects with a `TypeError` for a bad input (like `fetch`), and
 * with the signal's reason when `init.signal` aborts.
 */
export type XeroFetch = (input: string | URL | Request, init?: XeroFetchInit) => Promise<Response>;

/** The `xeroFetch` option of `createXeroConnectionHandler`: pacing and retries. */
export interface XeroFetchOptions {
  /**
   * At most this many calls start in any minute for one organisation, keep-alive's included.
   * Default 60, Xero's limit. Holds in one process: see docs/xero-fetch.md on several instances.
   */
  tenantCallsPerMinute?: number;
  /** At most this many calls in flight at once for one organisation. Default 5, Xero's limit. */
  tenantConcurrency?: number;
  /**
   * A 429 whose `Retry-After` is at most this many seconds is waited out and the call made again;
   * a longer one (Xero's day limit) rejects at once with `XERO_RATE_LIMITED`. Default 60.
   */
  maxRetryAfterSeconds?: number;
  /** 429s one call waits out before it rejects with `XERO_RATE_LIMITED`. Default 3. */
  maxRateLimitRetries?: number;
  /**
   * How many times one call is sent when its answer is lost (a network error, or 502, 503 or 504
   * from Xero's edge), with the same `Idempotency-Key`: Xero applies a write once however often
   * it arrives. Default 3; then it rejects with `XERO_UNAVAILABLE`.
   */
  maxAttempts?: number;
}

/** The options with their defaults, checked: a value that could not pace or retry is refused when the handler is made. */
export function checkedXeroFetchOptions(options: XeroFetchOptions): Required<XeroFetchOptions> {
  const whole = (name: keyof XeroFetchOptions, fallback: number, min: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`createXeroConnectionHandler: xeroFetch.${name} must be a whole number of at least ${min} (got ${String(options[name])})`);
    }
    return value;
  };
  return {
    tenantCallsPerMinute: whole('tenantCallsPerMinute', XERO_TENANT_CALLS_PER_MINUTE, 1),
    tenantConcurrency: whole('tenantConcurrency', XERO_TENANT_CONCURRENCY, 1),
    maxRetryAfterSeconds: whole('maxRetryAfterSeconds', 60, 0),
    maxRateLimitRetries: whole('maxRateLimitRetries', 3, 0),
    maxAttempts: whole('maxAttempts', 3, 1),
  };
}

/** Everything `xeroFetch` needs from the handler that owns it. */
export interface XeroFetchDependencies {
  integrationKey: string;
  apiBaseUrl: string;
  store: ConnectionStore;
  lock: KeyedLock;
  refresher: Refresher;
  checkTenantLocked: CheckTenantLocked;
  limiter: TenantLimiter;
  fetch: typeof globalThis.fetch;
  clock: () => Date;
  sleep: KeepAliveSleep;
  onError: (error: unknown) => void;
  settings: Required<Pick<XeroFetchOptions, 'maxRetryAfterSeconds' | 'maxRateLimitRetries' | 'maxAttempts'>>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Xero's edge answers these when the call may or may not have reached the API: the answer is lost. */
const LOST_ANSWER_STATUSES = new Set([502, 503, 504]);
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
/** A successful call is recorded as use at most this often per connection: one store write a minute, not one per call. */
const RECORD_USE_EVERY_MS = 60_000;

type Linked = StoredConnection & { tokens: StoredTokens; tenant: NonNullable<StoredConnection['tenant']> };

interface Prepared {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | null;
  signal: AbortSignal | undefined;
  /** `PUT /api.xro/2.0/Invoices`: how errors name the call (never its query, which may hold data). */
  label: string;
}

/** The error for a connection that cannot make calls, or `null` when it can. */
function unusable(connection: StoredConnection | null): XeroConnectionHandlerError | null {
  if (connection === null) return new XeroConnectionHandlerError('XERO_TENANT_NOT_FOUND', 'Xero is not connected for this account (never connected)');
  if (connection.status === 'needs_reauth') {
    return connection.needsReauthReason === 'tenant_removed_in_xero'
      ? new XeroConnectionHandlerError('XERO_TENANT_NOT_FOUND', 'The organisation removed this app in Xero: connect again')
      : new XeroConnectionHandlerError('XERO_INVALID_GRANT', 'Xero no longer accepts this connection (invalid_grant): connect again');
  }
  if (connection.status === 'disconnected') return new XeroConnectionHandlerError('XERO_TENANT_NOT_FOUND', 'Xero is not connected for this account (disconnected)');
  if (connection.status === 'choosing_organisation') {
    return new XeroConnectionHandlerError('XERO_TENANT_NOT_FOUND', 'No organisation is linked yet: the connection waits for the user to choose one');
  }
  if (connection.tokens === null || connection.tenant === null) {
    return new XeroConnectionHandlerError('XERO_INVALID_GRANT', 'The connection holds no usable grant: connect again');
  }
  return null;
}

/** Whether a 403 is Xero's `AuthenticationUnsuccessful` (the organisation removed the app, or the user lost access). */
async function isAuthenticationUnsuccessful(response: Response): Promise<boolean> {
  const text = await response
    .clone()
    .text()
    .catch(() => '');
  return /AuthenticationUnsuccessful/i.test(text) || /AuthenticationUnsuccessful/i.test(response.headers.get('www-authenticate') ?? '');
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** Makes `handler.xeroFetch` for one handler: its store, locks, refresher and pacing. */
export function createXeroFetch(deps: XeroFetchDependencies): XeroFetch {
  const { integrationKey, store, lock, refresher, checkTenantLocked, limiter, clock, sleep, settings } = deps;
  const apiBase = new URL(deps.apiBaseUrl);
  const lastRecorded = new Map<string, number>();

  async function prepare(input: string | URL | Request, init: RequestInit, idempotencyKey: string | undefined): Promise<Prepared> {
    let url: URL;
    if (input instanceof Request) url = new URL(input.url);
    else if (input instanceof URL || typeof input === 'string') url = new URL(input, apiBase);
    else throw new TypeError('xeroFetch: `input` must be a path on Xero’s API, a URL or a Request');
    if (url.origin !== apiBase.origin) {
      throw new TypeError(`xeroFetch: ${url.origin} is not Xero’s API origin (${apiBase.origin}); the access token is only ever sent there`);
    }
    const template = input instanceof Request ? new Request(input, init) : new Request(url, init);
    const method = template.method.toUpperCase();
    const headers = new Headers(template.headers);
    // The connection decides these two, never the caller: no call can reach another organisation.
    headers.delete('authorization');
    headers.delete('xero-tenant-id');
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    const key = idempotencyKey ?? headers.get('idempotency-key') ?? (WRITE_METHODS.has(method) ? randomUUID() : null);
    if (key !== null) {
      if (!IDEMPOTENCY_KEY.test(key)) throw new TypeError('xeroFetch: `idempotencyKey` must be 1 to 128 visible ASCII characters');
      headers.set('idempotency-key', key);
    }
    // Buffered once, so a call whose answer is lost can be sent again, byte for byte.
    const body = template.body === null ? null : await template.arrayBuffer();
    const signal = init.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    return { url, method, headers, body, signal, label: `${method} ${url.pathname}` };
  }

  /** The connection, refreshed when due (one refresh however many callers), or the reason it cannot call. */
  async function linkedConnection(key: ConnectionKey, options: FreshnessOptions = {}): Promise<Linked> {
    const connection = await refresher.freshConnection(key, options);
    const problem = unusable(connection);
    if (problem !== null || connection === null) throw problem;
    return connection as Linked;
  }

  async function recordUse(key: ConnectionKey, known: Linked): Promise<void> {
    const id = JSON.stringify([key.integrationKey, key.accountId]);
    const now = clock().getTime();
    const since = Math.max(lastRecorded.get(id) ?? 0, Date.parse(known.lastUsedAt ?? '') || 0);
    if (now - since < RECORD_USE_EVERY_MS) return;
    lastRecorded.set(id, now);
    try {
      // Under the lock and read again: a refresh meanwhile has rotated the tokens, which this
      // write must keep (writing the record read before the call would lose the grant).
      await lock(key, async () => {
        const current = await store.getConnection(key);
        if (current === null || current.status !== 'connected') return;
        await store.putConnection(key, { ...current, lastUsedAt: new Date(now).toISOString() });
      });
    } catch (error) {
      // The call succeeded (an invoice may exist now): a failed bookkeeping write must not hide that.
      deps.onError(error);
    }
  }

  async function call(key: ConnectionKey, request: Prepared): Promise<Response> {
    const { signal } = request;
    let connection = await linkedConnection(key);
    let attempts = 0;
    let rateLimits = 0;
    let refreshedAfter401 = false;
    for (;;) {
      const tenantId = connection.tenant.tenantId;
      const headers = new Headers(request.headers);
      headers.set('authorization', `Bearer ${connection.tokens.accessToken}`);
      headers.set('xero-tenant-id', tenantId);
      const release = await limiter.acquire(tenantId, signal);
      const sentAt = clock().getTime();
      let response: Response | null = null;
      let lost: unknown = null;
      try {
        response = await deps.fetch(request.url, {
          method: request.method,
          headers,
          ...(request.body === null ? {} : { body: request.body }),
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        lost = error;
      } finally {
        release();
      }

      // The answer is lost: send the same request again (same Idempotency-Key), a bounded number of times.
      if (response === null || LOST_ANSWER_STATUSES.has(response.status)) {
        attempts += 1;
        const what = response === null ? networkFailure(lost) : `answered ${response.status}`;
        if (response !== null) await discard(response);
        if (attempts >= settings.maxAttempts) {
          throw new XeroConnectionHandlerError('XERO_UNAVAILABLE', `Xero ${what} (${request.label}), ${attempts} times`, lost === null ? {} : { cause: lost });
        }
        await sleep(250 * 2 ** attempts, signal);
        continue;
      }

      // Refused before its time (revoked, or rotated by another instance): one refresh, one retry.
      if (response.status === 401) {
        await discard(response);
        if (refreshedAfter401) throw new XeroConnectionHandlerError('XERO_FORBIDDEN', `Xero refused a freshly refreshed access token (${request.label})`);
        refreshedAfter401 = true;
        connection = await linkedConnection(key, { rejectedAccessToken: connection.tokens.accessToken });
        continue;
      }

      // The organisation may have removed the app in Xero: GET /connections decides (once: this returns or throws).
      if (response.status === 403 && (await isAuthenticationUnsuccessful(response))) {
        const checked = await lock(key, () => checkTenantLocked(key));
        const problem = unusable(checked);
        if (problem !== null) {
          await discard(response);
          throw problem;
        }
        // Still connected: the refusal is about something else (the user's access, a scope), Xero's to tell.
        return response;
      }

      if (response.status === 429) {
        await discard(response);
        const limit = response.headers.get('x-rate-limit-problem')?.trim().toLowerCase() ?? 'unknown';
        const waitSeconds = readRetryAfter(response, clock()) ?? (limit === 'concurrent' ? 1 : 60);
        rateLimits += 1;
        if (waitSeconds > settings.maxRetryAfterSeconds || rateLimits > settings.maxRateLimitRetries) {
          throw new XeroConnectionHandlerError('XERO_RATE_LIMITED', `Xero’s ${limit} rate limit was reached (${request.label}): try again in ${waitSeconds} s`, {
            retryAfterSeconds: waitSeconds,
          });
        }
        // Every call for the organisation (or, for the app-wide limit, every call) waits, not just this one.
        limiter.pauseUntil(limit === 'appminute' ? 'app' : { tenantId }, sentAt + waitSeconds * 1000);
        continue;
      }

      if (response.ok) await recordUse(key, connection);
      return response;
    }
  }

  return async function xeroFetch(input, init = {}) {
    const { accountId = 'default', idempotencyKey, ...requestInit } = init;
    if (typeof accountId !== 'string' || accountId === '') throw new TypeError('xeroFetch: `accountId` must be a non-empty string');
    const request = await prepare(input, requestInit, idempotencyKey);
    try {
      return await call({ integrationKey, accountId }, request);
    } catch (error) {
      if (error instanceof XeroConnectionHandlerError) throw error;
      if (request.signal?.aborted === true && error === request.signal.reason) throw error;
      // The store or a lock failed: the host's onError sees the cause, the caller a typed error.
      deps.onError(error);
      throw new XeroConnectionHandlerError('INTERNAL', `xeroFetch failed unexpectedly (${request.label})`, { cause: error });
    }
  };
}
