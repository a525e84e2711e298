import type { QueryClient } from '@tanstack/react-query';

/** The hook's actions that run against the backend. */
export type ActionName = 'connect' | 'disconnect' | 'reconnect' | 'verify';

/** Which actions are in flight. */
export type PendingActions = Readonly<Record<ActionName, boolean>>;

const IDLE: PendingActions = { connect: false, disconnect: false, reconnect: false, verify: false };

/**
 * The actions in flight for one integration (one QueryClient and base URL), shared by every hook
 * on it: a second call while one runs joins the first (a double click sends one DELETE), and every
 * hook sees the same pending flags.
 */
export interface ActionRegistry {
  /** Runs `start`, or joins the run of `name` already in flight. `joined` says which. */
  run<T>(name: ActionName, start: () => Promise<T>): { promise: Promise<T>; joined: boolean };
  /** Subscribes to changes of {@link ActionRegistry.pending}. */
  subscribe(listener: () => void): () => void;
  /** The pending flags; the same object until one changes. */
  pending(): PendingActions;
}

function createActionRegistry(): ActionRegistry {
  const inFlight = new Map<ActionName, Promise<unknown>>();
  const listeners = new Set<() => void>();
  let snapshot = IDLE;

  function update(name: ActionName, value: boolean): void {
    snapshot = { ...snapshot, [name]: value };
    listeners.forEach((listener) => listener());
  }

  return {
    run<T>(name: ActionName, start: () => Promise<T>) {
      const current = inFlight.get(name);
      if (current) return { promise: current as Promise<T>, joined: true };
      const promise = (async () => {
        try {
          return await start();
        } finally {
          inFlight.delete(name);
          update(name, false);
        }
      })();
      inFlight.set(name, promise);
      update(name, true);
      return { promise, joined: false };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pending: () => snapshot,
  };
}

// Keyed by QueryClient (one per app, or per request on a server) and then base URL, like the cache.
const registries = new WeakMap<QueryClient, Map<string, ActionRegistry>>();

/** The shared {@link ActionRegistry} for an integration. */
export function actionRegistryFor(queryClient: QueryClient, baseUrl: string): ActionRegistry {
  let byBaseUrl = registries.get(queryClient);
  if (!byBaseUrl) {
    byBaseUrl = new Map();
    registries.set(queryClient, byBaseUrl);
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
