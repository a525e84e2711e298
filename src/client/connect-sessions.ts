// Where a connect round trip goes back to, remembered in the browser by its OAuth `state`.
//
// `POST /callback` answers a Connection, not `returnTo`, so a host page that finishes the round
// trip itself (completeXeroConnection) needs another way to learn where the user started.
// localStorage rather than sessionStorage: a pop-up gets a copy of its opener's sessionStorage
// when it opens, which is before `POST /connect` has answered with the state. Entries hold a
// same-origin URL (nothing secret), are keyed by the single-use state, and expire with the
// connect session; storage that throws (Safari private mode, disabled storage) just means the
// completion falls back to its default page.

const PREFIX = '@carevision/xero-connection:connect:';

/** A connect round trip this browser started. */
export interface ConnectSessionRecord {
  /** The integration's base URL, as its client was given it. */
  baseUrl: string;
  /** The absolute `returnTo` sent in `POST /connect` (with this package's markers). */
  returnTo: string;
  /** When the backend's connect session expires (ISO 8601). */
  expiresAt: string;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function parseRecord(text: string | null): ConnectSessionRecord | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<ConnectSessionRecord> | null;
    if (
      value &&
      typeof value.baseUrl === 'string' &&
      typeof value.returnTo === 'string' &&
      typeof value.expiresAt === 'string'
    ) {
      return { baseUrl: value.baseUrl, returnTo: value.returnTo, expiresAt: value.expiresAt };
    }
  } catch {
    // Not ours, or damaged: treated as absent.
  }
  return null;
}

function isExpired(record: ConnectSessionRecord, now: number): boolean {
  const expiresAt = Date.parse(record.expiresAt);
  return Number.isNaN(expiresAt) || expiresAt <= now;
}

/** Forgets every remembered round trip whose session has expired. */
function prune(store: Storage, now: number): void {
  for (let index = store.length - 1; index >= 0; index -= 1) {
    const key = store.key(index);
    if (key === null || !key.startsWith(PREFIX)) continue;
    const record = parseRecord(store.getItem(key));
    if (record === null || isExpired(record, now)) store.removeItem(key);
  }
}

/** Remembers where the round trip for `state` goes back to. Best effort: never throws. */
export function rememberConnectSession(state: string, record: ConnectSessionRecord): void {
  const store = storage();
  if (!store) return;
  try {
    prune(store, Date.now());
    store.setItem(PREFIX + state, JSON.stringify(record));
  } catch {
    // Quota or disabled storage: the completion page falls back to its default.
  }
}

/** The round trip for `state`, or `null` when unknown or expired. Does not forget it. */
export function findConnectSession(state: string): ConnectSessionRecord | null {
  const store = storage();
  if (!store) return null;
  try {
    const record = parseRecord(store.getItem(PREFIX + state));
    return record && !isExpired(record, Date.now()) ? record : null;
  } catch {
    return null;
  }
}

/** Forgets the round trip for `state` (its state is single use). */
export function forgetConnectSession(state: string): void {
  try {
    storage()?.removeItem(PREFIX + state);
  } catch {
    // Nothing to do.
  }
}
