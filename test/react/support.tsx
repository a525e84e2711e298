import type { QueryClient } from '@tanstack/react-query';
import { cleanup } from '@testing-library/react';
import { setupWorker } from 'msw/browser';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';

import { forgetBackendClocks } from '../../src/client/backend-clock';
import {
  createXeroConnectionClient,
  returnToFor,
  type Connection,
  type DisconnectResponse,
  type XeroConnectionClient,
  type XeroConnectionError,
} from '../../src/client';
import {
  XeroConnectionProvider,
  type ConnectedConnection,
  type UseXeroConnectionOptions,
  type XeroConnectionEvent,
} from '../../src/react';
import { createFakeXeroBackend, type FakeXeroBackend } from '../../src/testing/fake-backend';
import { buildConnection, type ConnectionFixtureName } from '../../src/testing/fixtures';

// Shared by the React layer's browser tests: msw's service worker in real Chromium, the stateful
// fake backend per test, and a provider wrapper with a navigation spy.

/** The integration's base URL: a path, resolved against the test page like in a portal. */
export const BASE_URL = '/api/integrations/xero-billing';

const worker = setupWorker();

/** Starts msw's worker once for the file (unhandled requests fail loudly), and unmounts after each test. */
export function setUpWorker(): void {
  beforeAll(async () => {
    await worker.start({ onUnhandledRequest: 'error', quiet: true });
  });
  // Vitest runs without globals, so Testing Library's automatic cleanup is not registered.
  afterEach(() => {
    cleanup();
    worker.resetHandlers();
    // Each test plays its own backend on the one base URL: its clock starts unknown too.
    forgetBackendClocks();
  });
  afterAll(() => worker.stop());
}

/**
 * The `returnTo` a round trip started on `page` sends: the page plus the integration marker
 * (`xeroIntegration`), and the pop-up marker when it runs in a pop-up.
 */
export function expectedReturnTo(page: string = location.href, popup = false): string {
  return returnToFor(page, { baseUrl: BASE_URL, popup });
}

/** Adds msw handlers for this test (reset after it), in front of the fake backend's. */
export function addHandlers(...handlers: Parameters<typeof worker.use>): void {
  worker.use(...handlers);
}

/** A fixture built relative to the real clock, since the hook measures expiry from it. */
export function fixture(name: ConnectionFixtureName): Connection {
  return buildConnection(name, {}, new Date());
}

/** A fake backend for this test, holding `initial`, answering through the worker. */
export function startFakeBackend(initial: ConnectionFixtureName | Connection = 'connected'): FakeXeroBackend {
  const backend = createFakeXeroBackend({
    baseUrl: BASE_URL,
    initial: typeof initial === 'string' ? fixture(initial) : initial,
  });
  worker.use(...backend.handlers);
  return backend;
}

/** A client without read retries, so failure tests need one failed answer, not three. */
export function clientWithoutRetry(): XeroConnectionClient {
  return createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
}

/** A provider wrapper for `render`/`renderHook`, with a navigation spy; its own QueryClient unless one is given. */
export function providerWrapper(options: { client?: XeroConnectionClient; queryClient?: QueryClient } = {}) {
  const navigate = vi.fn<(url: string) => void>();
  const { queryClient } = options;
  function Wrapper({ children }: { children?: ReactNode }) {
    return options.client ? (
      <XeroConnectionProvider client={options.client} queryClient={queryClient} navigate={navigate}>
        {children}
      </XeroConnectionProvider>
    ) : (
      <XeroConnectionProvider baseUrl={BASE_URL} queryClient={queryClient} navigate={navigate}>
        {children}
      </XeroConnectionProvider>
    );
  }
  return { Wrapper, navigate };
}

/** The reason a promise rejected with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}


/**
 * Spies for every hook callback, plus the events seen in order. `types()` leaves out
 * `status_viewed`, which every render of a new status adds.
 */
export function spies() {
  const events: XeroConnectionEvent[] = [];
  const options = {
    onEvent: vi.fn((event: XeroConnectionEvent) => void events.push(event)),
    onError: vi.fn<(error: XeroConnectionError) => void>(),
    onConnected: vi.fn<(connection: ConnectedConnection) => void>(),
    onDisconnected: vi.fn<(result: DisconnectResponse) => void>(),
  } satisfies UseXeroConnectionOptions;
  const types = () => events.map((event) => event.type).filter((type) => type !== 'status_viewed');
  return { options, events, types };
}
