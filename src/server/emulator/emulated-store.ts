import type { Adapter, AdapterPayload } from 'oidc-provider';

// oidc-provider's storage, in memory, on the emulator's clock. oidc-provider itself expires
// things on Date.now(), which a test cannot advance by 61 days; so every entry remembers when it
// was saved on the emulated clock, and `find` forgets an entry the emulator's rules call dead.
// oidc-provider then answers as it does for any unknown artefact: 400 invalid_grant. The
// real-time TTLs it is configured with are far longer, so they never decide anything.

/** The models oidc-provider issues under a grant (its memory adapter's `grantable`). */
const GRANT_BOUND = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

interface Entry {
  payload: AdapterPayload;
  /** When it was saved, on the emulated clock (ms). */
  savedAt: number;
}

/** Whether an entry of `model` saved at `savedAt` (emulated ms) is dead now. */
export type DeadRule = (model: string, entry: { payload: AdapterPayload; savedAt: number }, now: number) => boolean;

export class EmulatedStore {
  readonly #models = new Map<string, Map<string, Entry>>();
  readonly #now: () => number;
  readonly #dead: DeadRule;

  constructor(now: () => number, dead: DeadRule) {
    this.#now = now;
    this.#dead = dead;
  }

  #entries(model: string): Map<string, Entry> {
    let entries = this.#models.get(model);
    if (entries === undefined) {
      entries = new Map();
      this.#models.set(model, entries);
    }
    return entries;
  }

  #live(model: string, entry: Entry | undefined): AdapterPayload | undefined {
    return entry === undefined || this.#dead(model, entry, this.#now()) ? undefined : entry.payload;
  }

  /** The adapter oidc-provider asks for, once per model ("RefreshToken", "Grant", ...). */
  adapter(model: string): Adapter {
    const entries = this.#entries(model);
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
        // oidc-provider's own convention: `consumed` is an epoch-seconds timestamp.
        if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        entries.delete(id);
      },
      revokeByGrantId: async (grantId) => {
        for (const [id, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(id);
      },
    };
  }

  /** Every grant and everything issued under one (codes, refresh tokens) is gone, at once. */
  revokeAllGrants(): void {
    for (const model of ['Grant', ...GRANT_BOUND]) this.#entries(model).clear();
  }
}
