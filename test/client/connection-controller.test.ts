import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';

import {
  createConnectionSource,
  createXeroConnectionClient,
  createXeroConnectionController,
  isXeroConnectionApiError,
  type XeroConnectionController,
  type XeroConnectionControllerOptions,
  type XeroConnectionEvent,
  type XeroConnectionSnapshot,
} from '../../src/client';
import { FAKE_AUTHORIZE_ORIGIN, createFakeXeroBackend } from '../../src/testing/fake-backend';
import { buildConnection, demoTenant, secondTenant } from '../../src/testing/fixtures';

// The controller without React, as a Vue app or a plain page uses it: the `./testing` fake behind
// msw/node, the real client, and assertions on what a page would show (the snapshot) and send.

const BASE_URL = 'https://portal.example/api/integrations/xero-billing';
const RETURN_TO = 'https://portal.example/settings/integrations';
const backend = createFakeXeroBackend({ baseUrl: BASE_URL });
const server = setupServer(...backend.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => backend.reset());
afterAll(() => server.close());

interface Harness {
  controller: XeroConnectionController;
  events: XeroConnectionEvent['type'][];
  navigate: ReturnType<typeof vi.fn<(url: string) => void>>;
  /** Resolves with the first snapshot `accept` returns true for. */
  until(accept: (snapshot: XeroConnectionSnapshot) => boolean): Promise<XeroConnectionSnapshot>;
  stop(): void;
}

/** A started controller on a fresh client (its own cache), with its events recorded. */
function start(options: Partial<XeroConnectionControllerOptions> = {}): Harness {
  const events: XeroConnectionEvent['type'][] = [];
  const navigate = vi.fn<(url: string) => void>();
  const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
  const controller = createXeroConnectionController({
    client,
    navigate,
    ...options,
    onEvent: (event) => {
      events.push(event.type);
      options.onEvent?.(event);
    },
  });
  const waiters = new Set<() => void>();
  const stop = controller.subscribe(() => waiters.forEach((check) => check()));
  const until = (accept: (snapshot: XeroConnectionSnapshot) => boolean) =>
    new Promise<XeroConnectionSnapshot>((resolve) => {
      const check = () => {
        const snapshot = controller.getSnapshot();
        if (!accept(snapshot)) return;
        waiters.delete(check);
        resolve(snapshot);
      };
      waiters.add(check);
      check();
    });
  return { controller, events, navigate, until, stop };
}

describe('createXeroConnectionController (no React)', () => {
  test('subscribing reads the status once: loading, then the backend’s state', async () => {
    backend.setConnection(buildConnection('needsReauthExpired'));
    const page = start();
    expect(page.controller.getSnapshot().state.status).toBe('loading');
    const snapshot = await page.until((s) => s.state.status !== 'loading');
    expect(snapshot.state).toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
    expect(page.events).toEqual(['status_viewed']);
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    page.stop();
  });

  test('reconnect(): DELETE, then the round trip in reauth mode for the same organisation', async () => {
    backend.setConnection(buildConnection('needsReauthExpired'));
    const onDisconnected = vi.fn();
    const page = start({ onDisconnected });
    await page.until((s) => s.state.status === 'needs_reauth');

    const reconnecting = page.controller.reconnect({ returnTo: RETURN_TO });
    expect(page.controller.getSnapshot().isReconnecting).toBe(true);
    const answer = await reconnecting;

    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'reauth', expectedTenantId: demoTenant.tenantId });
    expect(answer?.authorizeUrl.startsWith(FAKE_AUTHORIZE_ORIGIN)).toBe(true);
    expect(page.navigate).toHaveBeenCalledWith(answer?.authorizeUrl);
    expect(onDisconnected).toHaveBeenCalledWith({ status: 'disconnected', remoteRemoved: false });
    expect(page.events.filter((type) => type !== 'status_viewed')).toEqual(['reconnect_started', 'disconnected', 'connect_started']);
    // The disconnect shows at once; outside a browser nothing keeps the action pending afterwards.
    const after = await page.until((s) => !s.isReconnecting);
    expect(after.state).toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
    page.stop();
  });

  test('a failed DELETE rejects reconnect() with its own error and connects nothing', async () => {
    backend.setConnection(buildConnection('needsReauthExpired'));
    const onError = vi.fn();
    const page = start({ onError });
    await page.until((s) => s.state.status === 'needs_reauth');
    backend.failNext('disconnect', 'XERO_UNAVAILABLE');

    const error: unknown = await page.controller.reconnect({ returnTo: RETURN_TO }).catch((caught: unknown) => caught);

    expect(isXeroConnectionApiError(error) && error.endpoint).toBe('DELETE /connection');
    expect(backend.requestsTo('connect')).toHaveLength(0);
    expect(page.navigate).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(page.events).toContain('reconnect_failed');
    expect((await page.until((s) => !s.isReconnecting)).state.status).toBe('needs_reauth');
    page.stop();
  });

  test('a double disconnect sends one DELETE, and every controller of the client sees it pending', async () => {
    backend.setConnection(buildConnection('connected'));
    const page = start();
    await page.until((s) => s.state.status === 'connected');
    const release = backend.hold('disconnect');

    const first = page.controller.disconnect();
    const second = page.controller.disconnect();
    expect(page.controller.getSnapshot().isDisconnecting).toBe(true);
    release();

    expect(await second).toEqual(await first);
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect((await page.until((s) => !s.isDisconnecting)).state.status).toBe('disconnected');
    page.stop();
  });

  test('verify() and chooseOrganisation() show the backend’s answer without another read', async () => {
    backend.setConnection(buildConnection('choosingOrganisation'));
    const page = start();
    await page.until((s) => s.state.status === 'choosing_organisation');

    await page.controller.chooseOrganisation(secondTenant.tenantId);
    expect(page.controller.getSnapshot().state).toMatchObject({ status: 'connected', tenant: secondTenant });
    await page.controller.verify();
    expect(page.controller.getSnapshot().state.status).toBe('connected');
    expect(page.events).toEqual(['status_viewed', 'organisation_chosen', 'status_viewed', 'connected', 'verify_started', 'verified']);
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    page.stop();
  });

  test('refresh() reads again now, once however many ask', async () => {
    backend.setConnection(buildConnection('connected'));
    const page = start();
    await page.until((s) => s.state.status === 'connected');
    backend.setConnection(buildConnection('needsReauthExpired'));

    await Promise.all([page.controller.refresh(), page.controller.refresh()]);

    expect(page.controller.getSnapshot().state.status).toBe('needs_reauth');
    expect(backend.requestsTo('getConnection')).toHaveLength(2);
    page.stop();
  });

  test('a failed read is the error state with a retry, and onError hears it once', async () => {
    backend.failNext('getConnection', 'network_error');
    const onError = vi.fn();
    const page = start({ onError });
    const failed = await page.until((s) => s.state.status === 'error');
    expect(onError).toHaveBeenCalledTimes(1);

    if (failed.state.status === 'error') failed.state.retry();
    expect((await page.until((s) => s.state.status === 'disconnected')).state.status).toBe('disconnected');
    page.stop();
  });

  test('controllers sharing a source share one read', async () => {
    backend.setConnection(buildConnection('connected'));
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    const source = createConnectionSource(client);
    const card = createXeroConnectionController({ client, source });
    const banner = createXeroConnectionController({ client, source });
    const stops = [card.subscribe(() => {}), banner.subscribe(() => {})];
    await vi.waitFor(() => expect(banner.getSnapshot().state.status).toBe('connected'));
    expect(card.getSnapshot().state.status).toBe('connected');
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    stops.forEach((stop) => stop());
  });
});
