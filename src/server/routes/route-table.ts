import { routes, xeroRedirectRoute, type RouteName } from '../../contract';
import type { RouteRun } from './handler-core';

/** One method of one path: who may call it, and what answers it. */
export interface RouteEndpoint {
  /** `true` when only a caller who may manage the integration may call it (the route's `access`). */
  manage: boolean;
  run: RouteRun;
}

/**
 * The reference backend's routing, made from the contract's `routes` table (and `GET /callback`,
 * Xero's redirect): path → method → endpoint. Every route of the contract must have an
 * implementation (the type says so), and who may call it is the contract's `access`, not a
 * second list kept here.
 */
export function routeTable(implementations: Record<RouteName, RouteRun>, xeroRedirect: RouteRun): ReadonlyMap<string, ReadonlyMap<string, RouteEndpoint>> {
  const table = new Map<string, Map<string, RouteEndpoint>>();
  const add = (path: string, method: string, endpoint: RouteEndpoint) => {
    const methods = table.get(path) ?? new Map<string, RouteEndpoint>();
    methods.set(method, endpoint);
    table.set(path, methods);
  };
  for (const name of Object.keys(routes) as RouteName[]) {
    const route = routes[name];
    add(route.path, route.method, { manage: route.access === 'manager', run: implementations[name] });
  }
  add(xeroRedirectRoute.path, xeroRedirectRoute.method, { manage: xeroRedirectRoute.access === 'manager', run: xeroRedirect });
  return table;
}
