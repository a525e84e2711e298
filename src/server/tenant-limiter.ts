import type { KeepAliveSleep } from './keep-alive';

const MINUTE_MS = 60_000;

/** Xero's limits per organisation (XERO.md): 60 calls a minute, 5 at a time. */
export const XERO_TENANT_CALLS_PER_MINUTE = 60;
/** Xero's limit of calls in flight at once for one organisation. */
export const XERO_TENANT_CONCURRENCY = 5;

/** Options of {@link createTenantLimiter}. */
export interface TenantLimiterOptions {
  clock: () => Date;
  /** The handler's `sleep`: waits, or rejects when the signal aborts. */
  sleep: KeepAliveSleep;
  /** At most this many calls start in any minute for one organisation. */
  callsPerMinute: number;
  /** At most this many calls are in flight at once for one organisation. */
  concurrency: number;
}

/** Releases a slot taken with {@link TenantLimiter.acquire}. Calling it twice releases once. */
export type ReleaseSlot = () => void;

/**
 * Paces every Xero call of one handler per organisation: `xeroFetch`'s and keep-alive's share
 * it, so together they stay under Xero's per-organisation limits. It holds in one process only;
 * several instances each keep their own count (Xero's 429s, waited out, cover the rest).
 */
export interface TenantLimiter {
  /**
   * Waits until a call for `tenantId` may start (a free slot of `concurrency`, room in the last
   * minute, no pause), takes the slot and answers its release. Rejects when `signal` aborts.
   * Never wait for a connection's lock while holding a slot: release first.
   */
  acquire(tenantId: string, signal?: AbortSignal): Promise<ReleaseSlot>;
  /**
   * No call for `tenantId` (or, for `'app'`, for any organisation) starts before `until` (epoch
   * ms): Xero's `Retry-After`, counted from when the refused call was sent, so answers that arrive
   * late (or are read late) do not push the pause further than Xero asked.
   */
  pauseUntil(scope: { tenantId: string } | 'app', until: number): void;
}

interface TenantState {
  active: number;
  /** Start times of the calls in the last minute, oldest first. */
  starts: number[];
  pausedUntil: number;
  /** Callers waiting for a slot to be released. */
  waiters: (() => void)[];
}

export function createTenantLimiter(options: TenantLimiterOptions): TenantLimiter {
  const { clock, sleep, callsPerMinute, concurrency } = options;
  const tenants = new Map<string, TenantState>();
  let appPausedUntil = 0;
  // Time as the waits have moved it: with a clock that stands still (tests), a wait still counts.
  let known = clock().getTime();
  const now = () => (known = Math.max(known, clock().getTime()));

  const stateOf = (tenantId: string): TenantState => {
    let state = tenants.get(tenantId);
    if (state === undefined) {
      state = { active: 0, starts: [], pausedUntil: 0, waiters: [] };
      tenants.set(tenantId, state);
    }
    return state;
  };

  // Organisations idle for a minute are forgotten now and then, so a portal with thousands of them
  // holds state only for those in use.
  const SWEEP_ABOVE = 1_000;
  const sweep = () => {
    const at = now();
    for (const [tenantId, state] of tenants) {
      const idle = state.active === 0 && state.waiters.length === 0 && state.pausedUntil <= at;
      if (idle && state.starts.every((time) => time <= at - MINUTE_MS)) tenants.delete(tenantId);
    }
  };

  return {
    async acquire(tenantId, signal) {
      if (tenants.size > SWEEP_ABOVE) sweep();
      const state = stateOf(tenantId);
      for (;;) {
        signal?.throwIfAborted();
        if (state.active >= concurrency) {
          await new Promise<void>((resolve, reject) => {
            const onAbort = () => {
              state.waiters = state.waiters.filter((waiter) => waiter !== wake);
              reject(signal?.reason);
            };
            const wake = () => {
              signal?.removeEventListener('abort', onAbort);
              resolve();
            };
            state.waiters.push(wake);
            signal?.addEventListener('abort', onAbort, { once: true });
          });
          continue;
        }
        const at = now();
        state.starts = state.starts.filter((time) => time > at - MINUTE_MS);
        const oldest = state.starts[0];
        let until = Math.max(state.pausedUntil, appPausedUntil);
        if (oldest !== undefined && state.starts.length >= callsPerMinute) until = Math.max(until, oldest + MINUTE_MS);
        if (until > at) {
          await sleep(until - at, signal);
          known = Math.max(known, until);
          continue;
        }
        state.active += 1;
        state.starts.push(at);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          state.active -= 1;
          state.waiters.shift()?.();
        };
      }
    },
    pauseUntil(scope, until) {
      if (scope === 'app') appPausedUntil = Math.max(appPausedUntil, until);
      else {
        const state = stateOf(scope.tenantId);
        state.pausedUntil = Math.max(state.pausedUntil, until);
      }
    },
  };
}
