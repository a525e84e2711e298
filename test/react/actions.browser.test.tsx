import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';

import {
  XeroConnectionApiError,
  connectRequestSchema,
  type DisconnectResponse,
} from '../../src/client';
import {
  useXeroConnection,
  type UseXeroConnectionOptions,
  type XeroConnectionEvent,
} from '../../src/react';
import { demoTenant, secondTenant } from '../../src/testing/fixtures';
import { FAKE_AUTHORIZE_ORIGIN } from '../../src/testing/fake-backend';
import { expectedReturnTo, fixture, providerWrapper, rejectionOf, setUpWorker, spies, startFakeBackend } from './support';

setUpWorker();

async function renderSettled(options: UseXeroConnectionOptions = {}) {
  const { Wrapper, navigate } = providerWrapper();
  const hook = renderHook(() => useXeroConnection(options), { wrapper: Wrapper });
  await waitFor(() => expect(hook.result.current.state.status).not.toBe('loading'));
  return { ...hook, navigate };
}

describe('disconnect()', () => {
  test('a connected account becomes disconnected, and Xero was told', async () => {
    const backend = startFakeBackend('connected');
    const { options, types } = spies();
    const { result } = await renderSettled(options);

    let answer: DisconnectResponse | undefined;
    await act(async () => {
      answer = await result.current.disconnect();
    });
    expect(answer).toEqual({ status: 'disconnected', remoteRemoved: true });
    expect(result.current.state).toMatchObject({ status: 'disconnected', reason: 'user_disconnected' });
    expect(options.onDisconnected).toHaveBeenCalledExactlyOnceWith({ status: 'disconnected', remoteRemoved: true });
    expect(types()).toEqual(['disconnect_confirmed', 'disconnected']);
    const [request] = backend.requestsTo('disconnect');
    expect(request?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('after invalid_grant the local connection goes and the answer says Xero was not told', async () => {
    startFakeBackend('needsReauthExpired');
    const { options, events } = spies();
    const { result } = await renderSettled(options);
    await act(() => result.current.disconnect());
    expect(result.current.state.status).toBe('disconnected');
    expect(events).toContainEqual({ type: 'disconnected', remoteRemoved: false });
  });

  test('a double click sends one DELETE, and both calls get the same answer', async () => {
    const backend = startFakeBackend('connected');
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    const release = backend.hold('disconnect');

    let first: Promise<DisconnectResponse> | undefined;
    let second: Promise<DisconnectResponse> | undefined;
    act(() => {
      first = result.current.disconnect();
      second = result.current.disconnect();
    });
    expect(second).toBe(first);
    await waitFor(() => expect(result.current.isDisconnecting).toBe(true));
    release();
    await act(async () => {
      await first;
    });
    expect(result.current.isDisconnecting).toBe(false);
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(types()).toEqual(['disconnect_confirmed', 'disconnected']);
    expect(options.onDisconnected).toHaveBeenCalledTimes(1);
  });

  test('two components on one provider share the DELETE and its pending flag', async () => {
    const backend = startFakeBackend('connected');
    const { Wrapper } = providerWrapper();
    const { result } = renderHook(() => [useXeroConnection(), useXeroConnection()] as const, { wrapper: Wrapper });
    await waitFor(() => expect(result.current[0].state.status).toBe('connected'));
    const release = backend.hold('disconnect');
    let pending: Promise<unknown>[] = [];
    act(() => {
      pending = [result.current[0].disconnect(), result.current[1].disconnect()];
    });
    await waitFor(() => expect(result.current[1].isDisconnecting).toBe(true));
    release();
    await act(() => Promise.all(pending));
    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(result.current[1].state.status).toBe('disconnected');
  });

  test('a failure rejects with the typed error, reports it, and leaves the connection as it was', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('disconnect', 'XERO_UNAVAILABLE');
    const { options, events } = spies();
    const { result } = await renderSettled(options);

    let error: unknown;
    await act(async () => {
      error = await rejectionOf(result.current.disconnect());
    });
    expect(error).toBeInstanceOf(XeroConnectionApiError);
    expect((error as XeroConnectionApiError).code).toBe('XERO_UNAVAILABLE');
    expect(options.onError).toHaveBeenCalledExactlyOnceWith(error);
    expect(events).toContainEqual({ type: 'disconnect_failed', error });
    expect(options.onDisconnected).not.toHaveBeenCalled();
    expect(result.current.state.status).toBe('connected');
    expect(result.current.isDisconnecting).toBe(false);
  });
});

describe('connect()', () => {
  test('starts a round trip back to this page and goes to Xero', async () => {
    const backend = startFakeBackend('neverConnected');
    const { options, types } = spies();
    const { result, navigate } = await renderSettled(options);
    await act(() => result.current.connect());

    const [request] = backend.requestsTo('connect');
    expect(request?.body).toEqual({ returnTo: expectedReturnTo(), mode: 'connect' });
    expect(connectRequestSchema.safeParse(request?.body).success).toBe(true);
    const [session] = backend.connectSessions;
    expect(navigate).toHaveBeenCalledExactlyOnceWith(expect.stringContaining(`${FAKE_AUTHORIZE_ORIGIN}/identity/connect/authorize`));
    expect(navigate.mock.calls[0]?.[0]).toContain(`state=${session?.state}`);
    expect(types()).toEqual(['connect_started']);
  });

  test('a double click sends one POST /connect and navigates once', async () => {
    const backend = startFakeBackend('neverConnected');
    const { result, navigate } = await renderSettled();
    await act(() => Promise.all([result.current.connect(), result.current.connect()]));
    expect(backend.requestsTo('connect')).toHaveLength(1);
    expect(navigate).toHaveBeenCalledTimes(1);
  });

  test('a failure rejects, reports connect_failed and does not navigate', async () => {
    const backend = startFakeBackend('neverConnected');
    backend.failNext('connect', 'FORBIDDEN');
    const { options, events } = spies();
    const { result, navigate } = await renderSettled(options);
    let error: unknown;
    await act(async () => {
      error = await rejectionOf(result.current.connect({ returnTo: '/settings/integrations' }));
    });
    expect((error as XeroConnectionApiError).code).toBe('FORBIDDEN');
    expect(options.onError).toHaveBeenCalledExactlyOnceWith(error);
    expect(events).toContainEqual({ type: 'connect_failed', error });
    expect(navigate).not.toHaveBeenCalled();
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({
      returnTo: expectedReturnTo(new URL('/settings/integrations', location.href).href),
    });
  });
});

describe('reconnect()', () => {
  test('after invalid_grant: DELETE, then POST /connect in reauth mode for the same organisation, then Xero', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { options, types } = spies();
    const { result, navigate } = await renderSettled(options);
    await act(() => result.current.reconnect());

    const writes = backend.requests.filter((request) => request.method !== 'GET');
    expect(writes.map((request) => `${request.method} ${request.path}`)).toEqual(['DELETE /connection', 'POST /connect']);
    expect(writes[1]?.body).toEqual({ returnTo: expectedReturnTo(), mode: 'reauth', expectedTenantId: demoTenant.tenantId });
    expect(navigate).toHaveBeenCalledExactlyOnceWith(expect.stringContaining(FAKE_AUTHORIZE_ORIGIN));
    expect(types()).toEqual(['reconnect_started', 'disconnected', 'connect_started']);
    // The DELETE really happened: onDisconnected hears of it, once.
    expect(options.onDisconnected).toHaveBeenCalledExactlyOnceWith({ status: 'disconnected', remoteRemoved: false });
    // The browser is on its way to Xero: still reconnecting until the page is left.
    expect(result.current.isReconnecting).toBe(true);
  });

  test('when POST /connect fails: rejects, reports reconnect_failed once, and shows the truth (disconnected)', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    backend.failNext('connect', 'XERO_UNAVAILABLE');
    const { options, events } = spies();
    const { result, navigate } = await renderSettled(options);
    let error: unknown;
    await act(async () => {
      error = await rejectionOf(result.current.reconnect());
    });
    expect((error as XeroConnectionApiError).code).toBe('XERO_UNAVAILABLE');
    expect(options.onError).toHaveBeenCalledExactlyOnceWith(error);
    expect(events.filter((event) => event.type.endsWith('_failed'))).toEqual([{ type: 'reconnect_failed', error }]);
    expect(navigate).not.toHaveBeenCalled();
    await waitFor(() => expect(result.current.state.status).toBe('disconnected'));
  });
});

describe('verify()', () => {
  test('an expiring connection that Xero refreshes becomes connected, without another GET', async () => {
    const backend = startFakeBackend('expiring');
    const { options, events } = spies();
    const { result } = await renderSettled(options);
    expect(result.current.state.status).toBe('expiring');

    await act(() => result.current.verify());
    expect(result.current.state.status).toBe('connected');
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
    expect(events).toContainEqual({ type: 'verify_started' });
    expect(events).toContainEqual({ type: 'verified', status: 'connected' });
    expect(options.onConnected).not.toHaveBeenCalled();
  });

  test('a failure rejects with the typed error and reports verify_failed', async () => {
    const backend = startFakeBackend('connected');
    backend.failNext('verify', 'XERO_RATE_LIMITED');
    const { options, events } = spies();
    const { result } = await renderSettled(options);
    let error: unknown;
    await act(async () => {
      error = await rejectionOf(result.current.verify());
    });
    expect((error as XeroConnectionApiError).code).toBe('XERO_RATE_LIMITED');
    expect(options.onError).toHaveBeenCalledExactlyOnceWith(error);
    expect(events).toContainEqual({ type: 'verify_failed', error });
    expect(result.current.state.status).toBe('connected');
  });

  test('seeing the connection come back calls onConnected once, with the connection', async () => {
    const backend = startFakeBackend('disconnected');
    const { options, events } = spies();
    const { result } = await renderSettled(options);
    backend.setConnection(fixture('connected'));
    await act(() => result.current.verify());
    expect(result.current.state.status).toBe('connected');
    expect(options.onConnected).toHaveBeenCalledTimes(1);
    expect(options.onConnected.mock.calls[0]?.[0]).toMatchObject({ status: 'connected', tenant: demoTenant });
    expect(events).toContainEqual({ type: 'connected', tenant: demoTenant });
  });
});

describe('events and callbacks', () => {
  test('status_viewed fires once per status and reason seen, not per render', async () => {
    startFakeBackend('connected');
    const { options, events } = spies();
    const { result, rerender } = await renderSettled(options);
    rerender();
    rerender();
    await act(() => result.current.disconnect());
    rerender();
    expect(events.filter((event) => event.type === 'status_viewed')).toEqual([
      { type: 'status_viewed', status: 'connected', reason: null },
      { type: 'status_viewed', status: 'disconnected', reason: 'user_disconnected' },
    ]);
  });

  test('track() records the dialog events the hook cannot see', async () => {
    startFakeBackend('connected');
    const { options, types } = spies();
    const { result } = await renderSettled(options);
    act(() => {
      result.current.track({ type: 'disconnect_requested' });
      result.current.track({ type: 'disconnect_cancelled' });
    });
    expect(types()).toEqual(['disconnect_requested', 'disconnect_cancelled']);
  });

  test('callbacks are always the latest passed: after a rerender only the new onEvent hears', async () => {
    startFakeBackend('connected');
    const { Wrapper } = providerWrapper();
    const oldOnEvent = vi.fn<(event: XeroConnectionEvent) => void>();
    const newOnEvent = vi.fn<(event: XeroConnectionEvent) => void>();
    const { result, rerender } = renderHook((props: { onEvent: (event: XeroConnectionEvent) => void }) => useXeroConnection(props), {
      wrapper: Wrapper,
      initialProps: { onEvent: oldOnEvent },
    });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    const disconnect = result.current.disconnect; // an action captured before the rerender
    rerender({ onEvent: newOnEvent });
    oldOnEvent.mockClear();
    await act(() => disconnect());
    expect(newOnEvent).toHaveBeenCalledWith({ type: 'disconnect_confirmed' });
    expect(newOnEvent).toHaveBeenCalledWith({ type: 'disconnected', remoteRemoved: true });
    expect(oldOnEvent).not.toHaveBeenCalled();
  });

  test('no event carries a token, the OAuth state or the authorize URL', async () => {
    const backend = startFakeBackend('needsReauthExpired');
    const { options, events } = spies();
    const { result } = await renderSettled(options);
    await act(() => result.current.reconnect());
    const serialized = JSON.stringify(events);
    const state = backend.connectSessions[0]?.state ?? 'missing';
    expect(serialized).not.toContain(state);
    expect(serialized).not.toMatch(/authorize|code_challenge|access_?token|"refresh_?token"/i);
  });
});

describe('chooseOrganisation()', () => {
  test('links the chosen organisation: connected to it, one POST with its id, onConnected and organisation_chosen once', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    const { options, events, types } = spies();
    const { result } = await renderSettled(options);
    expect(result.current.state).toMatchObject({ status: 'choosing_organisation', reason: 'multiple_organisations' });

    const release = backend.hold('chooseOrganisation');
    let first: Promise<unknown> | undefined;
    let second: Promise<unknown> | undefined;
    act(() => {
      first = result.current.chooseOrganisation(secondTenant.tenantId);
      second = result.current.chooseOrganisation(secondTenant.tenantId);
    });
    expect(second).toBe(first);
    await waitFor(() => expect(result.current.isChoosingOrganisation).toBe(true));
    release();
    await act(async () => {
      await first;
    });

    expect(result.current.isChoosingOrganisation).toBe(false);
    expect(result.current.state).toMatchObject({ status: 'connected', tenant: secondTenant });
    expect(backend.requestsTo('chooseOrganisation').map((request) => request.body)).toEqual([{ tenantId: secondTenant.tenantId }]);
    expect(events).toContainEqual({ type: 'organisation_chosen', tenant: secondTenant });
    expect(types().filter((type) => type === 'organisation_chosen' || type === 'connected')).toEqual(['organisation_chosen', 'connected']);
    expect(options.onConnected).toHaveBeenCalledTimes(1);
  });

  test('a failure rejects with the typed error, reports it once, and the choice is still waiting', async () => {
    const backend = startFakeBackend('choosingOrganisation');
    const { options, events } = spies();
    const { result } = await renderSettled(options);
    backend.failNext('chooseOrganisation', 'XERO_UNAVAILABLE');

    const error = await act(() => rejectionOf(result.current.chooseOrganisation(secondTenant.tenantId)));

    expect(error).toBeInstanceOf(XeroConnectionApiError);
    expect(error).toMatchObject({ code: 'XERO_UNAVAILABLE', endpoint: 'POST /connection/organisation' });
    expect(options.onError).toHaveBeenCalledExactlyOnceWith(error);
    expect(events).toContainEqual({ type: 'choose_organisation_failed', error });
    expect(result.current.state.status).toBe('choosing_organisation');
  });
});
