import { setTimeout as delay } from 'node:timers/promises';

import { describe, expect, it, vi } from 'vitest';

import { readReconnectRequest } from '../../src/client/connect-return';
import { createMemoryConnectionStore, createSqliteConnectionStore, type ConnectionEvent } from '../../src/server';
import { setup } from './support';

const PAGE = 'https://portal.example/settings/integrations';

describe('deliverConnectionEvents', () => {
  it('hands each event to send once, marks it delivered, and adds the reconnect link to events that need a person', async () => {
    const { connectThroughXero, client, emulator, handler } = await setup({ store: createMemoryConnectionStore(), reconnectPageUrl: PAGE });
    await connectThroughXero();
    emulator.advanceDays(61);
    await client().verify();
    const sent: ConnectionEvent[] = [];
    await expect(handler.deliverConnectionEvents((event) => void sent.push(event))).resolves.toEqual({ delivered: 2, failed: 0, deadLettered: 0 });
    expect(sent.map((event) => event.type)).toEqual(['connected', 'needs_reauth']);
    expect(sent[0]).not.toHaveProperty('reconnectUrl');
    const link = sent[1]?.reconnectUrl ?? '';
    expect(link.startsWith(`${PAGE}?`)).toBe(true);
    expect(readReconnectRequest(link)).toEqual({ integration: sent[1]?.integrationKey });
    await expect(handler.deliverConnectionEvents((event) => void sent.push(event))).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 0 });
    expect(sent).toHaveLength(2);
  });

  it('refuses a reconnectPageUrl that is not an absolute URL when the handler is made, naming the option', async () => {
    await expect(setup({ reconnectPageUrl: '/settings/integrations' })).rejects.toThrow(/reconnectPageUrl must be an absolute URL.*"\/settings\/integrations"/);
  });

  it('retries an event after send throws, once its backoff has passed, with the same id', async () => {
    const { connectThroughXero, emulator, handler } = await setup({ store: createMemoryConnectionStore() });
    await connectThroughXero();
    const ids: string[] = [];
    const failing = (event: ConnectionEvent) => {
      ids.push(event.id);
      throw new Error('smtp down');
    };
    await expect(handler.deliverConnectionEvents(failing)).resolves.toEqual({ delivered: 0, failed: 1, deadLettered: 0 });
    // Not due again before its backoff (30 s after the first failure).
    await expect(handler.deliverConnectionEvents(failing)).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 0 });
    emulator.advance(30_000);
    await expect(handler.deliverConnectionEvents(failing)).resolves.toEqual({ delivered: 0, failed: 1, deadLettered: 0 });
    emulator.advance(59_000);
    const sent: string[] = [];
    await expect(handler.deliverConnectionEvents((event) => void sent.push(event.id))).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 0 });
    emulator.advance(1_000);
    await expect(handler.deliverConnectionEvents((event) => void sent.push(event.id))).resolves.toEqual({ delivered: 1, failed: 0, deadLettered: 0 });
    expect(new Set([...ids, ...sent]).size).toBe(1);
  });

  it('dead-letters an event after maxAttempts failures: never handed out again', async () => {
    const { connectThroughXero, handler } = await setup({ store: createMemoryConnectionStore() });
    await connectThroughXero();
    const send = vi.fn(() => Promise.reject(new Error('receiver gone')));
    const options = { maxAttempts: 3, backoffMs: () => 0 };
    await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 1, deadLettered: 0 });
    await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 1, deadLettered: 0 });
    await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 1 });
    await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 0 });
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('startEventDelivery delivers on an unref’d timer, runs never overlap, and stop() ends it', async () => {
    const { connectThroughXero, client, handler } = await setup({ store: createMemoryConnectionStore() });
    let inFlight = 0;
    let overlapped = false;
    const sent: string[] = [];
    const timer = handler.startEventDelivery({
      intervalMs: 5,
      send: async (event) => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        await delay(2);
        sent.push(event.type);
        inFlight -= 1;
      },
    });
    await connectThroughXero();
    await client().disconnect();
    await vi.waitFor(() => expect(sent).toEqual(['connected', 'disconnected']), { timeout: 5_000, interval: 10 });
    await timer.stop();
    await connectThroughXero();
    await delay(30);
    expect(sent).toEqual(['connected', 'disconnected']);
    expect(overlapped).toBe(false);
  });

  it('works the same on the SQLite store: retry after a failure, then dead-letter', async () => {
    const store = await createSqliteConnectionStore({ filename: ':memory:', encryptionKey: 'aa'.repeat(32) });
    try {
      const { connectThroughXero, handler } = await setup({ store });
      await connectThroughXero();
      const send = vi.fn(() => Promise.reject(new Error('receiver gone')));
      const options = { maxAttempts: 2, backoffMs: () => 0 };
      await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 1, deadLettered: 0 });
      await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 1 });
      await expect(handler.deliverConnectionEvents(send, options)).resolves.toEqual({ delivered: 0, failed: 0, deadLettered: 0 });
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      store.close();
    }
  });
});

describe('expiring: keep-alive off (or failing) and the refresh token running out', () => {
  it('is emitted within 7 days of expiry, then within 1 day, each once per token, with the reconnect link; a refresh starts over', async () => {
    const { connectThroughXero, client, emulator, handler } = await setup({ store: createMemoryConnectionStore(), reconnectPageUrl: PAGE });
    await connectThroughXero();
    const sent: ConnectionEvent[] = [];
    const send = (event: ConnectionEvent) => void sent.push(event);
    await handler.deliverConnectionEvents(send);
    emulator.advanceDays(52);
    await handler.deliverConnectionEvents(send);
    expect(sent.map((event) => event.type)).toEqual(['connected']);
    emulator.advanceDays(2); // 6 days left
    await handler.deliverConnectionEvents(send);
    await handler.deliverConnectionEvents(send);
    expect(sent.slice(1).map((event) => [event.type, event.reason])).toEqual([['expiring', 'within_7_days']]);
    expect(readReconnectRequest(sent[1]?.reconnectUrl ?? '')).not.toBeNull();
    emulator.advanceDays(5.5); // half a day left
    await handler.deliverConnectionEvents(send);
    await handler.deliverConnectionEvents(send);
    expect(sent.slice(2).map((event) => [event.type, event.reason])).toEqual([['expiring', 'within_1_day']]);
    // A refresh (anyone reading the connection) issues a new token: 60 days again, nothing to say.
    await client().verify();
    emulator.advanceDays(50);
    await handler.deliverConnectionEvents(send);
    expect(sent).toHaveLength(3);
    emulator.advanceDays(4);
    await handler.deliverConnectionEvents(send);
    expect(sent.slice(3).map((event) => [event.type, event.reason])).toEqual([['expiring', 'within_7_days']]);
  });

  it('is not emitted while keep-alive looks after the connection', async () => {
    const { connectThroughXero, emulator, handler } = await setup({ store: createMemoryConnectionStore(), keepAlive: true });
    await connectThroughXero();
    emulator.advanceDays(55);
    const sent: string[] = [];
    await handler.deliverConnectionEvents((event) => void sent.push(event.type));
    expect(sent).toEqual(['connected']);
  });
});
