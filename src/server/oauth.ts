import type * as oauth from 'oauth4webapi';

import { loadOAuth4WebApi, type OAuth4WebApiModule } from './load-oauth4webapi';

import { codeForOAuthError } from '../contract/round-trip-rules';
import { errorForXeroStatus, XeroConnectionHandlerError } from './xero-error';
import { usesLoopbackHttp, type XeroEndpoints } from './xero-endpoints';
import { networkFailure } from './xero-http';

/** Tokens from Xero's token endpoint. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scopes: string[];
}

/** The OAuth side of the handler: every protocol step goes through oauth4webapi. */
export interface XeroOAuth {
  readonly endpoints: XeroEndpoints;
  authorizeUrl(input: { state: string; codeChallenge: string }): string;
  exchangeCode(callbackParams: URLSearchParams, expectedState: string, codeVerifier: string): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  revoke(refreshToken: string): Promise<void>;
  /** Xero's resource calls (`/connections`): plain fetch with the bearer token. */
  fetchXero(url: string, init: { method: 'GET' | 'DELETE'; accessToken: string }): Promise<Response>;
}

/** Options of {@link createXeroOAuth}. */
export interface XeroOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  endpoints: XeroEndpoints;
  fetch: typeof globalThis.fetch;
  clock: () => Date;
}

/** The scopes to request: the host's, plus `offline_access` (no refresh token without it), once each. */
export function requestedScopes(scopes: readonly string[]): string[] {
  return [...new Set(['offline_access', ...scopes])];
}

export function createXeroOAuth(options: XeroOAuthOptions): XeroOAuth {
  const { endpoints } = options;
  const server: oauth.AuthorizationServer = {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorizationEndpoint,
    token_endpoint: endpoints.tokenEndpoint,
    revocation_endpoint: endpoints.revocationEndpoint,
  };
  const client: oauth.Client = { client_id: options.clientId };
  // Checked now, when the handler is made: plain http off loopback is refused at once.
  const loopbackHttp = usesLoopbackHttp(endpoints);
  // What needs oauth4webapi itself is made on first use (an optional peer, loaded lazily).
  const loaded = loadOAuth4WebApi().then((lib) => ({
    lib,
    clientAuth: lib.ClientSecretBasic(options.clientSecret),
    requestOptions: { [lib.customFetch]: options.fetch, [lib.allowInsecureRequests]: loopbackHttp },
  }));
  // Not left unhandled when no OAuth step ever runs: each step awaits it and meets the error then.
  loaded.catch(() => {});
  const scope = requestedScopes(options.scopes).join(' ');

  async function readTokens(lib: OAuth4WebApiModule, response: Response, process: () => Promise<oauth.TokenEndpointResponse>, what: string): Promise<TokenSet> {
    // Rate limits and outages are not OAuth error bodies: tell them apart before oauth4webapi does.
    if (response.status === 429 || response.status >= 500) throw errorForXeroStatus(response, options.clock(), what);
    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await process();
    } catch (error) {
      throw toHandlerError(lib, error, what);
    }
    if (tokens.refresh_token === undefined) {
      throw new XeroConnectionHandlerError('XERO_INVALID_SCOPE', `Xero returned no refresh token (${what}): offline_access missing`);
    }
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresInSeconds: tokens.expires_in ?? 1800,
      scopes: typeof tokens.scope === 'string' ? tokens.scope.split(' ').filter(Boolean) : requestedScopes(options.scopes),
    };
  }

  return {
    endpoints,
    authorizeUrl({ state, codeChallenge }) {
      const url = new URL(endpoints.authorizationEndpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('redirect_uri', options.redirectUri);
      url.searchParams.set('scope', scope);
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      return url.href;
    },
    async exchangeCode(callbackParams, expectedState, codeVerifier) {
      const { lib, clientAuth, requestOptions } = await loaded;
      let params: URLSearchParams;
      try {
        params = lib.validateAuthResponse(server, client, callbackParams, expectedState);
      } catch (error) {
        if (error instanceof lib.AuthorizationResponseError) throw toHandlerError(lib, error, 'authorization response');
        throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The authorization response from Xero is malformed', { cause: error });
      }
      const response = await network('token endpoint', () =>
        lib.authorizationCodeGrantRequest(server, client, clientAuth, params, options.redirectUri, codeVerifier, requestOptions),
      );
      return readTokens(lib, response, () => lib.processAuthorizationCodeResponse(server, client, response), 'code exchange');
    },
    async refresh(refreshToken) {
      const { lib, clientAuth, requestOptions } = await loaded;
      const response = await network('token endpoint', () => lib.refreshTokenGrantRequest(server, client, clientAuth, refreshToken, requestOptions));
      return readTokens(lib, response, () => lib.processRefreshTokenResponse(server, client, response), 'refresh');
    },
    async revoke(refreshToken) {
      const { lib, clientAuth, requestOptions } = await loaded;
      const response = await network('revocation endpoint', () => lib.revocationRequest(server, client, clientAuth, refreshToken, requestOptions));
      if (response.status === 429 || response.status >= 500) throw errorForXeroStatus(response, options.clock(), 'revocation');
      try {
        await lib.processRevocationResponse(response);
      } catch (error) {
        throw toHandlerError(lib, error, 'revocation');
      }
    },
    fetchXero(url, { method, accessToken }) {
      return network('Xero API', () =>
        options.fetch(url, { method, headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }),
      );
    },
  };
}

async function network<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new XeroConnectionHandlerError('XERO_UNAVAILABLE', `Xero ${networkFailure(error)} (${what})`, { cause: error });
  }
}

function toHandlerError(lib: OAuth4WebApiModule, error: unknown, what: string): XeroConnectionHandlerError {
  if (error instanceof XeroConnectionHandlerError) return error;
  if (error instanceof lib.ResponseBodyError || error instanceof lib.AuthorizationResponseError) {
    // Descriptions are not parsed (Xero sends none for invalid_grant); the code is what counts, read
    // with the contract's one table (the browser's completeXeroConnection reads the same).
    return new XeroConnectionHandlerError(codeForOAuthError(error.error), `Xero answered ${error.error} (${what})`, { cause: error });
  }
  return new XeroConnectionHandlerError('XERO_UNAVAILABLE', `Xero's answer could not be read (${what})`, { cause: error });
}
