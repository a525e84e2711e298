import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { XeroEndpoints } from '../xero-endpoints';

// A local stand-in for Xero's identity server and its /connections API, on loopback, for
// development, the demo and the tests. It keeps Xero's paths and error bodies (400
// {"error":"invalid_grant"}, no description), rotates refresh tokens, lets a refresh token expire
// after its lifetime unused on a clock the test advances, and can play "the organisation removed
// the app in Xero". Not a security boundary: it never leaves 127.0.0.1.
//
// Why node:http and not an OAuth server library: on this project's Node 20, oidc-provider 9 warns
// "Unsupported runtime. Use Node.js v22.x LTS" and its expiry runs on Date.now() (no clock to
// advance per test); oauth2-mock-server 9 declares Node >= 22.12, and 8.x is stateless (no
// rotation, no expiry, no revocation), so every behaviour the tests need would be hand-written on
// top of it anyway. The protocol checks a real server makes are made here too: client_secret_basic,
// exact redirect URI, PKCE S256, single-use codes, rotation. The client side is oauth4webapi.

const DAY_MS = 86_400_000;

/** An organisation the consent page offers. */
export interface EmulatedOrganisation {
  tenantId: string;
  tenantName: string;
  tenantType: 'ORGANISATION' | 'PRACTICE';
}

/** Options of {@link startXeroEmulator}. */
export interface XeroEmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Exact redirect URIs the app registered (Xero compares strings). */
  redirectUris: readonly string[];
  organisations?: readonly EmulatedOrganisation[];
  /** Days a refresh token lives unused. Default 60, like Xero. */
  refreshTokenLifetimeDays?: number;
  /** Access token lifetime. Default 1800 s, like Xero. */
  accessTokenLifetimeSeconds?: number;
  /** The starting time of the emulator's clock. Default now. */
  now?: Date;
  /** `true`: time moves only by {@link XeroEmulator.advance} (tests). Default `false`: real time plus advances. */
  frozenClock?: boolean;
}

/** One request the emulator answered, for tests to count. */
export interface EmulatorRequest {
  method: string;
  path: string;
  /** `grant_type` of a token request. */
  grantType?: string;
}

/** A canned answer for the next matching request: rate limits and outages. */
export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
  body?: unknown;
}

export interface XeroEmulator {
  readonly url: string;
  /** The endpoints to give `createXeroConnectionHandler`. */
  readonly endpoints: XeroEndpoints;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly organisations: readonly EmulatedOrganisation[];
  readonly requests: EmulatorRequest[];
  /** The emulator's clock, to share with the handler under test. */
  now(): Date;
  advance(ms: number): void;
  advanceDays(days: number): void;
  /**
   * "Clicks Allow" on the consent page for `authorizeUrl` (a real POST to the page's form) and
   * returns the redirect to the app, `redirect_uri?code&state`.
   */
  approve(authorizeUrl: string, options?: { tenantIds?: readonly string[] }): Promise<string>;
  /** "Clicks Cancel": the redirect carries `error=access_denied`. */
  deny(authorizeUrl: string): Promise<string>;
  /** The organisation removes the app in Xero (Settings › Connected apps). Refreshes still work. */
  removeApp(tenantId: string): void;
  /** Answers the next request whose path starts with `pathPrefix` with this failure instead. */
  failNext(pathPrefix: string, failure: InjectedFailure): void;
  /** Xero's connections of the emulated user, as `GET /connections` would list them. */
  connections(): XeroConnectionRecord[];
  /** How many token requests of this grant type were made. */
  tokenCalls(grantType: 'authorization_code' | 'refresh_token'): number;
  close(): Promise<void>;
}

export interface XeroConnectionRecord {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: 'ORGANISATION' | 'PRACTICE';
  tenantName: string;
  createdDateUtc: string;
  updatedDateUtc: string;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  authEventId: string;
  used: boolean;
  expiresAt: number;
}

interface Grant {
  id: string;
  scope: string;
  authEventId: string;
  active: boolean;
}

const DEFAULT_ORGANISATIONS: readonly EmulatedOrganisation[] = [
  { tenantId: '3f1b6b3e-6a3e-4c1e-9f4e-0c6f2f1d2a10', tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION' },
  { tenantId: '8c2d4e6f-0a1b-4c3d-8e5f-6a7b8c9d0e1f', tenantName: 'Harbour View Homes', tenantType: 'ORGANISATION' },
];

/** Starts the emulator on 127.0.0.1, on a free port. */
export async function startXeroEmulator(options: XeroEmulatorOptions): Promise<XeroEmulator> {
  const clientId = options.clientId ?? 'emulator-client-id';
  const clientSecret = options.clientSecret ?? 'emulator-client-secret';
  const organisations = options.organisations ?? DEFAULT_ORGANISATIONS;
  const refreshLifetimeMs = (options.refreshTokenLifetimeDays ?? 60) * DAY_MS;
  const accessLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 1800;
  const startedAt = Date.now();
  const start = options.now?.getTime() ?? startedAt;
  let offsetMs = 0;
  const now = () => new Date(start + offsetMs + (options.frozenClock === true ? 0 : Date.now() - startedAt));

  const requests: EmulatorRequest[] = [];
  const failures: { prefix: string; failure: InjectedFailure }[] = [];
  const codes = new Map<string, AuthCode>();
  const grants = new Map<string, Grant>();
  const refreshTokens = new Map<string, { grantId: string; issuedAt: number; spent: boolean }>();
  const accessTokens = new Map<string, { grantId: string; expiresAt: number }>();
  let connections: XeroConnectionRecord[] = [];

  function issueTokens(grant: Grant) {
    const issuedAt = now().getTime();
    const claims = {
      iss: 'http://emulator/identity',
      sub: 'emulated-xero-user',
      xero_userid: 'emulated-xero-user',
      authentication_event_id: grant.authEventId,
      jti: randomUUID(),
      exp: Math.floor(issuedAt / 1000) + accessLifetimeSeconds,
    };
    const accessToken = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify(claims)).toString('base64url'),
      randomUUID().replaceAll('-', ''),
    ].join('.');
    const refreshToken = randomUUID().replaceAll('-', '');
    accessTokens.set(accessToken, { grantId: grant.id, expiresAt: issuedAt + accessLifetimeSeconds * 1000 });
    refreshTokens.set(refreshToken, { grantId: grant.id, issuedAt, spent: false });
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: accessLifetimeSeconds, token_type: 'Bearer', scope: grant.scope };
  }

  function bearerGrant(req: IncomingMessage): Grant | null {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = match === null ? undefined : accessTokens.get(match[1] ?? '');
    if (token === undefined || token.expiresAt <= now().getTime()) return null;
    const grant = grants.get(token.grantId);
    return grant?.active === true ? grant : null;
  }

  function clientAuthenticated(req: IncomingMessage): boolean {
    const match = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (match === null) return false;
    const [id, secret] = Buffer.from(match[1] ?? '', 'base64').toString('utf8').split(':').map(decodeURIComponent);
    return id === clientId && secret === clientSecret;
  }

  function consentPage(query: URLSearchParams): string {
    const hidden = [...query].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    const choices = organisations
      .map(
        (org, index) =>
          `<label><input type="checkbox" name="tenantId" value="${escapeHtml(org.tenantId)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(org.tenantName)}</label><br>`,
      )
      .join('');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Xero emulator: allow access</title></head><body>
<h1>Allow access to your Xero organisation?</h1><form method="post" action="/identity/connect/authorize/decision">${hidden}
<fieldset><legend>Organisations</legend>${choices}</fieldset>
<button type="submit" name="decision" value="allow">Allow access</button> <button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>`;
  }

  function decide(form: URLSearchParams): { status: number; location?: string; error?: string } {
    const redirectUri = form.get('redirect_uri') ?? '';
    if (form.get('client_id') !== clientId || !options.redirectUris.includes(redirectUri)) {
      // A bad client or redirect URI never goes back to the app.
      return { status: 400, error: 'unauthorized_client' };
    }
    const back = new URL(redirectUri);
    const state = form.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (form.get('decision') !== 'allow') {
      back.searchParams.set('error', 'access_denied');
      return { status: 302, location: back.href };
    }
    const scope = form.get('scope') ?? '';
    const challenge = form.get('code_challenge');
    if (form.get('response_type') !== 'code' || challenge === null || form.get('code_challenge_method') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      return { status: 302, location: back.href };
    }
    const authEventId = randomUUID();
    const tenantIds = form.getAll('tenantId');
    const stamp = now().toISOString();
    for (const tenantId of tenantIds) {
      const org = organisations.find((candidate) => candidate.tenantId === tenantId);
      if (org === undefined) continue;
      const existing = connections.find((connection) => connection.tenantId === tenantId);
      if (existing !== undefined) {
        existing.authEventId = authEventId;
        existing.updatedDateUtc = stamp;
      } else {
        connections.push({ id: randomUUID(), authEventId, ...org, createdDateUtc: stamp, updatedDateUtc: stamp });
      }
    }
    const code = randomUUID().replaceAll('-', '');
    codes.set(code, { clientId, redirectUri, scope, codeChallenge: challenge, authEventId, used: false, expiresAt: now().getTime() + 5 * 60_000 });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', scope);
    return { status: 302, location: back.href };
  }

  function token(form: URLSearchParams): { status: number; body: unknown } {
    const invalidGrant = { status: 400, body: { error: 'invalid_grant' } };
    if (form.get('grant_type') === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (code === undefined || code.used || code.expiresAt <= now().getTime()) return invalidGrant;
      code.used = true;
      if (code.redirectUri !== form.get('redirect_uri')) return invalidGrant;
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge) return invalidGrant;
      const grant: Grant = { id: randomUUID(), scope: code.scope, authEventId: code.authEventId, active: true };
      grants.set(grant.id, grant);
      return { status: 200, body: issueTokens(grant) };
    }
    if (form.get('grant_type') === 'refresh_token') {
      const presented = refreshTokens.get(form.get('refresh_token') ?? '');
      if (presented === undefined || presented.spent) return invalidGrant;
      if (presented.issuedAt + refreshLifetimeMs <= now().getTime()) return invalidGrant;
      const grant = grants.get(presented.grantId);
      if (grant === undefined || !grant.active) return invalidGrant;
      presented.spent = true;
      return { status: 200, body: issueTokens(grant) };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  function revoke(form: URLSearchParams): void {
    const presented = refreshTokens.get(form.get('token') ?? '');
    const grant = presented === undefined ? undefined : grants.get(presented.grantId);
    if (grant === undefined) return;
    // Revocation removes all of the user's connections to the app.
    for (const other of grants.values()) other.active = false;
    connections = [];
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = req.method === 'POST' ? await readText(req) : '';
    const form = new URLSearchParams(body);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, ...(url.pathname === '/connect/token' ? { grantType: form.get('grant_type') ?? '' } : {}) });

    const injected = failures.findIndex((entry) => url.pathname.startsWith(entry.prefix));
    const failure = injected === -1 ? undefined : failures.splice(injected, 1)[0]?.failure;
    if (failure !== undefined) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
      return send(res, failure.status, failure.body ?? { Title: 'Too Many Requests', Status: failure.status }, headers);
    }

    if (req.method === 'GET' && url.pathname === '/identity/connect/authorize') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(consentPage(url.searchParams));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/identity/connect/authorize/decision') {
      const decision = decide(form);
      if (decision.location !== undefined) {
        res.writeHead(302, { location: decision.location }).end();
        return;
      }
      return send(res, decision.status, { error: decision.error });
    }
    if (req.method === 'POST' && url.pathname === '/connect/token') {
      if (!clientAuthenticated(req)) return send(res, 401, { error: 'invalid_client' });
      const answer = token(form);
      return send(res, answer.status, answer.body, { 'cache-control': 'no-store' });
    }
    if (req.method === 'POST' && url.pathname === '/connect/revocation') {
      if (!clientAuthenticated(req)) return send(res, 401, { error: 'invalid_client' });
      revoke(form);
      res.writeHead(200).end();
      return;
    }
    if (url.pathname === '/connections' || url.pathname.startsWith('/connections/')) {
      const grant = bearerGrant(req);
      if (grant === null) {
        return send(res, 401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: `TokenExpired: token expired at ${now().toUTCString()}` });
      }
      if (req.method === 'GET' && url.pathname === '/connections') {
        const authEventId = url.searchParams.get('authEventId');
        return send(res, 200, connections.filter((connection) => authEventId === null || connection.authEventId === authEventId));
      }
      if (req.method === 'DELETE') {
        const id = decodeURIComponent(url.pathname.slice('/connections/'.length));
        const before = connections.length;
        connections = connections.filter((connection) => connection.id !== id);
        if (connections.length === before) return send(res, 404, { Title: 'Not Found', Status: 404 });
        res.writeHead(204).end();
        return;
      }
    }
    send(res, 404, { Title: 'Not Found', Status: 404 });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  async function submitConsent(authorizeUrl: string, decision: 'allow' | 'cancel', tenantIds: readonly string[]): Promise<string> {
    const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
    form.set('decision', decision);
    for (const tenantId of tenantIds) form.append('tenantId', tenantId);
    const response = await fetch(`${url}/identity/connect/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || location === null) throw new Error(`The emulator's consent page answered ${response.status}`);
    return location;
  }

  return {
    url,
    endpoints: {
      authorizationEndpoint: `${url}/identity/connect/authorize`,
      tokenEndpoint: `${url}/connect/token`,
      revocationEndpoint: `${url}/connect/revocation`,
      connectionsUrl: `${url}/connections`,
      issuer: url,
    },
    clientId,
    clientSecret,
    organisations,
    requests,
    now,
    advance(ms) {
      offsetMs += ms;
    },
    advanceDays(days) {
      offsetMs += days * DAY_MS;
    },
    approve(authorizeUrl, approveOptions = {}) {
      const first = organisations[0];
      return submitConsent(authorizeUrl, 'allow', approveOptions.tenantIds ?? (first === undefined ? [] : [first.tenantId]));
    },
    deny(authorizeUrl) {
      return submitConsent(authorizeUrl, 'cancel', []);
    },
    removeApp(tenantId) {
      connections = connections.filter((connection) => connection.tenantId !== tenantId);
    },
    failNext(pathPrefix, failure) {
      failures.push({ prefix: pathPrefix, failure });
    },
    connections: () => structuredClone(connections),
    tokenCalls: (grantType) => requests.filter((request) => request.path === '/connect/token' && request.grantType === grantType).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escapeHtml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
