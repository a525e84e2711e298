import type { Adapter, AdapterPayload } from 'oidc-provider';

// oidc-provider's storage, in memory, on the emulator's clock. oidc-provider itself expires
// things on Date.now(), which a test cannot advance by 61 days; so every entry remembers when it
// was saved (and first consumed) on the emulated clock, and `find` forgets an entry the emulator's
// rules call dead. oidc-provider then answers as it does for any unknown artefact: 400
// invalid_grant. The real-time TTLs it is configured with are far longer, so they never decide
// anything.

/** The models oidc-provider issues under a grant (its memory adapter's `grantable`). */
const GRANT_BOUND = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** What the store knows of an entry, for the rules. */
export interface StoredEntry {
  payload: AdapterPayload;
  /** When it was saved, on the emulated clock (ms). */
  savedAt: number;
  /** When oidc-provider first consumed it, on the emulated clock (ms). */
  consumedAt?: number;
}

/** Whether an entry of `model` is dead at `now` (emulated ms). */
export type DeadRule = (model: string, entry: StoredEntry, now: number) => boolean;

export interface EmulatedStoreRules {
  dead: DeadRule;
  /**
   * Models whose consumption oidc-provider must not see: their payload never carries `consumed`,
   * so its reuse detection (which revokes the whole grant) never fires, and `dead` alone decides
   * how long a consumed one stays usable (Xero's 30-minute refresh token reuse window).
   */
  consumedQuietly?: ReadonlySet<string>;
}

export class EmulatedStore {
  readonly #models = new Map<string, Map<string, StoredEntry>>();
  readonly #now: () => number;
  readonly #rules: EmulatedStoreRules;

  constructor(now: () => number, rules: EmulatedStoreRules) {
    this.#now = now;
    this.#rules = rules;
  }

  #entries(model: string): Map<string, StoredEntry> {
    let entries = this.#models.get(model);
    if (entries === undefined) {
      entries = new Map();
      this.#models.set(model, entries);
    }
    return entries;
  }

  #live(model: string, entry: StoredEntry | undefined): AdapterPayload | undefined {
    return entry === undefined || this.#rules.dead(model, entry, this.#now()) ? undefined : entry.payload;
  }

  /** The adapter oidc-provider asks for, once per model ("RefreshToken", "Grant", ...). */
  adapter(model: string): Adapter {
    const entries = this.#entries(model);
    const quiet = this.#rules.consumedQuietly?.has(model) === true;
    const findBy = (field: 'uid' | 'userCode', value: string) =>
      this.#live(model, [...entries.values()].find((entry) => entry.payload[field] === value));
    return {
      upsert: async (id, payload) => {
        entries.set(id, { payload, savedAt: this.#now() });
      },
      find: async (id) => this.#live(model, entries.get(id)),
      findByUid: async (uid) => findBy('uid', uid),
      findByUserCode: async (userCode) => findBy('userCode', userCode),
      consume: async (id) => {
        const entry = entries.get(id);
        if (entry === undefined) return;
        // The first use starts any window; a reuse inside it does not slide it.
        entry.consumedAt ??= this.#now();
        // oidc-provider's own convention: `consumed` is an epoch-seconds timestamp.
        if (!quiet) entry.payload.consumed = Math.floor(entry.consumedAt / 1000);
      },
      destroy: async (id) => {
        entries.delete(id);
      },
      revokeByGrantId: async (grantId) => {
        for (const [id, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(id);
      },
    };
  }

  /** Every grant of one Xero user, and everything issued under them, is gone; other users' stay. */
  revokeGrantsOf(accountId: string): void {
    const grants = this.#entries('Grant');
    const revoked = new Set<string>();
    for (const [id, entry] of grants) {
      if (entry.payload.accountId !== accountId) continue;
      revoked.add(id);
      grants.delete(id);
    }
    for (const model of GRANT_BOUND) {
      const entries = this.#entries(model);
      for (const [id, entry] of entries) if (typeof entry.payload.grantId === 'string' && revoked.has(entry.payload.grantId)) entries.delete(id);
    }
  }

  /** Every grant and everything issued under one (codes, refresh tokens) is gone, at once. */
  revokeAllGrants(): void {
    for (const model of ['Grant', ...GRANT_BOUND]) this.#entries(model).clear();
  }
}
