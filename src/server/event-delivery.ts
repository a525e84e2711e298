import { withReconnectRequest } from '../client/connect-return';
import { CONNECTION_EVENTS_NEEDING_A_PERSON, type ConnectionEvent } from './connection-events';
import { isKeptAlive, refreshTokenIssuedAt, type ConnectionKey, type ConnectionStore, type DueConnectionCursor } from './connection-store';
import { XeroConnectionConfigurationError } from './xero-error';

/**
 * The host's delivery of one event: an email, a Slack post, a webhook (see `createWebhookSender`).
 * Resolving marks the event delivered; throwing (or rejecting) leaves it for a later run.
 */
export type SendConnectionEvent = (event: ConnectionEvent) => Promise<void> | void;

/** Options of `deliverConnectionEvents` (and of `startEventDelivery`'s runs). */
export interface DeliverConnectionEventsOptions {
  /** Events claimed per store query; a run goes on while full batches come. Default 100. */
  batchSize?: number;
  /** Failed deliveries after which an event is dead-lettered (never tried again). Default 8. */
  maxAttempts?: number;
  /** The wait before the next attempt, after `attempts` failures (1 after the first). Default 30 s doubling, at most 1 hour. */
  backoffMs?: (attempts: number) => number;
  /** How long a claimed event is kept from other runs and instances while `send` runs. Default 5 minutes. */
  leaseMs?: number;
}

/** What one delivery run did. */
export interface ConnectionEventDeliverySummary {
  /** Events `send` resolved for, now marked delivered. */
  delivered: number;
  /** Events `send` threw for, left for a later run (after the backoff). */
  failed: number;
  /** Events `send` threw for that reached `maxAttempts`: dead-lettered, never tried again. */
  deadLettered: number;
}

/** Options of `startEventDelivery`. */
export interface StartEventDeliveryOptions extends DeliverConnectionEventsOptions {
  /** Sends one event; see {@link SendConnectionEvent}. */
  send: SendConnectionEvent;
  /** Time from the end of one run to the start of the next (runs never overlap). */
  intervalMs: number;
  /** Whether the first run starts at once (default) or after `intervalMs`. */
  runImmediately?: boolean;
  /** Called with each run's summary. A run that throws goes to the handler's `onError` instead. */
  onRun?: (summary: ConnectionEventDeliverySummary) => void;
}

/** The running timer of `startEventDelivery`. */
export interface EventDeliveryTimer {
  /** Stops the timer: no run starts afterwards. Resolves when a run in progress has ended. */
  stop(): Promise<void>;
}

/** What delivery needs from the handler that owns it. */
export interface EventDeliveryDependencies {
  store: ConnectionStore;
  integrationKey: string;
  clock: () => Date;
  onError: (error: unknown) => void;
  /** The host's page for reconnect links; events that need a person carry `reconnectUrl` when set. */
  reconnectPageUrl?: string;
  /** The handler's lock on a connection (in process, then the store's), for recording an `expiring` notice. */
  lock?: <T>(key: ConnectionKey, task: () => Promise<T>) => Promise<T>;
  /** Xero's refresh token lifetime when unused, in days (the handler's `refreshTokenLifetimeDays`). */
  refreshTokenLifetimeDays?: number;
  /** Whether keep-alive is on: then only connections whose keep-alive is failing are told `expiring`. */
  keepAliveOn?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EXPIRY_SCAN_PAGE = 500;

/** The default backoff: 30 s, doubling per failure, at most an hour. */
export function defaultEventBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60 * 1000);
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error).slice(0, 500);
}

/** Delivery's two entry points, as the handler exposes them. */
export interface EventDelivery {
  deliverConnectionEvents(send: SendConnectionEvent, options?: DeliverConnectionEventsOptions): Promise<ConnectionEventDeliverySummary>;
  startEventDelivery(options: StartEventDeliveryOptions): EventDeliveryTimer;
}

/** Builds `deliverConnectionEvents` and `startEventDelivery` over a store's outbox. */
export function createEventDelivery(deps: EventDeliveryDependencies): EventDelivery {
  const { store, integrationKey, clock } = deps;
  // Checked now: a bad page URL fails at start-up, naming the option, not at the first event.
  if (deps.reconnectPageUrl !== undefined && !URL.canParse(deps.reconnectPageUrl)) {
    throw new TypeError(
      `createXeroConnectionHandler: reconnectPageUrl must be an absolute URL of the portal's page with the card (e.g. https://portal.example/settings/integrations), got ${JSON.stringify(deps.reconnectPageUrl)}`,
    );
  }
  let running: Promise<ConnectionEventDeliverySummary> | null = null;

  function withLink(event: ConnectionEvent): ConnectionEvent {
    if (deps.reconnectPageUrl === undefined || !CONNECTION_EVENTS_NEEDING_A_PERSON.includes(event.type)) return event;
    return { ...event, reconnectUrl: withReconnectRequest(deps.reconnectPageUrl, event.integrationKey) };
  }

  async function run(send: SendConnectionEvent, options: DeliverConnectionEventsOptions): Promise<ConnectionEventDeliverySummary> {
    const claim = store.claimConnectionEvents?.bind(store);
    const markDelivered = store.markConnectionEventDelivered?.bind(store);
    const recordFailure = store.recordConnectionEventFailure?.bind(store);
    if (claim === undefined || markDelivered === undefined || recordFailure === undefined) {
      throw new XeroConnectionConfigurationError(
        'deliverConnectionEvents: the store keeps no outbox (claimConnectionEvents, markConnectionEventDelivered, recordConnectionEventFailure); the stores of this package all do',
      );
    }
    const batchSize = options.batchSize ?? 100;
    const maxAttempts = options.maxAttempts ?? 8;
    const backoffMs = options.backoffMs ?? defaultEventBackoffMs;
    const leaseMs = options.leaseMs ?? 5 * 60 * 1000;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('deliverConnectionEvents: batchSize must be a positive whole number');
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new TypeError('deliverConnectionEvents: maxAttempts must be a positive whole number');
    const summary: ConnectionEventDeliverySummary = { delivered: 0, failed: 0, deadLettered: 0 };
    await recordExpiringNotices();
    for (;;) {
      const now = clock();
      const batch = await claim({
        integrationKey,
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
        limit: batchSize,
      });
      for (const { event, attempts } of batch) {
        try {
          await send(withLink(event));
        } catch (error) {
          const failed = attempts + 1;
          const at = clock();
          const dead = failed >= maxAttempts;
          await recordFailure(event.id, {
            at: at.toISOString(),
            error: describeFailure(error),
            nextAttemptAt: dead ? null : new Date(at.getTime() + Math.max(0, backoffMs(failed))).toISOString(),
          });
          if (dead) summary.deadLettered += 1;
          else summary.failed += 1;
          continue;
        }
        await markDelivered(event.id, clock().toISOString());
        summary.delivered += 1;
      }
      // Failed events wait for their backoff, so a full batch means there may be more due now.
      if (batch.length < batchSize) return summary;
    }
  }

  // `expiring` comes from time passing, not from a write: each run first records, under the
  // connection's lock, a notice on every connection whose refresh token expires within 7 days
  // (then 1) and that keep-alive does not look after; the store emits the event with that write.
  async function recordExpiringNotices(): Promise<void> {
    const list = store.listDueConnections?.bind(store);
    const lifetimeDays = deps.refreshTokenLifetimeDays;
    if (list === undefined || deps.lock === undefined || lifetimeDays === undefined) return;
    const lock = deps.lock;
    const now = clock().getTime();
    const lifetimeMs = lifetimeDays * DAY_MS;
    const noticeFor = (issuedAt: string): 7 | 1 | null => {
      const left = Date.parse(issuedAt) + lifetimeMs - now;
      if (!(left > 0)) return null; // expired: the next use stores needs_reauth
      if (left <= DAY_MS) return 1;
      return left <= 7 * DAY_MS ? 7 : null;
    };
    let after: DueConnectionCursor | undefined;
    for (;;) {
      const page = await list({ integrationKey, issuedBefore: new Date(now - lifetimeMs + 7 * DAY_MS).toISOString(), limit: EXPIRY_SCAN_PAGE, ...(after === undefined ? {} : { after }) });
      for (const due of page) {
        if (noticeFor(due.refreshTokenIssuedAt) === null) continue;
        await lock(due.key, async () => {
          const connection = await store.getConnection(due.key);
          if (!isKeptAlive(connection)) return;
          if (deps.keepAliveOn === true && connection.keepAlive?.failing !== true) return;
          const issuedAt = refreshTokenIssuedAt(connection) ?? '';
          const withinDays = noticeFor(issuedAt);
          if (withinDays === null) return;
          const previous = connection.expiryNotice ?? null;
          if (previous !== null && previous.refreshTokenIssuedAt === issuedAt && previous.withinDays <= withinDays) return;
          await store.putConnection(due.key, { ...connection, expiryNotice: { refreshTokenIssuedAt: issuedAt, withinDays } });
        });
      }
      const last = page.at(-1);
      if (page.length < EXPIRY_SCAN_PAGE || last === undefined) return;
      after = { refreshTokenIssuedAt: last.refreshTokenIssuedAt, accountId: last.key.accountId };
    }
  }

  function deliverConnectionEvents(send: SendConnectionEvent, options: DeliverConnectionEventsOptions = {}): Promise<ConnectionEventDeliverySummary> {
    // One run at a time in this process: a call while one runs waits for it, then runs.
    const previous = running ?? Promise.resolve(null);
    const started = previous.catch(() => null).then(() => run(send, options));
    const settled = started.finally(() => {
      if (running === settled) running = null;
    });
    running = settled;
    return settled;
  }

  function startEventDelivery(options: StartEventDeliveryOptions): EventDeliveryTimer {
    const { intervalMs, send, onRun, runImmediately, ...runOptions } = options;
    if (typeof send !== 'function') throw new TypeError('startEventDelivery: send must be a function');
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1 || intervalMs > 2_147_483_647) {
      throw new TypeError(`startEventDelivery: intervalMs must be a whole number of milliseconds from 1 to 2147483647 (got ${String(intervalMs)})`);
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: Promise<void> | null = null;
    const schedule = (ms: number) => {
      if (stopped) return;
      // Unref'd: the timer alone never keeps the process alive.
      timer = setTimeout(tick, ms);
      timer.unref();
    };
    // The next run is scheduled only once this one has ended, so runs never overlap.
    function tick(): void {
      timer = undefined;
      current = deliverConnectionEvents(send, runOptions)
        .then(
          (summary) => onRun?.(summary),
          (error: unknown) => deps.onError(error),
        )
        .catch((error: unknown) => deps.onError(error))
        .finally(() => {
          current = null;
          schedule(intervalMs);
        });
    }
    schedule(runImmediately === false ? intervalMs : 0);
    return {
      async stop() {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        await current;
      },
    };
  }

  return { deliverConnectionEvents, startEventDelivery };
}
