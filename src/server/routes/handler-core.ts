import type { Connection } from '../../contract';
import type { AuthenticatedCaller } from '../create-handler';
import type { ConnectionKey, ConnectionStore, StoredConnection } from '../connection-store';
import type { XeroOAuth } from '../oauth';
import type { KeyedLock, Refresher } from '../refresher';
import type { CheckTenantLocked } from '../tenant-check';

// What every route of the reference backend is given: the handler's parts (one of each per
// handler, made in create-handler.ts) and, per request, who is calling for which connection.

/** One request, once its caller is known and allowed on the route. */
export interface RequestContext {
  request: Request;
  url: URL;
  caller: Required<AuthenticatedCaller>;
  key: ConnectionKey;
  /** The contract minor the request's `Accept` announces: 0 for a 1.0 client. */
  contractMinor: number;
}

/** A route's implementation. */
export type RouteRun = (ctx: RequestContext) => Promise<Response>;

/** The handler's parts the routes share. */
export interface HandlerCore {
  store: ConnectionStore;
  /** The per-connection lock all token work runs under (this process's, then the store's). */
  lock: KeyedLock;
  refresher: Refresher;
  oauth: XeroOAuth;
  clock: () => Date;
  onError: (error: unknown) => void;
  checkTenantLocked: CheckTenantLocked;
  /** The stored record as the contract reports it to a client of `contractMinor`. */
  view(stored: StoredConnection | null, contractMinor: number): Connection;
  allowedReturnOrigins: readonly string[];
  sessionTtlMs: number;
}
