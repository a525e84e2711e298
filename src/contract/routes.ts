import { callbackRequestSchema, chooseOrganisationRequestSchema, connectRequestSchema, connectResponseSchema } from './connect';
import { connectionSchema } from './connection';
import { disconnectResponseSchema } from './disconnect';

/**
 * Every JSON endpoint of the contract, relative to the integration's base URL. Plain data, so the
 * client, the OpenAPI document and backends all read the same table.
 *
 * `GET /callback` is not here: it is Xero's redirect target, answered with a 302 to `returnTo`,
 * never called by the client. The OpenAPI document describes it.
 */
export const routes = {
  getConnection: {
    method: 'GET',
    path: '/connection',
    body: null,
    response: connectionSchema,
    summary: 'Read the connection’s status',
  },
  connect: {
    method: 'POST',
    path: '/connect',
    body: connectRequestSchema,
    response: connectResponseSchema,
    summary: 'Start a connect round trip through Xero’s consent screen',
  },
  completeCallback: {
    method: 'POST',
    path: '/callback',
    body: callbackRequestSchema,
    response: connectionSchema,
    summary: 'Finish a round trip whose redirect the host routed to a page of its own',
  },
  disconnect: {
    method: 'DELETE',
    path: '/connection',
    body: null,
    response: disconnectResponseSchema,
    summary: 'Disconnect (idempotent; succeeds when the tokens are already dead)',
  },
  verify: {
    method: 'POST',
    path: '/connection/verify',
    body: null,
    response: connectionSchema,
    summary: 'Refresh or probe Xero now and report the connection',
  },
  chooseOrganisation: {
    method: 'POST',
    path: '/connection/organisation',
    body: chooseOrganisationRequestSchema,
    response: connectionSchema,
    summary: 'Link the chosen organisation and disconnect the others in Xero (contract 1.1)',
  },
} as const;

/** The name of a contract endpoint: a key of {@link routes}. */
export type RouteName = keyof typeof routes;

/** `"GET /connection"`: how errors name an endpoint. */
export type RouteLabel = {
  [K in RouteName]: `${(typeof routes)[K]['method']} ${(typeof routes)[K]['path']}`;
}[RouteName];

/** The label errors use for an endpoint, e.g. `"DELETE /connection"`. */
export function routeLabel(name: RouteName): RouteLabel {
  const route = routes[name];
  return `${route.method} ${route.path}` as RouteLabel;
}
