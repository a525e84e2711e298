import { generateKeyPair, randomBytes, randomUUID, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

import { type Interaction, type Middleware, Provider } from 'oidc-provider';

import { EmulatedStore } from './emulated-store';
import { escapeHtml, htmlPage } from './pages';

// Xero's identity server, played by oidc-provider 8: the client, the paths, the scopes, the token
// format and lifetimes, and the few places where Xero answers differently from the library's
// defaults (see xeroProtocol below). Everything stateful goes through EmulatedStore, on the
// emulator's clock.

/** Xero's paths (identity.xero.com and login.xero.com share the emulator's origin). */
export const IDENTITY_PATHS = {
  authorization: '/identity/connect/authorize',
  token: '/connect/token',
  revocation: '/connect/revocation',
  jwks: '/.well-known/openid-configuration/jwks',
  /** The consent page of one interaction: `${consent}/{uid}`. Xero's own is under /identity too. */
  consent: '/identity/connect/consent',
} as const;

/** The Xero user who signs in on the consent page. */
export const EMULATED_USER = 'emulated-xero-user';

/** The audience of Xero's access tokens (their `aud` claim). */
const XERO_API = 'https://identity.xero.com/resources';

const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

// Xero's API scopes (developer.xero.com/documentation/guides/oauth2/scopes). `offline_access` is
// listed too: Xero puts it in the access token's and the token response's `scope`, and
// oidc-provider only reports the resource server's scopes there.
const XERO_API_SCOPES = new Set([
  'offline_access',
  ...['transactions', 'invoices', 'payments', 'banktransactions', 'manualjournals', 'settings', 'contacts', 'attachments'].flatMap(
    (area) => [`accounting.${area}`, `accounting.${area}.read`],
  ),
  ...['', '.aged', '.balancesheet', '.banksummary', '.budgetsummary', '.executivesummary', '.profitandloss', '.trialbalance', '.taxreports', '.tenninetynine'].map(
    (report) => `accounting.reports${report}.read`,
  ),
  'accounting.journals.read',
  'accounting.budgets.read',
  ...['employees', 'timesheets', 'payruns', 'payslip', 'settings'].flatMap((area) => [`payroll.${area}`, `payroll.${area}.read`]),
  ...['files', 'assets', 'projects'].flatMap((area) => [area, `${area}.read`]),
  'bankfeeds',
  'paymentservices',
  'finance.accountingactivity.read',
  'finance.bankstatementsplus.read',
  'finance.cashvalidation.read',
  'finance.statements.read',
  'app.connections',
  'marketplace.billing',
]);

/** Authorization codes live 5 minutes on the emulated clock, like Xero's. */
const CODE_LIFETIME_MS = 5 * 60_000;

/**
 * A refresh token stays usable this long after its first use, on the emulated clock (Xero's FAQ:
 * a client whose refresh answer was lost may retry the old token for 30 minutes, as many times as
 * needed); each use in the window issues a new token set. After it: invalid_grant, for good.
 */
export const REFRESH_TOKEN_REUSE_WINDOW_MS = 30 * 60_000;

/** Real-time TTL for what the emulated clock governs: ten years, so oidc-provider never expires it first. */
const FAR_SECONDS = 10 * 365 * 86_400;

export interface IdentityProviderOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeMs: number;
  now: () => Date;
}

/** Whose an access token is: its grant and the Xero user who consented. */
export interface TokenHolder {
  grantId: string;
  userId: string;
}

export interface IdentityProvider {
  readonly provider: Provider;
  readonly store: EmulatedStore;
  /**
   * The grant an access token was issued under and its Xero user, or `null` when it is forged,
   * expired (emulated clock) or its grant is revoked.
   */
  holderOfAccessToken(accessToken: string): Promise<TokenHolder | null>;
  /** Grants what `interaction` asked for, to the Xero user `userId`, and answers the grant's id. */
  grantRequested(interaction: Interaction, userId: string): Promise<string>;
  /** The authorisation event (a UUID, as Xero's `authEventId`) of a grant. */
  authEventOf(grantId: string): string;
}

export async function createIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const now = () => options.now().getTime();
  const store = new EmulatedStore(now, {
    dead(model, entry, at) {
      // A rotated (spent) refresh token works for 30 minutes after its first use, then is unknown:
      // invalid_grant, and the grant lives on. oidc-provider never sees it consumed (its reuse
      // detection would revoke the whole grant; Xero does not).
      if (model === 'RefreshToken') {
        const spent = entry.consumedAt !== undefined && at - entry.consumedAt >= REFRESH_TOKEN_REUSE_WINDOW_MS;
        return spent || at - entry.savedAt >= options.refreshTokenLifetimeMs;
      }
      if (model === 'AuthorizationCode') return at - entry.savedAt >= CODE_LIFETIME_MS;
      return false;
    },
    consumedQuietly: new Set(['RefreshToken']),
  });

  // Xero's authEventId is a UUID; oidc-provider's grant ids are not. One authorisation event per
  // grant (one Grant per Allow), named by a UUID made when first asked.
  const authEvents = new Map<string, string>();
  const authEventOf = (grantId: string): string => {
    let id = authEvents.get(grantId);
    if (id === undefined) {
      id = randomUUID();
      authEvents.set(grantId, id);
    }
    return id;
  };

  // A signing key made at start: access tokens are JWTs, as Xero's are (the handler reads their
  // authentication_event_id). EC P-256 because RSA key generation costs ~300 ms per emulator.
  const { publicKey, privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'emulator-signing-key', use: 'sig', alg: 'ES256' };

  const provider = new Provider(options.issuer, {
    adapter: (model) => store.adapter(model),
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [jwk] },
    // Lax, not None: None without Secure is refused by browsers on this plain-http loopback origin.
    cookies: { keys: [randomBytes(32).toString('base64url')], long: { httpOnly: true, sameSite: 'lax' }, short: { httpOnly: true, sameSite: 'lax' } },
    routes: { authorization: IDENTITY_PATHS.authorization, token: IDENTITY_PATHS.token, revocation: IDENTITY_PATHS.revocation, jwks: IDENTITY_PATHS.jwks },
    scopes: OIDC_SCOPES,
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    rotateRefreshToken: true,
    // Xero compares the redirect_uri of the token request too, even with one registered.
    allowOmittingSingleRegisteredRedirectUri: false,
    clientBasedCORS: () => false,
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, xero_userid: sub }) }),
    // The authorisation event is the consent: one Grant per Allow, named by its UUID.
    extraTokenClaims: async (_ctx, token) => ({
      xero_userid: token.accountId,
      ...(token.grantId === undefined ? {} : { authentication_event_id: authEventOf(token.grantId) }),
    }),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    interactions: { url: async (_ctx, interaction) => `${IDENTITY_PATHS.consent}/${interaction.uid}` },
    ttl: {
      AccessToken: options.accessTokenLifetimeSeconds,
      AuthorizationCode: FAR_SECONDS,
      RefreshToken: FAR_SECONDS,
      Grant: FAR_SECONDS,
      Session: FAR_SECONDS,
      Interaction: 3600,
      IdToken: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      // Resource indicators are how oidc-provider issues JWT access tokens: every request is
      // for Xero's API unless it says otherwise.
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => XERO_API,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: [...XERO_API_SCOPES].join(' '),
          audience: XERO_API,
          accessTokenTTL: options.accessTokenLifetimeSeconds,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });

  // Structured access tokens are not stored by oidc-provider: note each one as it is issued, with
  // the emulated time, so /connections can tell a live one from an expired or revoked one.
  const issued = new Map<string, { grantId: string; issuedAt: number }>();
  provider.on('access_token.issued', (token: { jti: string; grantId?: string }) => {
    if (token.grantId !== undefined) issued.set(token.jti, { grantId: token.grantId, issuedAt: now() });
  });

  return {
    provider,
    store,
    async holderOfAccessToken(accessToken) {
      const jti = verifiedJti(accessToken, publicKey, options.issuer);
      const record = jti === null ? undefined : issued.get(jti);
      if (record === undefined || record.issuedAt + options.accessTokenLifetimeSeconds * 1000 <= now()) return null;
      const grant = await provider.Grant.find(record.grantId);
      return grant === undefined ? null : { grantId: record.grantId, userId: grant.accountId ?? EMULATED_USER };
    },
    async grantRequested(interaction, userId) {
      const requested = String(interaction.params.scope ?? '').split(' ');
      const grant = new provider.Grant({ accountId: userId, clientId: String(interaction.params.client_id) });
      const oidc = requested.filter((scope) => OIDC_SCOPES.includes(scope));
      const api = requested.filter((scope) => XERO_API_SCOPES.has(scope));
      if (oidc.length > 0) grant.addOIDCScope(oidc.join(' '));
      if (api.length > 0) grant.addResourceScope(XERO_API, api.join(' '));
      return grant.save();
    },
    authEventOf,
  };
}

/**
 * Where Xero answers differently from oidc-provider's defaults. Registered with `provider.use`,
 * so it wraps every route of the library.
 */
export function xeroProtocol(onRefreshTokenRevoked: (userId: string) => void): Middleware {
  return async (ctx, next) => {
    // OIDC drops offline_access unless prompt=consent (and oidc-provider follows it); Xero issues
    // the refresh token without it, and shows its consent page on every authorisation anyway.
    if (ctx.method === 'GET' && ctx.path === IDENTITY_PATHS.authorization && ctx.query.prompt === undefined) {
      ctx.query = { ...ctx.query, prompt: 'consent' };
    }
    await next();
    if (ctx.path !== IDENTITY_PATHS.token && ctx.path !== IDENTITY_PATHS.revocation) return;
    // Xero's errors carry no error_description (and no WWW-Authenticate challenge, which would
    // make a client see a challenge instead of the error): 400 {"error":"invalid_grant"}.
    ctx.remove('WWW-Authenticate');
    const body = ctx.body;
    if (typeof body === 'object' && body !== null && 'error' in body) ctx.body = { error: body.error };
    // Revoking a refresh token removes all of the user's connections to the app (XERO.md).
    const revoked = ctx.oidc?.entities.RefreshToken;
    if (ctx.path === IDENTITY_PATHS.revocation && ctx.status === 200 && revoked !== undefined) onRefreshTokenRevoked(revoked.accountId ?? EMULATED_USER);
  };
}

/** The `jti` of an access token signed by this emulator for this issuer, or `null`. */
function verifiedJti(token: string, publicKey: KeyObject, issuer: string): string | null {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) return null;
  const signed = verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!signed) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; jti?: unknown };
    return claims.iss === issuer && typeof claims.jti === 'string' ? claims.jti : null;
  } catch {
    return null;
  }
}

function errorPage(out: Record<string, unknown>): string {
  const details = Object.entries(out)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
    .join('');
  return htmlPage('Xero emulator: error', `<h1>Xero could not handle this request</h1><dl>${details}</dl>`);
}
