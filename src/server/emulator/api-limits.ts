// Xero's API rate limits (developer.xero.com/documentation/guides/oauth2/limits), on the
// emulator's clock: per tenant 60 calls a minute, 5,000 a day and 5 in flight at once; 10,000 a
// minute for the whole app. The windows are fixed, each starting with its first call, so every
// organisation's resets at its own time. Every answer says what is left; a call over a limit is
// refused (and not counted) with 429, `X-Rate-Limit-Problem` and, except for concurrency,
// `Retry-After` in whole seconds until the window frees.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The limits the emulator enforces on the Accounting and Payroll APIs. */
export interface ApiLimits {
  /** Calls per tenant per minute. Default 60. */
  minute: number;
  /** Calls per tenant per day. Default 5,000. */
  day: number;
  /** Calls per minute over all tenants. Default 10,000. */
  appMinute: number;
  /** Calls per tenant in flight at once. Default 5. */
  concurrent: number;
}

export const XERO_API_LIMITS: Readonly<ApiLimits> = { minute: 60, day: 5000, appMinute: 10_000, concurrent: 5 };

export type RateLimitProblem = 'minute' | 'day' | 'appminute' | 'concurrent';

/** The verdict on one call: its headers, and the problem when it is refused. */
export interface Admission {
  headers: Record<string, string>;
  problem?: RateLimitProblem;
  retryAfterSeconds?: number;
}

class FixedWindow {
  #start = Number.NEGATIVE_INFINITY;
  #count = 0;
  readonly #lengthMs: number;

  constructor(lengthMs: number) {
    this.#lengthMs = lengthMs;
  }

  /** Calls counted in the window that holds `at`. */
  count(at: number): number {
    return at >= this.#start + this.#lengthMs ? 0 : this.#count;
  }

  add(at: number): void {
    if (at >= this.#start + this.#lengthMs) {
      this.#start = at;
      this.#count = 0;
    }
    this.#count += 1;
  }

  /** Whole seconds until the window that holds `at` ends (at least 1). */
  secondsLeft(at: number): number {
    return Math.max(1, Math.ceil((this.#start + this.#lengthMs - at) / 1000));
  }
}

interface TenantUse {
  minute: FixedWindow;
  day: FixedWindow;
  inFlight: number;
}

export class ApiRateLimiter {
  readonly #now: () => number;
  #limits: ApiLimits = { ...XERO_API_LIMITS };
  readonly #app = new FixedWindow(MINUTE_MS);
  readonly #tenants = new Map<string, TenantUse>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Changes some limits; answers a function that restores Xero's. */
  set(limits: Partial<ApiLimits>): () => void {
    this.#limits = { ...this.#limits, ...limits };
    return () => {
      this.#limits = { ...XERO_API_LIMITS };
    };
  }

  #use(tenantId: string): TenantUse {
    let use = this.#tenants.get(tenantId);
    if (use === undefined) {
      use = { minute: new FixedWindow(MINUTE_MS), day: new FixedWindow(DAY_MS), inFlight: 0 };
      this.#tenants.set(tenantId, use);
    }
    return use;
  }

  /** Counts a call of `tenantId` that may go ahead (then {@link release} it once answered), or refuses it. */
  admit(tenantId: string): Admission {
    const at = this.#now();
    const use = this.#use(tenantId);
    const limits = this.#limits;
    const over: [RateLimitProblem, boolean, FixedWindow | null][] = [
      ['day', use.day.count(at) >= limits.day, use.day],
      ['minute', use.minute.count(at) >= limits.minute, use.minute],
      ['appminute', this.#app.count(at) >= limits.appMinute, this.#app],
      ['concurrent', use.inFlight >= limits.concurrent, null],
    ];
    const refused = over.find(([, exceeded]) => exceeded);
    if (refused === undefined) {
      use.day.add(at);
      use.minute.add(at);
      this.#app.add(at);
      use.inFlight += 1;
    }
    const headers = {
      'X-DayLimit-Remaining': String(Math.max(0, limits.day - use.day.count(at))),
      'X-MinLimit-Remaining': String(Math.max(0, limits.minute - use.minute.count(at))),
      'X-AppMinLimit-Remaining': String(Math.max(0, limits.appMinute - this.#app.count(at))),
    };
    if (refused === undefined) return { headers };
    const [problem, , window] = refused;
    return { headers, problem, ...(window === null ? {} : { retryAfterSeconds: window.secondsLeft(at) }) };
  }

  /** An admitted call was answered. */
  release(tenantId: string): void {
    const use = this.#tenants.get(tenantId);
    if (use !== undefined) use.inFlight = Math.max(0, use.inFlight - 1);
  }

  inFlight(tenantId: string): number {
    return this.#tenants.get(tenantId)?.inFlight ?? 0;
  }
}
