import { setTimeout as delay } from 'node:timers/promises';

import type { ErrorCode } from '../contract';
import {
  isKeptAlive,
  refreshTokenIssuedAt,
  type ConnectionKey,
  type ConnectionStore,
  type DueConnection,
  type DueConnectionCursor,
  type DueConnectionQuery,
  type StoredConnection,
} from './connection-store';
import type { KeyedLock, Refresher } from './refresher';
import type { ReleaseSlot, TenantLimiter } from './tenant-limiter';
import { XeroConnectionHandlerError } from './xero-error';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * Due connections are read this many at a time: a run over tens of thousands holds one page of
 * them, never the whole listing (its summary still has one short line per connection).
 */
export const KEEP_ALIVE_PAGE_SIZE = 500;

/** Keep-alive refreshes connections whose refresh token has gone unused this many days, by default. */
export const KEEP_ALIVE_DEFAULT_OLDER_THAN_DAYS = 7;

/**
 * How long before the refresh token's lifetime (`refreshTokenLifetimeDays`) keep-alive must have
 * refreshed a connection at the latest: room for failed runs, outages and rate limits. A threshold
 * (plus, for the timer, the interval) that leaves less is refused.
 */
export const KEEP_ALIVE_SAFETY_MARGIN_DAYS = 7;

/** Why keep-alive refused its options. */
export type KeepAliveConfigurationProblem =
  /** `olderThanDays` is not a number above 0. */
  | 'invalid_threshold'
  /** `olderThanDays` (plus the timer's interval) reaches into the safety margin before expiry. */
  | 'threshold_too_long'
  /** `intervalMs` is not a whole number of milliseconds from 1 to 2147483647. */
  | 'invalid_interval'
  /** A pacing or back-off option is not a positive number. */
  | 'invalid_pacing'
  /** The store has no `listDueConnections`. */
  | 'store_cannot_list'
  /** `refreshDueConnections` or `startKeepAlive` on a handler made without the `keepAlive` option. */
  | 'not_enabled';

/** Keep-alive was asked to run with options that could not keep connections alive. */
export class XeroKeepAliveConfigurationError extends Error {
  override readonly name = 'XeroKeepAliveConfigurationError';
  /** What is wrong. */
  readonly problem: KeepAliveConfigurationProblem;

  constructor(problem: KeepAliveConfigurationProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** The `keepAlive` option of `createXeroConnectionHandler`: thresholds and pacing. */
export interface XeroKeepAliveOptions {
  /**
   * Refresh a connection once its refresh token has gone unused (not refreshed) this many days.
   * Default {@link KEEP_ALIVE_DEFAULT_OLDER_THAN_DAYS}. Must stay below `refreshTokenLifetimeDays`
   * minus {@link KEEP_ALIVE_SAFETY_MARGIN_DAYS}.
   */
  olderThanDays?: number;
  /**
   * At most this many token calls per minute from one run, spaced evenly. Default 300: far under
   * Xero's app-wide 10,000 calls a minute, which the portal's own traffic shares.
   */
  callsPerMinute?: number;
  /**
   * At most this many calls per minute for one organisation (tenant) from one run. Default 30:
   * half of Xero's 60 per organisation, which the organisation's other apps do not share but the
   * portal's exports do.
   */
  tenantCallsPerMinute?: number;
  /**
   * A 429 whose `Retry-After` is longer than this many seconds stops the run (the rest is left
   * for the next one) instead of waiting. Default 300.
   */
  maxRetryAfterSeconds?: number;
  /** Consecutive 429s on one connection after which the run stops. Default 3. */
  maxRateLimitRetries?: number;
}

/** Options of `refreshDueConnections`. */
export interface RefreshDueConnectionsOptions {
  /** The time the threshold is counted back from. Default: the handler's clock. */
  now?: Date;
  /** Overrides the handler's `keepAlive.olderThanDays` for this run. */
  olderThanDays?: number;
  /** Stops the run between connections (and during its waits); the rest is reported `deferred`. */
  signal?: AbortSignal;
}

/** What keep-alive did to one due connection. */
export type KeepAliveOutcome =
  /** Refreshed: the refresh token's window starts again. */
  | 'refreshed'
  /** Not refreshed, and nothing was wrong: refreshed meanwhile (by a read or another instance), or no longer connected. */
  | 'skipped'
  /** Xero answered `invalid_grant`: stored as `needs_reauth` (expired or revoked, as for any refresh). */
  | 'needs_reauth'
  /** Xero or the store failed (not a rate limit): recorded as `keepAlive.failing` and `lastError`. */
  | 'failed'
  /** Not tried: the run stopped first (rate limit, abort, Xero refusing the app). The next run tries again. */
  | 'deferred';

/** One connection's line in a {@link KeepAliveRunSummary}. Never holds a token. */
export interface KeepAliveConnectionResult {
  key: ConnectionKey;
  /** The linked organisation, when known. */
  tenantId: string | null;
  outcome: KeepAliveOutcome;
  /** The error code of a `needs_reauth` or `failed` outcome; `null` otherwise. */
  errorCode: ErrorCode | null;
  /** A short explanation, for logs. */
  detail: string;
}

/** Why a run stopped before the end of its list. */
export interface KeepAliveStop {
  reason: 'rate_limited' | 'aborted' | 'invalid_client';
  /** For `rate_limited`: Xero's last `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
}

/** What one keep-alive run did. */
export interface KeepAliveRunSummary {
  startedAt: string;
  finishedAt: string;
  olderThanDays: number;
  /** Connections whose refresh token was issued before this were due. */
  dueBefore: string;
  /** How many the store listed as due. */
  due: number;
  refreshed: number;
  skipped: number;
  needsReauth: number;
  failed: number;
  deferred: number;
  /** Refresh calls made to Xero's token endpoint, retries after a 429 included. */
  xeroCalls: number;
  /** 429 answers met (each was waited out, or stopped the run). */
  rateLimited: number;
  /** Why the run stopped early; `null` when it went through its whole list. */
  stopped: KeepAliveStop | null;
  /** One line per due connection, in the order they were taken. */
  connections: KeepAliveConnectionResult[];
}

/** Options of `startKeepAlive`. */
export interface StartKeepAliveOptions {
  /**
   * Time from the end of one run to the start of the next (runs never overlap). With
   * `olderThanDays`, it must leave the safety margin before expiry.
   */
  intervalMs: number;
  /** Overrides the handler's `keepAlive.olderThanDays` for these runs. */
  olderThanDays?: number;
  /** Whether the first run starts at once (default) or after `intervalMs`. */
  runImmediately?: boolean;
  /** Called with each run's summary. A run that throws goes to the handler's `onError` instead. */
  onRun?: (summary: KeepAliveRunSummary) => void;
}

/** The running keep-alive timer of `startKeepAlive`. */
export interface KeepAliveTimer {
  /**
   * Stops the timer: no run starts afterwards, and a run in progress stops at its next connection
   * (the rest `deferred`). Resolves when that run has ended.
   */
  stop(): Promise<void>;
}

/** Waits `ms` milliseconds, or rejects when `signal` aborts. */
export type KeepAliveSleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Everything keep-alive needs from the handler that owns it. */
export interface KeepAliveDependencies {
  store: ConnectionStore;
  integrationKey: string;
  lock: KeyedLock;
  refresher: Refresher;
  clock: () => Date;
  sleep?: KeepAliveSleep;
  refreshTokenLifetimeDays: number;
  settings: XeroKeepAliveOptions;
  onError: (error: unknown) => void;
  /** The handler's per-organisation pacing, shared with `xeroFetch`: keep-alive's calls count too. */
  limiter?: TenantLimiter;
}

/** Keep-alive's two entry points, as the handler exposes them. */
export interface KeepAlive {
  /** The threshold in days, checked. */
  readonly olderThanDays: number;
  refreshDueConnections(options?: RefreshDueConnectionsOptions): Promise<KeepAliveRunSummary>;
  startKeepAlive(options: StartKeepAliveOptions): KeepAliveTimer;
}

/** Waits on a real timer: the default `sleep` of keep-alive and `xeroFetch`. */
export const defaultSleep: KeepAliveSleep = (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal });

function positive(value: number | undefined, fallback: number, name: string): number {
  const checked = value ?? fallback;
  if (!Number.isFinite(checked) || checked <= 0) {
    throw new XeroKeepAliveConfigurationError('invalid_pacing', `keepAlive.${name} must be a number above 0 (got ${String(value)})`);
  }
  return checked;
}

/**
 * Checks a threshold (and the timer's interval) against the refresh token's lifetime. Exported
 * for the handler, which checks its option when it is made.
 */
export function checkedThreshold(olderThanDays: number, lifetimeDays: number, intervalMs = 0): number {
  if (!Number.isFinite(olderThanDays) || olderThanDays <= 0) {
    throw new XeroKeepAliveConfigurationError('invalid_threshold', `keep-alive: olderThanDays must be a number of days above 0 (got ${String(olderThanDays)})`);
  }
  const latest = lifetimeDays - KEEP_ALIVE_SAFETY_MARGIN_DAYS;
  const worst = olderThanDays + intervalMs / DAY_MS;
  if (worst >= latest) {
    const what = intervalMs > 0 ? `olderThanDays (${olderThanDays}) plus the interval (${(intervalMs / DAY_MS).toFixed(2)} days)` : `olderThanDays (${olderThanDays})`;
    throw new XeroKeepAliveConfigurationError(
      'threshold_too_long',
      `keep-alive: ${what} must be less than refreshTokenLifetimeDays (${lifetimeDays}) minus a ${KEEP_ALIVE_SAFETY_MARGIN_DAYS}-day safety margin, i.e. below ${latest} days: otherwise a refresh token could expire before keep-alive reaches it`,
    );
  }
  return olderThanDays;
}

/** Calls spaced for Xero's limits, on the handler's clock (moved on by the waits themselves, so a frozen test clock still advances). */
function createPacer(clock: () => Date, sleep: KeepAliveSleep, callsPerMinute: number, tenantCallsPerMinute: number) {
  let known = clock().getTime();
  const now = () => (known = Math.max(known, clock().getTime()));
  const spacingMs = MINUTE_MS / callsPerMinute;
  let nextCallAt = 0;
  let pausedUntil = 0;
  const tenantCalls = new Map<string, number[]>();

  return {
    /** Waits until a call for `tenantId` is allowed. */
    async wait(tenantId: string | null, signal: AbortSignal | undefined): Promise<void> {
      for (;;) {
        const at = now();
        let until = Math.max(nextCallAt, pausedUntil);
        const recent = tenantId === null ? undefined : tenantCalls.get(tenantId)?.filter((time) => time > at - MINUTE_MS);
        if (tenantId !== null && recent !== undefined) tenantCalls.set(tenantId, recent);
        const oldest = recent?.[0];
        if (recent !== undefined && oldest !== undefined && recent.length >= tenantCallsPerMinute) until = Math.max(until, oldest + MINUTE_MS);
        if (until <= at) return;
        await sleep(until - at, signal);
        known = Math.max(known, at + (until - at));
      }
    },
    /** Notes a call made now. */
    called(tenantId: string | null): void {
      const at = now();
      nextCallAt = at + spacingMs;
      if (tenantId !== null) tenantCalls.set(tenantId, [...(tenantCalls.get(tenantId) ?? []), at]);
      // Over thousands of organisations, each seen once, the map would only grow: drop those with
      // no call in the last minute (they cannot hold the next call back).
      if (tenantCalls.size > 1_000) {
        for (const [tenant, times] of tenantCalls) if ((times[times.length - 1] ?? 0) <= at - MINUTE_MS) tenantCalls.delete(tenant);
      }
    },
    /** No call before `ms` from now (Xero's Retry-After). */
    pause(ms: number): void {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}

type Attempt = { kind: 'done'; result: KeepAliveConnectionResult } | { kind: 'rate_limited'; retryAfterSeconds: number };

type ListDue = NonNullable<ConnectionStore['listDueConnections']>;

/**
 * The due connections, a page at a time, in the store's order. A store that ignores paging
 * answers everything at once (more than a page), or the same first page again when asked for the
 * next: either way its one answer is taken as the whole list, never repeated.
 */
async function* dueConnections(list: ListDue, query: DueConnectionQuery, pageSize: number): AsyncGenerator<DueConnection> {
  let after: DueConnectionCursor | undefined;
  let previousFirst: DueConnection | undefined;
  for (;;) {
    const page = await list(after === undefined ? { ...query, limit: pageSize } : { ...query, limit: pageSize, after });
    const first = page[0];
    const last = page[page.length - 1];
    if (first === undefined || last === undefined) return;
    if (previousFirst?.key.accountId === first.key.accountId && previousFirst.refreshTokenIssuedAt === first.refreshTokenIssuedAt) return;
    yield* page;
    if (page.length !== pageSize) return;
    previousFirst = first;
    after = { refreshTokenIssuedAt: last.refreshTokenIssuedAt, accountId: last.key.accountId };
  }
}

/** Keep-alive for one handler: its store, Xero app, locks and refresher. */
export function createKeepAlive(deps: KeepAliveDependencies): KeepAlive {
  const { store, integrationKey, lock, refresher, clock, refreshTokenLifetimeDays } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const settings = deps.settings;
  const olderThanDays = checkedThreshold(settings.olderThanDays ?? KEEP_ALIVE_DEFAULT_OLDER_THAN_DAYS, refreshTokenLifetimeDays);
  const callsPerMinute = positive(settings.callsPerMinute, 300, 'callsPerMinute');
  const tenantCallsPerMinute = positive(settings.tenantCallsPerMinute, 30, 'tenantCallsPerMinute');
  const maxRetryAfterSeconds = positive(settings.maxRetryAfterSeconds, 300, 'maxRetryAfterSeconds');
  const maxRateLimitRetries = positive(settings.maxRateLimitRetries, 3, 'maxRateLimitRetries');
  let running: Promise<KeepAliveRunSummary> | null = null;

  function listDue(): ListDue {
    const list = store.listDueConnections?.bind(store);
    if (list === undefined) {
      throw new XeroKeepAliveConfigurationError(
        'store_cannot_list',
        'keep-alive needs a store that can list due connections (ConnectionStore.listDueConnections); the memory, SQLite and PostgreSQL stores of this package can',
      );
    }
    return list;
  }
  listDue(); // refuse at once, not at the first run

  const result = (due: DueConnection, outcome: KeepAliveOutcome, detail: string, errorCode: ErrorCode | null = null): KeepAliveConnectionResult => ({
    key: { integrationKey: due.key.integrationKey, accountId: due.key.accountId },
    tenantId: due.tenantId,
    outcome,
    errorCode,
    detail,
  });

  // One connection, under its lock: read again, skip it when no longer due, refresh it, record.
  async function attempt(due: DueConnection, dueBeforeMs: number, onCall: () => void): Promise<Attempt> {
    return lock(due.key, async (): Promise<Attempt> => {
      const current = await store.getConnection(due.key);
      if (!isKeptAlive(current)) return { kind: 'done', result: result(due, 'skipped', 'no longer connected') };
      if (!(Date.parse(refreshTokenIssuedAt(current) ?? '') < dueBeforeMs)) {
        return { kind: 'done', result: result(due, 'skipped', 'refreshed meanwhile') };
      }
      onCall();
      try {
        const next = await refresher.refreshLocked(due.key, current, 'keep-alive');
        return next.status === 'needs_reauth'
          ? { kind: 'done', result: result(due, 'needs_reauth', `invalid_grant: ${next.needsReauthReason ?? 'refresh_token_expired'}`, 'XERO_INVALID_GRANT') }
          : { kind: 'done', result: result(due, 'refreshed', 'refreshed') };
      } catch (error) {
        if (!(error instanceof XeroConnectionHandlerError)) throw error;
        // A 429 spent nothing: the same refresh token is tried again after Retry-After.
        if (error.code === 'XERO_RATE_LIMITED') return { kind: 'rate_limited', retryAfterSeconds: error.retryAfterSeconds ?? 60 };
        const at = clock().toISOString();
        const failing: StoredConnection = {
          ...current,
          lastError: { code: error.code, message: `Keep-alive: ${error.message}`, at },
          keepAlive: { lastRefreshedAt: current.keepAlive?.lastRefreshedAt ?? null, failing: true },
        };
        await store.putConnection(due.key, failing);
        return { kind: 'done', result: result(due, 'failed', error.message, error.code) };
      }
    });
  }

  async function run(options: RefreshDueConnectionsOptions): Promise<KeepAliveRunSummary> {
    const threshold = checkedThreshold(options.olderThanDays ?? olderThanDays, refreshTokenLifetimeDays);
    const list = listDue();
    const startedAt = clock();
    const dueBeforeMs = (options.now ?? startedAt).getTime() - threshold * DAY_MS;
    const dueBefore = new Date(dueBeforeMs).toISOString();
    const due = dueConnections(list, { integrationKey, issuedBefore: dueBefore }, KEEP_ALIVE_PAGE_SIZE);
    const pacer = createPacer(clock, sleep, callsPerMinute, tenantCallsPerMinute);
    const { signal } = options;
    // A function, not a narrowed property: the signal can abort during any await below.
    const aborted = () => signal?.aborted === true;
    const connections: KeepAliveConnectionResult[] = [];
    let xeroCalls = 0;
    let rateLimited = 0;
    let stopped: KeepAliveStop | null = null;

    for await (const item of due) {
      const lines = connections.length;
      let retries = 0;
      while (stopped === null) {
        if (aborted()) {
          stopped = { reason: 'aborted' };
          break;
        }
        // The organisation's slot is taken before the connection's lock, never while holding it:
        // xeroFetch holds slots and takes locks, in that order too.
        let release: ReleaseSlot | null;
        try {
          await pacer.wait(item.tenantId, signal);
          release = item.tenantId === null || deps.limiter === undefined ? null : await deps.limiter.acquire(item.tenantId, signal);
        } catch (error) {
          if (!aborted()) throw error;
          stopped = { reason: 'aborted' };
          break;
        }
        let outcome: Attempt;
        try {
          outcome = await attempt(item, dueBeforeMs, () => {
            xeroCalls += 1;
            pacer.called(item.tenantId);
          });
        } catch (error) {
          // The store or its lock failed (a timeout behind another instance, a key that no longer
          // decrypts): nothing could be recorded on the connection. The rest carry on.
          deps.onError(error);
          const message = error instanceof Error ? error.message : String(error);
          outcome = { kind: 'done', result: result(item, 'failed', message, 'INTERNAL') };
        } finally {
          release?.();
        }
        if (outcome.kind === 'done') {
          connections.push(outcome.result);
          if (outcome.result.errorCode === 'XERO_INVALID_CLIENT') stopped = { reason: 'invalid_client' };
          break;
        }
        rateLimited += 1;
        retries += 1;
        if (retries > maxRateLimitRetries || outcome.retryAfterSeconds > maxRetryAfterSeconds) {
          stopped = { reason: 'rate_limited', retryAfterSeconds: outcome.retryAfterSeconds };
          break;
        }
        pacer.pause(outcome.retryAfterSeconds * 1000);
      }
      // Once the run has stopped, the connection it stopped on (when it got no line) and every
      // one after it, listed to the end so the summary counts them all, was not tried.
      if (stopped !== null && connections.length === lines) connections.push(result(item, 'deferred', `not tried: the run stopped (${stopped.reason})`));
    }

    const count = (outcome: KeepAliveOutcome) => connections.filter((line) => line.outcome === outcome).length;
    return {
      startedAt: startedAt.toISOString(),
      finishedAt: clock().toISOString(),
      olderThanDays: threshold,
      dueBefore,
      due: connections.length,
      refreshed: count('refreshed'),
      skipped: count('skipped'),
      needsReauth: count('needs_reauth'),
      failed: count('failed'),
      deferred: count('deferred'),
      xeroCalls,
      rateLimited,
      stopped,
      connections,
    };
  }

  function refreshDueConnections(options: RefreshDueConnectionsOptions = {}): Promise<KeepAliveRunSummary> {
    // One run at a time in this process: a call while one runs joins it.
    if (running !== null) return running;
    const started = run(options).finally(() => {
      running = null;
    });
    running = started;
    return started;
  }

  function startKeepAlive(options: StartKeepAliveOptions): KeepAliveTimer {
    const { intervalMs } = options;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1 || intervalMs > 2_147_483_647) {
      throw new XeroKeepAliveConfigurationError('invalid_interval', `startKeepAlive: intervalMs must be a whole number of milliseconds from 1 to 2147483647 (got ${String(intervalMs)})`);
    }
    const threshold = checkedThreshold(options.olderThanDays ?? olderThanDays, refreshTokenLifetimeDays, intervalMs);
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: Promise<void> | null = null;

    const schedule = (ms: number) => {
      if (controller.signal.aborted) return;
      // Unref'd: the timer alone never keeps the process alive.
      timer = setTimeout(tick, ms);
      timer.unref();
    };
    // The next run is scheduled only once this one has ended, so runs never overlap.
    function tick(): void {
      timer = undefined;
      current = refreshDueConnections({ olderThanDays: threshold, signal: controller.signal })
        .then(
          (summary) => options.onRun?.(summary),
          (error: unknown) => deps.onError(error),
        )
        .catch((error: unknown) => deps.onError(error))
        .finally(() => {
          current = null;
          schedule(intervalMs);
        });
    }
    schedule(options.runImmediately === false ? intervalMs : 0);

    return {
      async stop() {
        controller.abort();
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        await current;
      },
    };
  }

  return { olderThanDays, refreshDueConnections, startKeepAlive };
}
