import { HttpResponse } from 'msw';

import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, routes, type RouteName } from '../contract';
import { createFakeXeroBackend, type FakeXeroBackend, type FakeXeroBackendOptions } from './fake-backend';
import { buildConnection, buildProblem, demoTenant, secondTenant, type ConnectionFixtureName } from './fixtures';

// Named situations of one integration's backend, each a few calls on the stateful fake: the same
// names in hosts' tests, our tests and Storybook, so "rate_limited" means one thing everywhere.

/** The names of {@link scenarios}. */
export type XeroConnectionScenarioName =
  | 'connected'
  | 'expiring'
  | 'needs_reauth_invalid_grant'
  | 'needs_reauth_revoked'
  | 'tenant_removed_in_xero'
  | 'disconnected'
  | 'rate_limited'
  | 'backend_down'
  | 'slow'
  | 'disconnect_fails_once'
  | 'consent_cancelled'
  | 'contract_violation'
  | 'kept_alive'
  | 'keep_alive_failing'
  | 'choosing_organisation'
  | 'organisation_mismatch'
  | 'consent_covers_two_organisations';

/** One named situation: what it is, and how to put a fake backend into it. */
export interface XeroConnectionScenario {
  /** What the backend does in this scenario, in a sentence. */
  readonly description: string;
  /**
   * Puts `backend` into the scenario: its connection (dated from the backend's clock) and any
   * standing failures, delays or consent choice. Call it on a fresh or {@link FakeXeroBackend.reset} backend.
   */
  readonly setup: (backend: FakeXeroBackend) => void;
}

/** How long every answer takes in the `slow` scenario. */
export const SLOW_SCENARIO_LATENCY_MS = 1_500;

function withConnection(name: ConnectionFixtureName): (backend: FakeXeroBackend) => void {
  return (backend) => backend.setConnection(buildConnection(name, {}, backend.now()));
}

// A 200 whose body breaks the contract: a status the contract does not know, as a backend a major
// version ahead (or a bug) would send. The client rejects it with XeroConnectionContractError.
function contractBreakingAnswer(backend: FakeXeroBackend): () => Response {
  return () =>
    HttpResponse.json(
      { ...buildConnection('connected', {}, backend.now()), status: 'online', tenant: 'Sunrise Care Group' },
      { headers: { [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION } },
    );
}

/**
 * Every named scenario, for hosts' tests, Storybook and our own tests. Apply one with
 * {@link applyScenario}, {@link createScenarioBackend} or `createXeroConnectionHandlers({ scenario })`.
 *
 * @example
 * ```ts
 * const backend = createScenarioBackend('disconnect_fails_once', { baseUrl });
 * server.use(...backend.handlers);
 * ```
 */
export const scenarios: { readonly [Name in XeroConnectionScenarioName]: XeroConnectionScenario } = {
  connected: {
    description: 'Connected to Sunrise Care Group; the refresh token was used two days ago.',
    setup: withConnection('connected'),
  },
  expiring: {
    description: 'Connected, but the refresh token expires in 5 days unless used; verify refreshes it.',
    setup: withConnection('expiring'),
  },
  needs_reauth_invalid_grant: {
    description:
      'Xero answered invalid_grant: the refresh token went unused for 60 days. A disconnect succeeds with remoteRemoved: false.',
    setup: withConnection('needsReauthExpired'),
  },
  needs_reauth_revoked: {
    description: 'The refresh token was revoked in Xero; the user must authorise again.',
    setup: withConnection('needsReauthRevoked'),
  },
  tenant_removed_in_xero: {
    description: 'The organisation removed the app in Xero (Settings › Connected apps).',
    setup: withConnection('tenantRemovedInXero'),
  },
  disconnected: {
    description: 'Not connected: the user disconnected. Connect → Xero → callback connects the demo organisation.',
    setup: withConnection('disconnected'),
  },
  rate_limited: {
    description:
      'The backend could not check Xero because of Xero’s rate limits: the connection reports error/rate_limited, and verify answers 429 XERO_RATE_LIMITED with retryAfterSeconds: 60.',
    setup: (backend) => {
      withConnection('rateLimited')(backend);
      backend.failEvery('verify', buildProblem('XERO_RATE_LIMITED', { retryAfterSeconds: 60 }));
    },
  },
  backend_down: {
    description: 'The portal’s backend cannot be reached: every endpoint fails with a network error.',
    setup: (backend) => {
      for (const endpoint of Object.keys(routes) as RouteName[]) backend.failEvery(endpoint, 'network_error');
    },
  },
  slow: {
    description: `Connected, but every answer takes ${SLOW_SCENARIO_LATENCY_MS} ms: loading and pending states stay on screen.`,
    setup: (backend) => {
      withConnection('connected')(backend);
      backend.setLatency(SLOW_SCENARIO_LATENCY_MS);
    },
  },
  disconnect_fails_once: {
    description:
      'After invalid_grant, the first disconnect fails with 503 XERO_UNAVAILABLE; trying again succeeds.',
    setup: (backend) => {
      withConnection('needsReauthExpired')(backend);
      backend.failNext('disconnect', 'XERO_UNAVAILABLE');
    },
  },
  consent_cancelled: {
    description:
      'Not connected, and the user chooses Cancel on Xero’s consent screen: the callback answers XERO_ACCESS_DENIED and the return is ?xero=error&code=XERO_ACCESS_DENIED.',
    setup: (backend) => {
      withConnection('disconnected')(backend);
      backend.setConsent('deny');
    },
  },
  contract_violation: {
    description: 'GET /connection answers 200 with a body that breaks the contract (an unknown status).',
    setup: (backend) => {
      withConnection('connected')(backend);
      backend.failEvery('getConnection', contractBreakingAnswer(backend));
    },
  },
  kept_alive: {
    description: 'Connected, and the backend’s keep-alive refreshed the token two days ago: no expiry warning.',
    setup: withConnection('keptAlive'),
  },
  keep_alive_failing: {
    description: 'Keep-alive is on but its last refresh failed (Xero unavailable); the token expires in 5 days.',
    setup: withConnection('keepAliveFailing'),
  },
  choosing_organisation: {
    description: `The consent covered ${demoTenant.tenantName} and ${secondTenant.tenantName}: the user must choose one (contract 1.1).`,
    setup: (backend) => {
      withConnection('choosingOrganisation')(backend);
      backend.setGrantedOrganisations([demoTenant, secondTenant]);
    },
  },
  organisation_mismatch: {
    description: `A reconnect expected ${demoTenant.tenantName} but Xero connected ${secondTenant.tenantName}: keep it or try again.`,
    setup: (backend) => {
      withConnection('organisationMismatch')(backend);
      backend.setGrantedOrganisations([secondTenant]);
    },
  },
  consent_covers_two_organisations: {
    description: `Not connected; on Xero's consent screen the user ticks ${demoTenant.tenantName} and ${secondTenant.tenantName}, so the card asks which one to use.`,
    setup: (backend) => {
      withConnection('neverConnected')(backend);
      backend.setGrantedOrganisations([demoTenant, secondTenant]);
    },
  },
};

/** The scenario names, in the order {@link scenarios} lists them. */
export const SCENARIO_NAMES = Object.keys(scenarios) as XeroConnectionScenarioName[];

/** Puts `backend` into the named scenario (see {@link scenarios}). */
export function applyScenario(backend: FakeXeroBackend, name: XeroConnectionScenarioName): FakeXeroBackend {
  const scenario = (scenarios as Partial<Record<string, XeroConnectionScenario>>)[name];
  if (!scenario) {
    throw new Error(`Unknown scenario ${JSON.stringify(name)}. Known scenarios: ${SCENARIO_NAMES.join(', ')}.`);
  }
  scenario.setup(backend);
  return backend;
}

/** A fresh fake backend already in the named scenario. */
export function createScenarioBackend(name: XeroConnectionScenarioName, options: FakeXeroBackendOptions): FakeXeroBackend {
  return applyScenario(createFakeXeroBackend(options), name);
}
