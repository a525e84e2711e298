// `@carevision/xero-connection/testing`: fixtures, msw handlers, named scenarios and a stateful
// fake backend, for hosts' tests and Storybook. No React; msw (an optional peer dependency of
// this entry only) is the one library it needs.
export {
  CONNECTION_FIXTURE_NAMES,
  FIXTURE_NOW,
  buildConnection,
  buildProblem,
  demoTenant,
  secondTenant,
  type ConnectionField,
  type ConnectionFixtureName,
} from './fixtures';
export {
  FAKE_AUTHORIZE_ORIGIN,
  createFakeXeroBackend,
  type FakeConnectSession,
  type FakeConsent,
  type FakeFailure,
  type FakeRequest,
  type FakeXeroBackend,
  type FakeXeroBackendOptions,
} from './fake-backend';
export {
  SCENARIO_NAMES,
  SLOW_SCENARIO_LATENCY_MS,
  applyScenario,
  createScenarioBackend,
  scenarios,
  type XeroConnectionScenario,
  type XeroConnectionScenarioName,
} from './scenarios';
export { createXeroConnectionHandlers, type XeroConnectionHandlersOptions } from './handlers';
