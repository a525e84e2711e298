import { setupServer } from 'msw/node';

import { createXeroConnectionHandler, type XeroConnectionHandler } from '../../src/server';
import { walkConsent } from '../../src/server/emulator/consent-walk';
import { startXeroEmulator, type XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { createFakeXeroBackend, demoTenant, secondTenant } from '../../src/testing';
import type { BackendTarget, Caller, ConsentAnswer, TargetOrganisation } from './backend-target';

// The targets of backend.conformance.test.ts: the reference handler over the Xero emulator, the
// ./testing fake through msw, and (when XERO_CONNECTION_CONFORMANCE_URL is set) any backend
// reachable by URL, in any language, pointed at an emulator the suite starts.

const BASE_PATH = '/api/integrations/xero-billing';

function twoOf(emulator: XeroEmulator): readonly [TargetOrganisation, TargetOrganisation] {
  const [first, second] = emulator.organisations;
  if (first?.tenantName == null || second?.tenantName == null) throw new Error('the emulator offers two named organisations');
  return [
    { tenantId: first.tenantId, tenantName: first.tenantName },
    { tenantId: second.tenantId, tenantName: second.tenantName },
  ];
}

function consentAt(emulator: XeroEmulator, authorizeUrl: string, answer: ConsentAnswer): Promise<string> {
  return answer === 'cancel' ? emulator.deny(authorizeUrl) : emulator.approve(authorizeUrl, { tenantIds: answer.allow });
}

function tokenFailure({ status, error }: { status: number; error?: string }) {
  return { status, ...(error === undefined ? {} : { body: { error } }) };
}

async function locationOf(response: Response): Promise<string> {
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) throw new Error(`GET /callback answered ${response.status}, not a redirect`);
  return location;
}

/** The reference handler (./server) over the Xero emulator: a fresh emulator and handler per scenario. */
export function referenceTarget(): BackendTarget & { close(): Promise<void> } {
  const portal = 'https://portal.example';
  const baseUrl = `${portal}${BASE_PATH}`;
  let emulator: XeroEmulator | null = null;
  let handler: XeroConnectionHandler | null = null;
  const current = () => {
    if (emulator === null || handler === null) throw new Error('referenceTarget: reset() first');
    return { emulator, handler };
  };
  const target: BackendTarget & { close(): Promise<void> } = {
    name: 'the reference handler over the Xero emulator',
    baseUrl,
    returnTo: `${portal}/settings/integrations`,
    get organisations() {
      return twoOf(current().emulator);
    },
    sessions: true,
    async reset() {
      await emulator?.close();
      const started = await startXeroEmulator({ redirectUris: [`${baseUrl}/callback`], now: new Date('2026-11-26T09:30:00Z'), frozenClock: true });
      emulator = started;
      handler = createXeroConnectionHandler({
        basePath: BASE_PATH,
        clientId: started.clientId,
        clientSecret: started.clientSecret,
        redirectUri: `${baseUrl}/callback`,
        scopes: ['accounting.invoices'],
        endpoints: started.endpoints,
        clock: started.now,
        // The host's session: the caller's name in a header, `admin` alone may manage.
        authenticate: (request) => {
          const user = request.headers.get('x-conformance-caller');
          return user === null ? null : { userId: user, canManage: user === 'admin' };
        },
      });
    },
    sessionHeaders: (caller: Caller): Record<string, string> => (caller === 'anonymous' ? {} : { 'x-conformance-caller': caller }),
    fetch: (request) => current().handler(request),
    consent: (authorizeUrl, answer) => consentAt(current().emulator, authorizeUrl, answer),
    async followCallback(callbackUrl, caller) {
      return locationOf(await current().handler(new Request(callbackUrl, { headers: target.sessionHeaders(caller) })));
    },
    xero: {
      revokeGrant: () => current().emulator.revokeAll(),
      failNextTokenCall: (failure) => current().emulator.failNext(new URL(current().emulator.endpoints.tokenEndpoint).pathname, tokenFailure(failure)),
      advanceClock: (ms) => current().emulator.advance(ms),
    },
    async close() {
      await emulator?.close();
      emulator = null;
    },
  };
  return target;
}

/**
 * The ./testing fake, answering through msw's `setupServer` (global fetch is intercepted while
 * `listen()` is on). Xero's part is the fake's own knobs: setGrantedOrganisations and setConsent
 * before the redirect, returnFromXero for Xero's redirect to GET /callback (the fake has no
 * GET /callback handler: msw stands in for the backend's JSON endpoints only).
 */
export function fakeTarget(): BackendTarget & { listen(): void; close(): void } {
  const portal = 'https://fake.portal.example';
  const baseUrl = `${portal}${BASE_PATH}`;
  const backend = createFakeXeroBackend({ baseUrl });
  const server = setupServer(...backend.handlers);
  const organisations = [demoTenant, secondTenant] as const;
  return {
    name: 'the ./testing fake backend',
    baseUrl,
    returnTo: `${portal}/settings/integrations`,
    organisations,
    sessions: false,
    reset: async () => backend.reset(),
    sessionHeaders: () => ({}),
    fetch: (request) => globalThis.fetch(request),
    async consent(authorizeUrl, answer) {
      const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
      const callback = new URL(`${baseUrl}/callback`);
      if (answer === 'cancel') {
        backend.setConsent('deny');
        callback.search = new URLSearchParams({ error: 'access_denied', state }).toString();
      } else {
        backend.setConsent('allow');
        backend.setGrantedOrganisations(answer.allow.map((tenantId) => {
          const tenant = organisations.find((candidate) => candidate.tenantId === tenantId);
          if (tenant === undefined) throw new Error(`fakeTarget: no organisation ${tenantId}`);
          return tenant;
        }));
        callback.search = new URLSearchParams({ code: 'conformance-code', state }).toString();
      }
      return callback.href;
    },
    followCallback: async (callbackUrl) => backend.returnFromXero(new URL(callbackUrl).searchParams.get('state') ?? undefined),
    listen: () => server.listen({ onUnhandledRequest: 'bypass' }),
    close: () => server.close(),
  };
}

/** The environment that points the suite at a backend by URL (see docs/contract.md). */
export interface UrlTargetSettings {
  baseUrl: string;
  returnTo: string;
  emulatorPort: number;
  clientId: string;
  clientSecret: string;
  sessions: Partial<Record<Caller, Record<string, string>>>;
}

function headersFrom(name: string): Record<string, string> | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${name} must be a JSON object of headers`);
  return parsed as Record<string, string>;
}

/** The URL target's settings from the environment, or `null` when XERO_CONNECTION_CONFORMANCE_URL is not set. */
export function urlTargetSettings(env: NodeJS.ProcessEnv = process.env): UrlTargetSettings | null {
  const baseUrl = env.XERO_CONNECTION_CONFORMANCE_URL?.replace(/\/+$/, '');
  if (baseUrl === undefined || baseUrl === '') return null;
  const admin = headersFrom('XERO_CONNECTION_CONFORMANCE_ADMIN_HEADERS');
  const viewer = headersFrom('XERO_CONNECTION_CONFORMANCE_VIEWER_HEADERS');
  return {
    baseUrl,
    returnTo: env.XERO_CONNECTION_CONFORMANCE_RETURN_TO ?? new URL('/settings/integrations', baseUrl).href,
    emulatorPort: Number(env.XERO_CONNECTION_CONFORMANCE_EMULATOR_PORT ?? 4470),
    clientId: env.XERO_CONNECTION_CONFORMANCE_CLIENT_ID ?? 'conformance-client',
    clientSecret: env.XERO_CONNECTION_CONFORMANCE_CLIENT_SECRET ?? 'conformance-secret',
    sessions: { ...(admin === undefined ? {} : { admin }), ...(viewer === undefined ? {} : { viewer }) },
  };
}

/**
 * A backend in any language, already running at `settings.baseUrl` and configured against the Xero
 * emulator this target starts on `settings.emulatorPort` (its endpoints are
 * `http://127.0.0.1:PORT/identity/connect/authorize`, `/connect/token`, `/connect/revocation`,
 * `/connections`; its app is `clientId`/`clientSecret` with `${baseUrl}/callback` registered).
 * Xero's part is the emulator's consent page, walked by HTTP as a browser would. With admin and
 * viewer session headers it is checked for 401 and 403 too. It keeps state between scenarios:
 * reset() disconnects as the admin.
 */
export function urlTarget(settings: UrlTargetSettings): BackendTarget & { start(): Promise<void>; close(): Promise<void> } {
  let emulator: XeroEmulator | null = null;
  const sessions = settings.sessions;
  const running = () => {
    if (emulator === null) throw new Error('urlTarget: start() first');
    return emulator;
  };
  const sessionHeaders = (caller: Caller): Record<string, string> => (caller === 'anonymous' ? {} : (sessions[caller] ?? sessions.admin ?? {}));
  return {
    name: `the backend at ${settings.baseUrl}`,
    baseUrl: settings.baseUrl,
    returnTo: settings.returnTo,
    get organisations() {
      return twoOf(running());
    },
    sessions: sessions.admin !== undefined && sessions.viewer !== undefined,
    async start() {
      emulator = await startXeroEmulator({
        redirectUris: [`${settings.baseUrl}/callback`],
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        port: settings.emulatorPort,
      });
    },
    async reset() {
      const response = await fetch(new Request(`${settings.baseUrl}/connection`, { method: 'DELETE', headers: sessionHeaders('admin') }));
      await response.body?.cancel();
      if (!response.ok) throw new Error(`urlTarget: DELETE /connection answered ${response.status} while resetting`);
    },
    sessionHeaders,
    fetch: (request) => fetch(request, { redirect: 'manual' }),
    consent: (authorizeUrl, answer) =>
      walkConsent(authorizeUrl, answer === 'cancel' ? { decision: 'cancel', tenantIds: [] } : { decision: 'allow', tenantIds: answer.allow }),
    followCallback: async (callbackUrl, caller) => locationOf(await fetch(callbackUrl, { headers: sessionHeaders(caller), redirect: 'manual' })),
    // The emulator runs here, so Xero's side can be played; the backend's clock is its own.
    xero: {
      revokeGrant: () => running().revokeAll(),
      failNextTokenCall: (failure) => running().failNext('/connect/token', tokenFailure(failure)),
    },
    async close() {
      await emulator?.close();
      emulator = null;
    },
  };
}
