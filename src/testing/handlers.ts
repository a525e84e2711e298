import type { HttpHandler } from 'msw';

import type { FakeXeroBackendOptions } from './fake-backend';
import { createScenarioBackend, type XeroConnectionScenarioName } from './scenarios';

/** Options of {@link createXeroConnectionHandlers}. */
export interface XeroConnectionHandlersOptions extends Omit<FakeXeroBackendOptions, 'initial'> {
  /** The situation the handlers start in. Default `connected`: the happy path. */
  scenario?: XeroConnectionScenarioName;
}

/**
 * msw handlers for every endpoint of the contract (one per entry of the contract's `routes`
 * table), answering like a working backend: the happy path to put in `setupServer(...)` or
 * `setupWorker(...)`, with error cases as `server.use(...)` overrides in the tests that need them.
 *
 * The handlers share one in-memory connection, so a disconnect changes what the next
 * `GET /connection` answers. For control over that state (failures, requests received, Xero's
 * consent screen) use {@link createScenarioBackend} or `createFakeXeroBackend` and their `handlers`.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createXeroConnectionHandlers } from '@carevision/xero-connection/testing';
 *
 * const server = setupServer(...createXeroConnectionHandlers({ baseUrl: 'http://localhost/api/integrations/xero-billing' }));
 * ```
 */
export function createXeroConnectionHandlers(options: XeroConnectionHandlersOptions): HttpHandler[] {
  const { scenario = 'connected', ...backendOptions } = options;
  return [...createScenarioBackend(scenario, backendOptions).handlers];
}
