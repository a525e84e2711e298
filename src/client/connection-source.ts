import type { Connection } from '../contract';
import type { XeroConnectionClient } from './create-client';
import type { XeroConnectionError } from './errors';
import { toClientError } from './to-client-error';

/** The last read of `GET /connection`, as a {@link ConnectionSource} holds it. */
export interface ConnectionRead {
  /** The backend's last reported connection, or `null` before the first answer. */
  readonly connection: Connection | null;
  /** The last read's error, or `null` when it succeeded (or has not finished). */
  readonly error: XeroConnectionError | null;
  /** Whether a read is in flight. */
  readonly isFetching: boolean;
  /** When `connection` was read or written, in ms since the epoch on the browser's clock; 0 before. */
  readonly updatedAt: number;
}

/**
 * Where a {@link XeroConnectionController} reads and caches the connection. The controller owns
 * the actions and their rules; the source only holds and reads the status. Without React it is
 * {@link createConnectionSource}'s small cache; the React hook passes one over TanStack Query's
 * cache instead, so hosts keep prefetching and invalidating it with react-query.
 */
export interface ConnectionSource {
  /**
   * What the cache belongs to. Controllers whose sources share a scope and a base URL share their
   * pending actions and the outcome of the last round trip (the React hook's is the QueryClient).
   */
  readonly scope: object;
  /** The last read; the same object until it changes. */
  read(): ConnectionRead;
  /**
   * Starts observing: reads now when the cached status is stale, and again when the window
   * regains focus; calls `listener` after every change. Returns the function that stops.
   */
  subscribe(listener: () => void): () => void;
  /** Reads again now, restarting a read in flight. Never rejects: a failure shows in {@link ConnectionSource.read}. */
  refetch(): Promise<void>;
  /**
   * Marks the status stale and reads it again if anyone observes it. `cancel: true` restarts a
   * read in flight (it may have left before the change the caller learned of); `false` joins it.
   */
  invalidate(cancel: boolean): Promise<void>;
  /**
   * Replaces the cached connection with one the backend just answered. `stale: true` keeps it
   * until the next natural read (focus, a new observer) instead of counting it as fresh.
   */
  write(connection: Connection, stale?: boolean): void;
}

/** Options of {@link createConnectionSource}. */
export interface ConnectionSourceOptions {
  /** How long a read status counts as fresh: observers starting within this time reuse it. Default 30 000 ms. */
  staleTimeMs?: number;
}

const INITIAL: ConnectionRead = { connection: null, error: null, isFetching: false, updatedAt: 0 };

/**
 * A small {@link ConnectionSource} for pages without react-query: one cache for `client`, read on
 * the first subscription when stale (30 s by default, like the hook) and on window focus, with
 * one request at a time. {@link createXeroConnectionController} makes one per client by itself;
 * pass your own only to share it between controllers of different clients of one backend.
 */
export function createConnectionSource(client: XeroConnectionClient, options: ConnectionSourceOptions = {}): ConnectionSource {
  const staleTimeMs = options.staleTimeMs ?? 30_000;
  const listeners = new Set<() => void>();
  let current = INITIAL;
  let stale = true;
  let inFlight: { promise: Promise<void>; abort: AbortController } | null = null;

  let notifying = false;
  // Listeners hear of a burst of changes once, after the code that made them (as TanStack Query's
  // batched notifications do under the hook): an action's own events come before the status it shows.
  function update(patch: Partial<ConnectionRead>): void {
    current = { ...current, ...patch };
    if (notifying) return;
    notifying = true;
    queueMicrotask(() => {
      notifying = false;
      for (const listener of [...listeners]) listener();
    });
  }

  function isStale(): boolean {
    return stale || Date.now() - current.updatedAt >= staleTimeMs;
  }

  function fetchNow(cancel: boolean): Promise<void> {
    if (inFlight && !cancel) return inFlight.promise;
    inFlight?.abort.abort();
    const abort = new AbortController();
    const promise = client.getConnection({ signal: abort.signal }).then(
      (connection) => {
        if (abort.signal.aborted) return;
        inFlight = null;
        stale = false;
        update({ connection, error: null, isFetching: false, updatedAt: Date.now() });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        inFlight = null;
        update({ error: toClientError(error, 'GET /connection'), isFetching: false });
      },
    );
    inFlight = { promise, abort };
    if (!current.isFetching) update({ isFetching: true });
    return promise;
  }

  const onFocus = () => {
    if (document.visibilityState !== 'hidden' && isStale()) void fetchNow(false);
  };

  return {
    scope: {},
    read: () => current,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        if (typeof window !== 'undefined') {
          window.addEventListener('focus', onFocus);
          window.addEventListener('visibilitychange', onFocus);
        }
        if (isStale()) void fetchNow(false);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && typeof window !== 'undefined') {
          window.removeEventListener('focus', onFocus);
          window.removeEventListener('visibilitychange', onFocus);
        }
      };
    },
    refetch: () => fetchNow(true),
    invalidate(cancel) {
      stale = true;
      return listeners.size > 0 ? fetchNow(cancel) : Promise.resolve();
    },
    write(connection, writtenStale = false) {
      stale = writtenStale;
      update({ connection, error: null, updatedAt: Date.now() });
    },
  };
}
