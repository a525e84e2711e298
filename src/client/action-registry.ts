import { MESSAGE_SOURCE } from './connect-messages';
import type { ConnectOutcome } from './connect-return';
import { postToOtherTabs } from './page-channel';

/** The controller's actions that run against the backend. */
export type ActionName = 'connect' | 'disconnect' | 'reconnect' | 'verify' | 'chooseOrganisation';

/** Which actions are in flight. */
export type PendingActions = Readonly<Record<ActionName, boolean>>;

const IDLE: PendingActions = { connect: false, disconnect: false, reconnect: false, verify: false, chooseOrganisation: false };

/**
 * Keeps an action pending after its promise resolved, until `until` settles: a connect that has
 * sent the browser to Xero is still under way until the page is left or the pop-up reports back.
 */
export type HoldPending = (until: Promise<unknown>) => void;

/**
 * The state one integration (one cache and base URL) shares between every controller on it: the
 * actions in flight, so a second call while one runs joins the first (a double click sends one
 * DELETE) and every controller sees the same pending flags; and the outcome of the last connect
 * round trip, so every card on the integration shows it.
 */
export interface ActionRegistry {
  /**
   * Runs `start`, or joins the run of `name` already in flight (or held pending). `joined` says
   * which. `start` may call `hold` to keep the action pending beyond its promise.
   */
  run<T>(name: ActionName, start: (hold: HoldPending) => Promise<T>): { promise: Promise<T>; joined: boolean };
  /** Subscribes to changes of {@link ActionRegistry.pending} and {@link ActionRegistry.outcome}. */
  subscribe(listener: () => void): () => void;
  /** The pending flags; the same object until one changes. */
  pending(): PendingActions;
  /** The outcome of the last connect round trip, until dismissed or a new action starts. */
  outcome(): ConnectOutcome | null;
  setOutcome(outcome: ConnectOutcome | null): void;
  /** Errors already passed to an `onError`, so joining controllers do not report the same one twice. */
  readonly reported: WeakSet<object>;
  /** The `refresh()` in flight, which calls meanwhile join: one read however many ask. */
  refreshing: Promise<void> | null;
}

function createActionRegistry(): ActionRegistry {
  const inFlight = new Map<ActionName, Promise<unknown>>();
  const listeners = new Set<() => void>();
  let snapshot = IDLE;
  let outcome: ConnectOutcome | null = null;

  function notify(): void {
    listeners.forEach((listener) => listener());
  }

  function update(name: ActionName, value: boolean): void {
    if (snapshot[name] === value) return;
    snapshot = { ...snapshot, [name]: value };
    notify();
  }

  return {
    run<T>(name: ActionName, start: (hold: HoldPending) => Promise<T>) {
      const current = inFlight.get(name);
      if (current) return { promise: current as Promise<T>, joined: true };
      let held: Promise<unknown> | null = null;
      const promise = (async () => start((until) => void (held = until)))();
      const settle = () => {
        if (inFlight.get(name) !== promise) return;
        inFlight.delete(name);
        update(name, false);
      };
      // Attached before the caller can await, so the flag is down by the time the caller resumes.
      promise.then(
        () => (held ? held.then(settle, settle) : settle()),
        () => settle(),
      );
      inFlight.set(name, promise);
      update(name, true);
      return { promise, joined: false };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pending: () => snapshot,
    outcome: () => outcome,
    setOutcome(next) {
      if (outcome === next) return;
      outcome = next;
      notify();
    },
    reported: new WeakSet(),
    refreshing: null,
  };
}

// Keyed by the cache's scope (the QueryClient under React: one per app, or per request on a
// server) and then base URL, like the cache itself.
const registries = new WeakMap<object, Map<string, ActionRegistry>>();

/** The shared {@link ActionRegistry} for an integration, in the cache `scope`. */
export function actionRegistryFor(scope: object, baseUrl: string): ActionRegistry {
  let byBaseUrl = registries.get(scope);
  if (!byBaseUrl) {
    byBaseUrl = new Map();
    registries.set(scope, byBaseUrl);
  }
  let registry = byBaseUrl.get(baseUrl);
  if (!registry) {
    registry = createActionRegistry();
    byBaseUrl.set(baseUrl, registry);
  }
  return registry;
}

/** The pending flags during a server render: nothing runs there. */
export const SERVER_PENDING: PendingActions = IDLE;

/**
 * Reads the integration's connection again now through `invalidate` and tells the origin's other
 * tabs to do the same. Calls while one runs join it: one read, one message. `invalidate` must
 * restart a read already in flight rather than join it: that one may have left before the change
 * the caller learned of, and would bring the old status back.
 */
export function refreshIntegration(registry: ActionRegistry, baseUrl: string, invalidate: () => Promise<void>): Promise<void> {
  if (registry.refreshing) return registry.refreshing;
  postToOtherTabs({ source: MESSAGE_SOURCE, type: 'changed', baseUrl });
  const refreshing = invalidate().finally(() => {
    registry.refreshing = null;
  });
  registry.refreshing = refreshing;
  return refreshing;
}
