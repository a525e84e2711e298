import { callbackRequestSchema, chooseOrganisationRequestSchema, connectRequestSchema, connectResponseSchema } from './connect';
import { connectionSchema } from './connection';
import { disconnectResponseSchema } from './disconnect';
import type { ErrorCode } from './error-codes';

/**
 * Who may call a route: `member`, any signed-in member of the account (a viewer); `manager`,
 * only one who may manage the integration (`canManage`), else `FORBIDDEN`.
 */
export type RouteAccess = 'member' | 'manager';

/** What every entry of {@link routes} declares. */
export interface RouteDefinition {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the integration's base URL. */
  path: string;
  /** The request body's schema; `null` for none. */
  body: unknown;
  /** The 200 answer's schema. */
  response: unknown;
  summary: string;
  access: RouteAccess;
  /** The contract's error codes the route answers as problems (protocol refusals aside). */
  errors: readonly ErrorCode[];
}

// Every route answers these when its caller is not signed in, or not allowed.
const CALLER_ERRORS = ['UNAUTHENTICATED', 'FORBIDDEN'] as const satisfies readonly ErrorCode[];

/**
 * Every JSON endpoint of the contract, relative to the integration's base URL. Plain data, so the
 * client, the OpenAPI document and backends all read the same table: its method and path, its
 * body and answer, who may call it (`access`) and the error codes it answers as problems
 * (`errors`, besides the protocol's own: 405, and for writes the `Idempotency-Key` refusals and
 * 413/415). The reference backend routes from it; the OpenAPI document's responses are made from
 * it, and a test provokes every listed code from the reference backend.
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
    access: 'member',
    errors: [...CALLER_ERRORS, 'XERO_RATE_LIMITED', 'INTERNAL', 'XERO_UNAVAILABLE'],
  },
  connect: {
    method: 'POST',
    path: '/connect',
    body: connectRequestSchema,
    response: connectResponseSchema,
    summary: 'Start a connect round trip through Xero’s consent screen',
    access: 'manager',
    errors: ['VALIDATION_FAILED', ...CALLER_ERRORS, 'XERO_RATE_LIMITED', 'INTERNAL'],
  },
  completeCallback: {
    method: 'POST',
    path: '/callback',
    body: callbackRequestSchema,
    response: connectionSchema,
    summary: 'Finish a round trip whose redirect the host routed to a page of its own',
    access: 'manager',
    errors: [
      'VALIDATION_FAILED',
      'XERO_INVALID_GRANT',
      'STATE_MISMATCH',
      ...CALLER_ERRORS,
      'XERO_FORBIDDEN',
      'XERO_TENANT_MISMATCH',
      'XERO_CONNECTION_LIMIT',
      'CONNECT_SESSION_EXPIRED',
      'XERO_RATE_LIMITED',
      'INTERNAL',
      'XERO_INVALID_CLIENT',
      'XERO_UNAUTHORIZED_CLIENT',
      'XERO_INVALID_SCOPE',
      'XERO_UNAVAILABLE',
    ],
  },
  disconnect: {
    method: 'DELETE',
    path: '/connection',
    body: null,
    response: disconnectResponseSchema,
    summary: 'Disconnect (idempotent; succeeds when the tokens are already dead)',
    access: 'manager',
    errors: [...CALLER_ERRORS, 'XERO_RATE_LIMITED', 'INTERNAL', 'XERO_UNAVAILABLE'],
  },
  verify: {
    method: 'POST',
    path: '/connection/verify',
    body: null,
    response: connectionSchema,
    summary: 'Refresh or probe Xero now and report the connection',
    access: 'member',
    errors: [...CALLER_ERRORS, 'XERO_RATE_LIMITED', 'INTERNAL', 'XERO_UNAVAILABLE'],
  },
  chooseOrganisation: {
    method: 'POST',
    path: '/connection/organisation',
    body: chooseOrganisationRequestSchema,
    response: connectionSchema,
    summary: 'Link the chosen organisation and disconnect the others in Xero (contract 1.1)',
    access: 'manager',
    errors: ['VALIDATION_FAILED', 'XERO_INVALID_GRANT', ...CALLER_ERRORS, 'XERO_TENANT_NOT_FOUND', 'XERO_RATE_LIMITED', 'INTERNAL', 'XERO_UNAVAILABLE'],
  },
} as const satisfies Record<string, RouteDefinition>;

/**
 * `GET /callback`, Xero's redirect target (not in {@link routes}: the client never calls it). It
 * answers a problem itself only when there is no trustworthy `returnTo` to go back to
 * (`errors`), and otherwise redirects to `returnTo` with one of `redirectErrors` on failure.
 */
export const xeroRedirectRoute = {
  method: 'GET',
  path: '/callback',
  access: 'manager',
  errors: ['STATE_MISMATCH', ...CALLER_ERRORS],
  redirectErrors: [
    'XERO_ACCESS_DENIED',
    'XERO_INVALID_GRANT',
    'STATE_MISMATCH',
    'CONNECT_SESSION_EXPIRED',
    'XERO_TENANT_MISMATCH',
    'XERO_CONNECTION_LIMIT',
    'XERO_FORBIDDEN',
    'XERO_INVALID_CLIENT',
    'XERO_UNAUTHORIZED_CLIENT',
    'XERO_INVALID_SCOPE',
    'XERO_RATE_LIMITED',
    'XERO_UNAVAILABLE',
    'UNAUTHENTICATED',
    'INTERNAL',
  ],
} as const satisfies { method: 'GET'; path: string; access: RouteAccess; errors: readonly ErrorCode[]; redirectErrors: readonly ErrorCode[] };

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
