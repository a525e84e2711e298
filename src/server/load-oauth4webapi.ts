import type * as OAuth4WebApi from 'oauth4webapi';

import { XeroConnectionConfigurationError } from './xero-error';

/** The oauth4webapi module, as `import * as oauth from 'oauth4webapi'` would give it. */
export type OAuth4WebApiModule = typeof OAuth4WebApi;

let loading: Promise<OAuth4WebApiModule> | null = null;

/**
 * oauth4webapi, loaded on first use. It is an optional peer dependency (only `./server` needs it,
 * so a browser install of the package does not pull it): where it is missing, importing
 * `./server` still works and the first OAuth step fails with an error naming what to install,
 * as `pg` and `better-sqlite3` do. A failed load is forgotten, so installing it needs no restart
 * of anything but this module's callers.
 */
export function loadOAuth4WebApi(): Promise<OAuth4WebApiModule> {
  loading ??= import('oauth4webapi').catch((cause: unknown) => {
    loading = null;
    throw new XeroConnectionConfigurationError(
      '@carevision/xero-connection/server needs the optional peer dependency oauth4webapi (3.x): npm install oauth4webapi@^3.8.8',
      { cause },
    );
  });
  return loading;
}
