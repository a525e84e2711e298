import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';

import {
  createXeroConnectionClient,
  createXeroConnectionController,
  withReconnectRequest,
  type XeroConnectionController,
  type XeroConnectionSnapshot,
} from '../../src/client';
import { createFakeXeroBackend } from '../../src/testing/fake-backend';
import { buildConnection } from '../../src/testing/fixtures';

// The page opened from a reconnect link, without React: the controller takes the request off the
// URL once per page, for the integration it names, shares it, and starts nothing by itself.

const BASE_URL = 'https://portal.example/api/integrations/xero-billing';
const PAYROLL_URL = 'https://portal.example/api/integrations/xero-payroll';
const PAGE = 'https://portal.example/settings?tab=integrations#xero';
const backend = createFakeXeroBackend({ baseUrl: BASE_URL, initial: buildConnection('needsReauthExpired') });
const server = setupServer(...backend.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  backend.reset();
  vi.unstubAllGlobals();
});
afterAll(() => server.close());

/** A window whose address is `href`; `replaceState` changes it, like a browser's. */
function stubPage(href: string) {
  const page = { href };
  const replaceState = vi.fn((_state: unknown, _unused: string, url: string) => void (page.href = url));
  vi.stubGlobal('window', { location: page, history: { state: null, replaceState }, addEventListener() {}, removeEventListener() {} });
  return { page, replaceState };
}

function start(client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false })) {
  const navigate = vi.fn<(url: string) => void>();
  const controller = createXeroConnectionController({ client, navigate });
  const stop = controller.subscribe(() => {});
  return { controller, navigate, stop, client };
}

function until(controller: XeroConnectionController, accept: (snapshot: XeroConnectionSnapshot) => boolean) {
  return vi.waitFor(() => {
    const snapshot = controller.getSnapshot();
    if (!accept(snapshot)) throw new Error('not yet');
    return snapshot;
  });
}

describe('the controller and a reconnect link', () => {
  test('takes the request once, cleans the URL (host parameters and hash kept) and starts nothing', async () => {
    const { page, replaceState } = stubPage(withReconnectRequest(PAGE, BASE_URL));
    const first = start();
    expect(first.controller.getSnapshot().reconnectRequest).toEqual({ integration: BASE_URL });
    expect(page.href).toBe(PAGE);
    // A second controller of the integration (another card) shares the same request object.
    const second = start(first.client);
    expect(second.controller.getSnapshot().reconnectRequest).toBe(first.controller.getSnapshot().reconnectRequest);
    expect(replaceState).toHaveBeenCalledTimes(1);
    await until(first.controller, (snapshot) => snapshot.state.status === 'needs_reauth');
    expect(first.navigate).not.toHaveBeenCalled();
    expect(first.controller.getServerSnapshot().reconnectRequest).toBeNull();
    first.stop();
    second.stop();
  });

  test('a link naming another integration is left on the URL for its own controller', () => {
    const link = withReconnectRequest(PAGE, PAYROLL_URL);
    const { page } = stubPage(link);
    const billing = start();
    expect(billing.controller.getSnapshot().reconnectRequest).toBeNull();
    expect(page.href).toBe(link);
    billing.stop();
  });

  test('an action forgets it, and so does dismissReturnOutcome()', async () => {
    stubPage(withReconnectRequest(PAGE, BASE_URL));
    const { controller, stop } = start();
    expect(controller.getSnapshot().reconnectRequest).not.toBeNull();
    controller.dismissReturnOutcome();
    expect(controller.getSnapshot().reconnectRequest).toBeNull();
    stop();

    stubPage(withReconnectRequest(PAGE, BASE_URL));
    const again = start();
    expect(again.controller.getSnapshot().reconnectRequest).not.toBeNull();
    await again.controller.verify().catch(() => {});
    expect(again.controller.getSnapshot().reconnectRequest).toBeNull();
    again.stop();
  });
});
