/** Where the handler talks to Xero. Every URL is overridable, so tests and the demo can use the local emulator. */
export interface XeroEndpoints {
  /** The consent screen the browser is sent to. */
  authorizationEndpoint: string;
  /** Code exchange and refresh (`POST`, form-encoded, client_secret_basic). */
  tokenEndpoint: string;
  /** RFC 7009 revocation of the refresh token. */
  revocationEndpoint: string;
  /** `GET` lists the user's tenants; `DELETE {connectionsUrl}/{id}` removes one. */
  connectionsUrl: string;
  /** The `iss` oauth4webapi checks responses against. */
  issuer: string;
  /**
   * The origin of Xero's APIs (Accounting `/api.xro/2.0/…`, Payroll `/payroll.xro/…`): relative
   * paths given to `handler.xeroFetch` resolve against it, and absolute URLs must be on it (the
   * access token is never sent anywhere else).
   */
  apiBaseUrl: string;
}

/** Xero's production endpoints. */
export const XERO_ENDPOINTS: XeroEndpoints = {
  authorizationEndpoint: 'https://login.xero.com/identity/connect/authorize',
  tokenEndpoint: 'https://identity.xero.com/connect/token',
  revocationEndpoint: 'https://identity.xero.com/connect/revocation',
  connectionsUrl: 'https://api.xero.com/connections',
  issuer: 'https://identity.xero.com',
  apiBaseUrl: 'https://api.xero.com',
};

/** Xero's endpoints with the given overrides. */
export function resolveXeroEndpoints(overrides: Partial<XeroEndpoints> = {}): XeroEndpoints {
  return { ...XERO_ENDPOINTS, ...overrides };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether every endpoint is https, or http on loopback only (the emulator). Plain http anywhere
 * else would send the client secret and tokens in clear, so it is refused when the handler is made.
 */
export function usesLoopbackHttp(endpoints: XeroEndpoints): boolean {
  const urls = [endpoints.authorizationEndpoint, endpoints.tokenEndpoint, endpoints.revocationEndpoint, endpoints.connectionsUrl, endpoints.apiBaseUrl];
  let loopbackHttp = false;
  for (const raw of urls) {
    const url = new URL(raw);
    if (url.protocol === 'https:') continue;
    if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
      loopbackHttp = true;
      continue;
    }
    throw new TypeError(`createXeroConnectionHandler: ${raw} must be https (plain http is accepted on loopback only).`);
  }
  return loopbackHttp;
}
