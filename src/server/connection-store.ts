import type { CHOOSING_ORGANISATION_REASONS, ConnectMode, ErrorCode, NEEDS_REAUTH_REASONS, Tenant } from '../contract';
import {
  createMemoryIdempotencyRecords,
  type CompletedIdempotencyRecord,
  type IdempotencyRecord,
  type PendingIdempotencyRecord,
} from '../contract/idempotency';
import { connectionEventsFor, type ConnectionEvent } from './connection-events';

/**
 * The key of one stored connection: one Xero connection per integration (its `integrationKey`,
 * e.g. billing or payroll) per portal account (`accountId` from `authenticate`). The connection
 * belongs to the account, not to the user who made it: any user of the account with `canManage`
 * may repair or remove it, and `connectedBy` records who made it.
 */
export interface ConnectionKey {
  integrationKey: string;
  accountId: string;
}

/** The tokens of one grant. They never leave the backend. */
export interface StoredTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  /**
   * The refresh token the last refresh spent, kept because Xero takes a spent refresh token again
   * for 30 minutes after its first use (see `PREVIOUS_REFRESH_TOKEN_REUSE_WINDOW_MS`): when
   * `refreshToken` is refused with `invalid_grant` inside that window (another holder reused this one
   * and Xero's rotation killed the stored one), the refresh is retried with it once before the
   * connection is marked `needs_reauth`. As secret as the others: stores seal it like `refreshToken`,
   * and it never reaches an answer, a summary, a log or `lastError`. Absent before the first refresh
   * and on records written before it existed.
   */
  previousRefreshToken?: string;
  /**
   * When the refresh that spent {@link StoredTokens.previousRefreshToken} was sent, on the handler's
   * clock (ISO 8601): before Xero received it, so the window is never taken as longer than it is.
   * Set with `previousRefreshToken`, absent without it. Not secret.
   */
  previousRefreshTokenSpentAt?: string;
}

/** What keep-alive last did to one connection (see `refreshDueConnections`). */
export interface StoredKeepAlive {
  /** When keep-alive last refreshed the connection successfully; `null` before its first success. */
  lastRefreshedAt: string | null;
  /** Whether keep-alive's last attempt failed; `lastError` says how. A later successful refresh clears it. */
  failing: boolean;
}

/**
 * The organisations a consent covered, while the user chooses one (contract 1.1,
 * `choosing_organisation`). Only for records whose `status` is `choosing_organisation`.
 */
export interface StoredOrganisationChoice {
  /** `multiple_organisations`: one consent covered several; `organisation_mismatch`: a reconnect came back without the expected one. */
  reason: (typeof CHOOSING_ORGANISATION_REASONS)[number];
  /** The organisations Xero listed for the consent, in Xero's order (at least one). */
  organisations: Tenant[];
}

/** What the handler keeps for one connection. A never-connected key has no record. */
/** What a stored connection holds whatever its status. See {@link StoredConnection}. */
export interface StoredConnectionFields {
  /**
   * The linked organisation. While `disconnected`, the one linked before (never reported: the
   * contract says `tenant: null`), so a reconnect that comes back with another organisation can
   * name the one expected; the hook's reconnect disconnects before it goes to Xero.
   */
  tenant: Tenant | null;
  scopes: string[];
  /** `null` once the grant is dead or the connection removed. */
  tokens: StoredTokens | null;
  connectedAt: string | null;
  connectedBy: { userId: string; displayName: string } | null;
  lastUsedAt: string | null;
  /** When the current refresh token was issued (by the code exchange or the last refresh). */
  lastRefreshedAt: string | null;
  checkedAt: string;
  lastError: { code: ErrorCode; message: string; at: string } | null;
  /** What keep-alive last did; absent or `null` when it never ran on this connection. */
  keepAlive?: StoredKeepAlive | null;
  /**
   * The last `expiring` notice recorded for this connection's refresh token (see
   * `deliverConnectionEvents`): one within 7 days of its expiry, then one within 1 day, each once per
   * token. Absent or `null` when none was.
   */
  expiryNotice?: StoredExpiryNotice | null;
  /**
   * On a `disconnected` record: the reason it needed reconnecting when it was disconnected. The
   * hook's reconnect disconnects before it goes to Xero, so the connection that follows is a
   * recovery (event `recovered`), not a new connection. Absent or `null` otherwise.
   */
  disconnectedWhileNeeding?: NeedsReauthReason | null;
}

/** An `expiring` notice, as {@link StoredConnectionFields.expiryNotice} keeps it. */
export interface StoredExpiryNotice {
  /** The refresh token it was about, by when it was issued (see {@link refreshTokenIssuedAt}). */
  refreshTokenIssuedAt: string;
  /** 7: it expires within 7 days; 1: within a day. */
  withinDays: 7 | 1;
}

/** Why a connection needs the user to connect again. */
export type NeedsReauthReason = (typeof NEEDS_REAUTH_REASONS)[number];

/**
 * One integration's connection as a store keeps it: a union on `status`, so each status has only
 * what it can have. Records written before contract 1.1 have no `organisationChoice` at all.
 */
export type StoredConnection =
  /** Linked to `tenant`; `tokens` hold the grant. */
  | (StoredConnectionFields & { status: 'connected'; tenant: Tenant; needsReauthReason: null; organisationChoice?: null })
  /** The grant is dead (`tokens: null`) or the organisation removed the app (`tokens` kept). */
  | (StoredConnectionFields & { status: 'needs_reauth'; needsReauthReason: NeedsReauthReason; organisationChoice?: null })
  /** Removed by a user; `tenant` is the one linked before (see {@link StoredConnectionFields.tenant}). */
  | (StoredConnectionFields & { status: 'disconnected'; tokens: null; needsReauthReason: null; organisationChoice?: null })
  /**
   * `choosing_organisation` (contract 1.1): Xero granted access and `tokens` hold the grant, but no
   * organisation is linked until the user picks one of `organisationChoice.organisations`.
   */
  | (StoredConnectionFields & { status: 'choosing_organisation'; tokens: StoredTokens; needsReauthReason: null; organisationChoice: StoredOrganisationChoice });

/**
 * When a connection's current refresh token was issued: its last refresh, else the code exchange.
 * What keep-alive measures "unused for" from.
 */
export function refreshTokenIssuedAt(connection: StoredConnection): string | null {
  return connection.lastRefreshedAt ?? connection.connectedAt;
}

/**
 * Whether keep-alive looks after this connection at all: a linked (`connected`) connection that
 * holds tokens and knows when its refresh token was issued.
 */
export function isKeptAlive(connection: StoredConnection | null): connection is StoredConnection & { tokens: StoredTokens } {
  return connection !== null && connection.status === 'connected' && connection.tokens !== null && refreshTokenIssuedAt(connection) !== null;
}

/** What {@link ConnectionStore.listDueConnections} is asked for. */
export interface DueConnectionQuery {
  /** Only this integration's connections (one handler refreshes with its own Xero app). */
  integrationKey: string;
  /**
   * An ISO 8601 timestamp as `Date.prototype.toISOString` writes it: connections whose refresh
   * token was issued strictly before it are due.
   */
  issuedBefore: string;
  /**
   * Paging: only the connections after this one in the listing's order (`refreshTokenIssuedAt`,
   * then `accountId`). Keep-alive passes the last connection of the previous page.
   */
  after?: DueConnectionCursor;
  /**
   * Paging: at most this many connections. Keep-alive reads due connections a page at a time, so
   * a run over many thousands never holds them all. A store that ignores `after` and `limit`
   * still works (keep-alive then takes its one answer as the whole list), at the cost of memory.
   */
  limit?: number;
}

/** Where a page of {@link ConnectionStore.listDueConnections} starts: the last connection of the previous one. */
export interface DueConnectionCursor {
  refreshTokenIssuedAt: string;
  accountId: string;
}

/** One connection {@link ConnectionStore.listDueConnections} found due. No tokens. */
export interface DueConnection {
  key: ConnectionKey;
  /** When its refresh token was issued (see {@link refreshTokenIssuedAt}). */
  refreshTokenIssuedAt: string;
  /** The linked organisation's tenant id, for pacing calls per organisation; `null` when unknown. */
  tenantId: string | null;
}

/**
 * Whose `Idempotency-Key` a record is: the same key from another account, user or route is
 * another record (a key never replays someone else's answer).
 */
export interface IdempotencyKeyId {
  integrationKey: string;
  accountId: string;
  /** The portal user who sent the request. */
  userId: string;
  /** The route, e.g. `POST /connect`. */
  route: string;
  /** The `Idempotency-Key` header, 1 to 255 printable ASCII characters. */
  key: string;
}

/** A started connect round trip, waiting for the browser to come back from Xero. */
export interface ConnectSession {
  state: string;
  key: ConnectionKey;
  /** The portal user who started it: only they may finish it. */
  userId: string;
  displayName: string;
  codeVerifier: string;
  returnTo: string;
  mode: ConnectMode;
  expectedTenantId: string | null;
  expiresAt: string;
  /**
   * The contract minor the client announced on `POST /connect` (`Accept: application/json;
   * contract=1.1` → 1). Xero's redirect to `GET /callback` carries the browser's `Accept`, not the
   * client's, so the round trip's answer is decided by this. Absent (sessions stored before 1.1): 0.
   */
  contractMinor?: number;
}

/**
 * Storage behind the handler. Implementations must make {@link ConnectionStore.takeConnectSession}
 * atomic (a state is usable once) and must persist {@link ConnectionStore.putConnection} before
 * resolving: the rotated refresh token is only used after it is stored. A store shared by several
 * backend instances must also implement {@link ConnectionStore.withConnectionLock}, or two
 * instances may spend the same refresh token.
 */
export interface ConnectionStore {
  /** The connection stored for `key` (a copy), or `null` when it was never connected. */
  getConnection(key: ConnectionKey): Promise<StoredConnection | null>;
  /** Replaces the connection stored for `key`; resolves once it is persisted. */
  putConnection(key: ConnectionKey, connection: StoredConnection): Promise<void>;
  /** Stores a started round trip under its `state`, dropping the oldest past the store's cap. */
  putConnectSession(session: ConnectSession): Promise<void>;
  /** Removes and returns the session for `state`, or `null` when unknown or already taken. */
  takeConnectSession(state: string): Promise<ConnectSession | null>;
  /**
   * Optional: stores a started round trip within bounds, atomically. Drops every expired session
   * first, then refuses (stores nothing) when the session's user already has `limits.perUser`
   * pending round trips for its integration and account, its account `limits.perAccount`, or the
   * store its own cap; it never drops another account's pending session to make room. The three
   * stores of this package implement it (see {@link connectSessionVerdict}); without it the handler
   * falls back to {@link ConnectionStore.putConnectSession}, whose cap drops the oldest session of
   * any account, so one account's administrator can end another's round trip.
   */
  startConnectSession?(session: ConnectSession, limits: ConnectSessionLimits): Promise<StartConnectSessionResult>;
  /**
   * Optional: a lock on one connection that holds across every process sharing this store. Stores
   * that several backend instances share (the PostgreSQL one) implement it; the memory and SQLite
   * stores do not need to, as the handler's in-process lock already covers one process.
   *
   * Guarantees, for implementations: `task` runs only while no other holder of the lock for the
   * same `key` (in any process on the same storage) is running its task; the lock is released when
   * the task settles, whether it resolves or throws, and the task's result or error is passed on
   * unchanged; a holder that dies (crash, lost database connection) releases it. It may reject
   * without running `task` when the lock cannot be had (e.g. after a timeout): nothing has been
   * done then. Locks on different keys never wait for one another.
   *
   * The handler takes its in-process lock first and this one inside it, around everything that
   * reads and then rewrites a connection's tokens (refresh, callback, verify, disconnect), and it
   * re-reads the connection after acquiring: a refresh made by another instance is seen, never
   * repeated with the spent refresh token.
   */
  withConnectionLock?<T>(key: ConnectionKey, task: () => Promise<T>): Promise<T>;
  /**
   * Optional: the connections keep-alive should refresh, oldest refresh token first (then by
   * `accountId`). Those of `integrationKey` for which {@link isKeptAlive} holds and whose
   * {@link refreshTokenIssuedAt} is before `issuedBefore`; with `limit`, at most that many, after
   * the `after` cursor (keep-alive reads them in pages). A store that honours `limit` must honour
   * `after` too. The three stores of this package implement it; a host-written store
   * without it works for everything but keep-alive, which then refuses to start
   * (`XeroKeepAliveConfigurationError`, problem `store_cannot_list`). A listing may be stale: the
   * handler reads each connection again under its lock before refreshing it.
   */
  listDueConnections?(query: DueConnectionQuery): Promise<DueConnection[]>;
  /**
   * Optional, with {@link ConnectionStore.markConnectionEventDelivered} and
   * {@link ConnectionStore.recordConnectionEventFailure} (all three or none): the outbox of
   * connection events. Every store of this package records the events of a write
   * (`connectionEventsFor`) in the same write as the change (one transaction in SQLite and
   * PostgreSQL), and these hand them out: at most `limit` undelivered, not dead-lettered events of
   * `integrationKey` whose next attempt is due at `now`, oldest first, each leased until
   * `leaseUntil` (another claim skips it until then; in PostgreSQL `FOR UPDATE SKIP LOCKED`, so two
   * instances never claim the same event). Without them, `deliverConnectionEvents` refuses.
   */
  claimConnectionEvents?(query: ConnectionEventClaim): Promise<ClaimedConnectionEvent[]>;
  /** Marks a claimed event delivered: it is never handed out again. */
  markConnectionEventDelivered?(id: string, at: string): Promise<void>;
  /** Records a failed delivery: one more attempt, the next at `nextAttemptAt`, or dead-lettered when that is `null`. */
  recordConnectionEventFailure?(id: string, failure: ConnectionEventFailure): Promise<void>;
  /**
   * Optional, with {@link ConnectionStore.completeIdempotencyKey} and
   * {@link ConnectionStore.releaseIdempotencyKey} (all three or the handler uses none): the
   * records behind the contract's `Idempotency-Key` rule (see `answerIdempotently` in the
   * contract). Atomically stores `pending` when `id` has no live record (none, or one whose
   * `expiresAt` is not after `pending.createdAt`) and resolves `null`; otherwise stores nothing
   * and resolves the live record. Implementations keep at most a bounded number of records (the
   * oldest dropped first) and may drop expired ones at any time. Records hold no tokens: answers
   * of the contract carry none.
   *
   * The three stores of this package implement them (memory, SQLite and PostgreSQL, capped by
   * `maxIdempotencyRecords`, default 10,000). A host-written store without them still gets the
   * rule, from records in the handler's process memory (10,000 at most): then a repeat that
   * reaches another backend instance, or arrives after a restart, acts again instead of being
   * replayed.
   */
  claimIdempotencyKey?(id: IdempotencyKeyId, pending: PendingIdempotencyRecord): Promise<IdempotencyRecord | null>;
  /** Replaces the record of `id` with the answer to replay (see {@link ConnectionStore.claimIdempotencyKey}). */
  completeIdempotencyKey?(id: IdempotencyKeyId, record: CompletedIdempotencyRecord): Promise<void>;
  /** Removes the record of `id`: its answer is not kept (see {@link ConnectionStore.claimIdempotencyKey}). */
  releaseIdempotencyKey?(id: IdempotencyKeyId): Promise<void>;
}

/** What {@link ConnectionStore.claimConnectionEvents} is asked for. */
export interface ConnectionEventClaim {
  /** Only this integration's events. */
  integrationKey: string;
  /** Events whose next attempt is at or before this (ISO 8601) are due. */
  now: string;
  /** The claimed events are not handed out again before this (ISO 8601), unless marked. */
  leaseUntil: string;
  /** At most this many. */
  limit: number;
}

/** An event handed out by {@link ConnectionStore.claimConnectionEvents}, with its delivery so far. */
export interface ClaimedConnectionEvent {
  event: ConnectionEvent;
  /** Failed deliveries so far. */
  attempts: number;
}

/** What {@link ConnectionStore.recordConnectionEventFailure} records. */
export interface ConnectionEventFailure {
  /** When the delivery failed (ISO 8601). */
  at: string;
  /** What failed: the error's name and message (never sent anywhere). */
  error: string;
  /** When to try again (ISO 8601), or `null` to dead-letter the event (never tried again). */
  nextAttemptAt: string | null;
}

/** One event in the memory store's outbox. */
interface MemoryOutboxEntry {
  event: ConnectionEvent;
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  deadAt: string | null;
  lastError: string | null;
}

/** The text an idempotency record is filed under: every part of its id, unambiguously. */
export function idempotencyScope(id: IdempotencyKeyId): string {
  return JSON.stringify([id.integrationKey, id.accountId, id.userId, id.route, id.key]);
}

/** The bounds of {@link ConnectionStore.startConnectSession}. */
export interface ConnectSessionLimits {
  /** Pending (unexpired) round trips one user may have for one integration and account. */
  perUser: number;
  /** Pending round trips one account may have for one integration. */
  perAccount: number;
  /** The time expiry is judged at, as `Date.prototype.toISOString` writes it. */
  now: string;
}

/** What {@link ConnectionStore.startConnectSession} did: stored it, or refused it and which bound was met. */
export type StartConnectSessionResult =
  | { stored: true }
  | {
      stored: false;
      /** `user` and `account`: {@link ConnectSessionLimits}; `store`: the store's own cap (e.g. `maxConnectSessions`). */
      limit: 'user' | 'account' | 'store';
      /** When the oldest of the sessions that count against that bound expires: a retry after it can succeed. */
      retryAt: string;
    };

/** The pending sessions that count against each bound, as a store counts them (after dropping expired ones). */
export interface PendingConnectSessions {
  user: { count: number; oldestExpiresAt: string | null };
  account: { count: number; oldestExpiresAt: string | null };
  store: { count: number; oldestExpiresAt: string | null };
}

/**
 * The one rule every store applies in {@link ConnectionStore.startConnectSession}: the user's bound
 * first, then the account's, then the store's cap, each refused until its oldest session expires.
 */
export function connectSessionVerdict(pending: PendingConnectSessions, limits: ConnectSessionLimits, storeCap: number): StartConnectSessionResult {
  const bounds = [
    ['user', limits.perUser],
    ['account', limits.perAccount],
    ['store', storeCap],
  ] as const;
  for (const [limit, bound] of bounds) {
    const { count, oldestExpiresAt } = pending[limit];
    if (count >= bound) return { stored: false, limit, retryAt: oldestExpiresAt ?? limits.now };
  }
  return { stored: true };
}

/** Sorts due connections oldest refresh token first (then by account, for a stable order). */
export function compareDue(a: DueConnection, b: DueConnection): number {
  return Date.parse(a.refreshTokenIssuedAt) - Date.parse(b.refreshTokenIssuedAt) || a.key.accountId.localeCompare(b.key.accountId);
}

function storageKey(key: ConnectionKey): string {
  return JSON.stringify([key.integrationKey, key.accountId]);
}

/** What every store of this package takes: how much it keeps of what grows with use. */
export interface ConnectionStoreLimits {
  /** Started round trips kept at most (the oldest are dropped past this); default 10,000. */
  maxConnectSessions?: number;
  /** `Idempotency-Key` records kept at most (the oldest dropped past this, expired ones as new ones come); default 10,000. */
  maxIdempotencyRecords?: number;
}

/** Options of {@link createMemoryConnectionStore}. */
export type MemoryConnectionStoreOptions = ConnectionStoreLimits;

/**
 * A store in this process's memory: for tests, the demo and single-instance development. State is
 * lost on restart, and a second instance would hold a second copy of the token set (which breaks
 * it): production needs a shared store.
 */
export function createMemoryConnectionStore(options: MemoryConnectionStoreOptions = {}): ConnectionStore {
  // Round trips that are never finished would pile up: the oldest are dropped past this many.
  const maxSessions = options.maxConnectSessions ?? 10_000;
  const connections = new Map<string, { key: ConnectionKey; connection: StoredConnection }>();
  const sessions = new Map<string, ConnectSession>();
  const idempotency = createMemoryIdempotencyRecords(options.maxIdempotencyRecords ?? 10_000);
  const outbox: MemoryOutboxEntry[] = [];
  const outboxEntry = (id: string) => outbox.find((entry) => entry.event.id === id);
  return {
    claimIdempotencyKey: (id, pending) => idempotency.slot(idempotencyScope(id)).claim(pending),
    completeIdempotencyKey: (id, record) => idempotency.slot(idempotencyScope(id)).complete(record),
    releaseIdempotencyKey: (id) => idempotency.slot(idempotencyScope(id)).release(),
    async getConnection(key) {
      const found = connections.get(storageKey(key));
      return found === undefined ? null : structuredClone(found.connection);
    },
    async putConnection(key, connection) {
      // The change and its events in one synchronous step: nothing can run between them.
      const before = connections.get(storageKey(key))?.connection ?? null;
      const events = connectionEventsFor(key, before, connection, new Date());
      connections.set(storageKey(key), { key: { integrationKey: key.integrationKey, accountId: key.accountId }, connection: structuredClone(connection) });
      for (const event of events) outbox.push({ event, attempts: 0, nextAttemptAt: null, deliveredAt: null, deadAt: null, lastError: null });
    },
    async claimConnectionEvents({ integrationKey, now, leaseUntil, limit }) {
      const claimed: ClaimedConnectionEvent[] = [];
      for (const entry of outbox) {
        if (claimed.length >= limit) break;
        if (entry.event.integrationKey !== integrationKey || entry.deliveredAt !== null || entry.deadAt !== null) continue;
        if (entry.nextAttemptAt !== null && entry.nextAttemptAt > now) continue;
        entry.nextAttemptAt = leaseUntil;
        claimed.push({ event: structuredClone(entry.event), attempts: entry.attempts });
      }
      return claimed;
    },
    async markConnectionEventDelivered(id) {
      // Delivered events leave memory (the outbox stays bounded by what is undelivered).
      const index = outbox.findIndex((entry) => entry.event.id === id);
      if (index !== -1) outbox.splice(index, 1);
    },
    async recordConnectionEventFailure(id, failure) {
      const entry = outboxEntry(id);
      if (entry === undefined) return;
      entry.attempts += 1;
      entry.lastError = failure.error;
      entry.nextAttemptAt = failure.nextAttemptAt;
      if (failure.nextAttemptAt === null) entry.deadAt = failure.at;
    },
    async listDueConnections({ integrationKey, issuedBefore, after, limit }) {
      const before = Date.parse(issuedBefore);
      const due: DueConnection[] = [];
      for (const { key, connection } of connections.values()) {
        if (key.integrationKey !== integrationKey || !isKeptAlive(connection)) continue;
        const issued = refreshTokenIssuedAt(connection) ?? '';
        if (!(Date.parse(issued) < before)) continue;
        const line = { key: { ...key }, refreshTokenIssuedAt: issued, tenantId: connection.tenant?.tenantId ?? null };
        if (after !== undefined && compareDue(line, { key: { integrationKey, accountId: after.accountId }, refreshTokenIssuedAt: after.refreshTokenIssuedAt, tenantId: null }) <= 0) continue;
        due.push(line);
      }
      return due.sort(compareDue).slice(0, limit);
    },
    async putConnectSession(session) {
      sessions.set(session.state, structuredClone(session));
      for (const state of sessions.keys()) {
        if (sessions.size <= maxSessions) break;
        sessions.delete(state);
      }
    },
    async startConnectSession(session, limits) {
      const now = Date.parse(limits.now);
      for (const [state, pending] of sessions) if (Date.parse(pending.expiresAt) <= now) sessions.delete(state);
      const tally = (list: ConnectSession[]) => ({
        count: list.length,
        oldestExpiresAt: list.map((pending) => pending.expiresAt).sort()[0] ?? null,
      });
      const all = [...sessions.values()];
      const account = all.filter((pending) => pending.key.integrationKey === session.key.integrationKey && pending.key.accountId === session.key.accountId);
      const verdict = connectSessionVerdict(
        { user: tally(account.filter((pending) => pending.userId === session.userId)), account: tally(account), store: tally(all) },
        limits,
        maxSessions,
      );
      if (verdict.stored) sessions.set(session.state, structuredClone(session));
      return verdict;
    },
    async takeConnectSession(state) {
      const found = sessions.get(state);
      if (found === undefined) return null;
      sessions.delete(state);
      return found;
    },
  };
}
