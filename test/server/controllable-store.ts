import { createMemoryConnectionStore, type ConnectionStore } from '../../src/server';

/** A memory store whose connection and session methods can be held (in progress) or broken (500). */
export function controllableStore() {
  const store = createMemoryConnectionStore();
  let held: { open: Promise<void>; reached: () => void } | null = null;
  let broken = false;
  const guard = async () => {
    if (broken) throw new Error('the store is down');
    const gate = held;
    if (gate !== null) {
      held = null;
      gate.reached();
      await gate.open;
    }
  };
  const wrapped: ConnectionStore = {
    ...store,
    getConnection: async (key) => (await guard(), store.getConnection(key)),
    putConnectSession: async (session) => (await guard(), store.putConnectSession(session)),
    startConnectSession: async (session, limits) => {
      await guard();
      if (store.startConnectSession === undefined) throw new Error('the memory store bounds connect sessions');
      return store.startConnectSession(session, limits);
    },
    takeConnectSession: async (state) => (await guard(), store.takeConnectSession(state)),
  };
  return {
    store: wrapped,
    hold(): { release: () => void; reached: Promise<void> } {
      let release = () => {};
      let reached = () => {};
      const open = new Promise<void>((resolve) => (release = resolve));
      const arrived = new Promise<void>((resolve) => (reached = resolve));
      held = { open, reached };
      return { release, reached: arrived };
    },
    breakIt: () => {
      broken = true;
    },
  };
}
