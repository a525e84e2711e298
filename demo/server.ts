// The demo portal's server: one loopback origin serving the page (Vite), the reference backend
// (`./server`'s handler, once per integration) and the demo controls. Xero is the local emulator
// on its own origin, so the consent page is a real cross-origin round trip, like the real one;
// with XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REDIRECT_URI set it is the real Xero instead.
//
// `npm start` runs demo/start.ts; the end-to-end tests call startDemo() to get the same stack.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';
import { build as viteBuild, createServer as createViteServer } from 'vite';

import {
  createMemoryConnectionStore,
  createSqliteConnectionStore,
  createXeroConnectionHandler,
  toNodeListener,
  type AuthenticatedCaller,
  type ConnectionEvent,
  type ConnectionStore,
  type EventDeliveryTimer,
  type KeepAliveTimer,
  type XeroConnectionBackend,
  type XeroConnectionHandlerWithKeepAlive,
} from '../src/server';
import { startXeroEmulator, type XeroEmulator } from '../src/server/emulator/xero-emulator';
import { DEMO_INTEGRATIONS, DEMO_USERS, type DemoOutbox, type DemoState, type DemoUserId } from './demo-api';
import { EXPORTS_PATH, exportRoutes } from './exports';
import { createOutbox } from './outbox';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** The portal's port; default 5173, or the next free one. 0: any free port. */
  port?: number;
  /** Real Xero credentials; default from XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REDIRECT_URI. */
  realXero?: RealXero | null;
  /** Vite's log level; the tests silence it. */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
  /**
   * Serve this built page (`vite build` output, see `buildDemoPage()`) instead of Vite's dev
   * server, under a strict Content-Security-Policy: scripts and styles from the origin or with
   * the response's nonce only, no inline code, no eval. Proves the package runs under one.
   */
  strictCspPage?: string;
  /**
   * Whether the backend keeps connections alive (refreshes any refresh token unused for 7 days)
   * when the demo starts and after "Start over". Default `true`; the page has a switch for it.
   */
  keepAlive?: boolean;
}

/** A Xero app registered with the real Xero. */
export interface RealXero {
  clientId: string;
  clientSecret: string;
  /** Xero Billing's callback, exactly as registered: its origin is the portal's. */
  redirectUri: string;
  /** Xero Payroll's callback, when registered too. */
  payrollRedirectUri?: string;
}

/** A running demo. */
export interface RunningDemo {
  /** The portal page, e.g. http://127.0.0.1:5173/ */
  url: string;
  /** The local Xero, or `null` against the real one. */
  emulator: XeroEmulator | null;
  close(): Promise<void>;
}

const COOKIE = 'demo_user';
const HOUR_MS = 3_600_000;

/** The play user in a Cookie header, for the controls (node:http) and the backend (Fetch) alike. */
function cookieUser(cookie: string | null | undefined): DemoUserId | null {
  const id = /(?:^|;\s*)demo_user=([a-z]+)/.exec(cookie ?? '')?.[1];
  return id !== undefined && id in DEMO_USERS ? (id as DemoUserId) : null;
}

function realXeroFromEnv(): RealXero | null {
  const { XERO_CLIENT_ID: clientId, XERO_CLIENT_SECRET: clientSecret, XERO_REDIRECT_URI: redirectUri } = process.env;
  if (!clientId || !clientSecret || !redirectUri) return null;
  const payrollRedirectUri = process.env.XERO_PAYROLL_REDIRECT_URI;
  return { clientId, clientSecret, redirectUri, ...(payrollRedirectUri ? { payrollRedirectUri } : {}) };
}

async function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  for (let candidate = port; ; candidate += 1) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(candidate, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch (error) {
      // Only a taken default port moves on; anything else (or a taken port 0) is real.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || candidate > port + 20) throw error;
    }
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 4096) chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      } catch {
        resolve(null);
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Starts the emulator (unless real Xero is configured), the backend and the page. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const realXero = options.realXero === undefined ? realXeroFromEnv() : options.realXero;
  let route: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const http = createServer((req, res) => {
    if (route) route(req, res);
    else res.writeHead(503).end('starting');
  });
  // Against the real Xero the page must live on the registered redirect URI's origin (Xero
  // compares it exactly, and the backend checks returnTo against it): http://localhost:5173.
  const registered = realXero ? new URL(realXero.redirectUri) : null;
  const port = await listen(http, registered ? Number(registered.port || 80) : (options.port ?? 5173));
  const origin = registered ? registered.origin : `http://127.0.0.1:${port}`;

  const integrations = DEMO_INTEGRATIONS.filter((item) => item.id === 'billing' || realXero === null || realXero.payrollRedirectUri);
  const redirectUriOf = (basePath: string, id: string) =>
    realXero === null ? `${origin}${basePath}/callback` : id === 'billing' ? realXero.redirectUri : (realXero.payrollRedirectUri ?? '');

  const emulator =
    realXero === null ? await startXeroEmulator({ redirectUris: integrations.map((item) => redirectUriOf(item.basePath, item.id)) }) : null;

  // Real tokens are kept in SQLite, encrypted (the store refuses to open without
  // XERO_CONNECTION_ENCRYPTION_KEY); the emulator's play tokens live in memory and reset with "Start over".
  const openStore = async (): Promise<ConnectionStore> =>
    realXero === null ? createMemoryConnectionStore() : await createSqliteConnectionStore({ filename: 'demo-xero-connections.sqlite' });

  const authenticate = (request: Request): AuthenticatedCaller | null => {
    const id = cookieUser(request.headers.get('cookie'));
    if (id === null) return null;
    const user = DEMO_USERS[id];
    return { userId: user.id, displayName: user.name, canManage: user.canManage };
  };

  interface Backend {
    basePath: string;
    handler: XeroConnectionBackend;
    /** The same handler, typed with keep-alive's methods, while keep-alive is on. */
    keptAlive: XeroConnectionHandlerWithKeepAlive | null;
    listener: ReturnType<typeof toNodeListener>;
    timer: KeepAliveTimer | null;
    /** Hands this integration's connection events to the outbox. */
    send: (event: ConnectionEvent) => void;
    delivery: EventDeliveryTimer;
  }

  // The emails the portal would send its administrator, one per connection event. The events that
  // need a person link back to this page (`reconnectPageUrl`), where the card brings Reconnect up.
  const outbox = createOutbox();
  const reconnectPageUrl = `${origin}/`;

  // Keep-alive is on by default, as a portal should run it. With it on, every backend also runs
  // the in-process timer (a single-instance deployment's scheduler); the emulator's clock jumps
  // by days, so the "time passes" controls play the scheduler for the days they skip.
  const initialKeepAlive = options.keepAlive ?? true;
  let keepAliveOn = initialKeepAlive;
  let store = await openStore();

  function buildBackends(): Backend[] {
    return integrations.map((item) => {
      const common = {
        basePath: item.basePath,
        authenticate,
        clientId: emulator?.clientId ?? realXero?.clientId ?? '',
        clientSecret: emulator?.clientSecret ?? realXero?.clientSecret ?? '',
        redirectUri: redirectUriOf(item.basePath, item.id),
        scopes: item.scopes,
        store,
        reconnectPageUrl,
        ...(emulator ? { endpoints: emulator.endpoints, clock: emulator.now } : {}),
      };
      // Two calls, not `keepAlive: keepAliveOn`: the handler's type has keep-alive's methods only when it is on.
      const keptAlive = keepAliveOn ? createXeroConnectionHandler({ ...common, keepAlive: true }) : null;
      const handler = keptAlive ?? createXeroConnectionHandler(common);
      const timer = keptAlive
        ? keptAlive.startKeepAlive({
            intervalMs: HOUR_MS,
            onRun: (summary) => {
              if (summary.refreshed + summary.needsReauth + summary.failed > 0) {
                console.info(`[demo] keep-alive ${item.title}: refreshed ${summary.refreshed}, needs reauth ${summary.needsReauth}, failed ${summary.failed}`);
              }
            },
          })
        : null;
      // Delivery as a portal runs it: a timer in this process. The demo also delivers before it
      // answers GET /demo/outbox (deliverAll), since its clock jumps days in one click.
      const send = outbox.sendFor(item.title);
      const delivery = handler.startEventDelivery({ send, intervalMs: 5_000, runImmediately: false });
      return { basePath: item.basePath, handler, keptAlive, listener: toNodeListener(handler, { origin }), timer, send, delivery };
    });
  }
  let backends = buildBackends();

  async function replaceBackends(): Promise<void> {
    const previous = backends;
    backends = buildBackends();
    for (const backend of previous) backend.timer?.stop();
    await Promise.all(previous.map((backend) => backend.delivery.stop()));
  }

  /** Delivers every integration's waiting events into the outbox, now. */
  async function deliverAll(): Promise<void> {
    await Promise.all(backends.map((backend) => backend.handler.deliverConnectionEvents(backend.send)));
  }

  // Time passes on Xero's side, one day at a time, with a daily keep-alive run per integration
  // while keep-alive is on (as the host's scheduler would). Returns how many refreshes it made.
  async function passDays(days: number): Promise<number> {
    if (emulator === null) return 0;
    if (!keepAliveOn) {
      emulator.advanceDays(days);
      return 0;
    }
    let refreshed = 0;
    for (let passed = 0; passed < days; passed += 1) {
      emulator.advanceDays(Math.min(1, days - passed));
      const runs = await Promise.all(backends.map((backend) => backend.keptAlive?.refreshDueConnections()));
      refreshed += runs.reduce((sum, run) => sum + (run?.refreshed ?? 0), 0);
    }
    return refreshed;
  }
  let lastRefreshes: number | null = null;
  // Set while "Use up today's Xero calls" holds Xero's day limit down: restores Xero's limits.
  let restoreApiLimits: (() => void) | null = null;
  function restoreXeroLimits(): void {
    restoreApiLimits?.();
    restoreApiLimits = null;
  }

  const exportRoute = exportRoutes({
    handlerOf: (id) => backends[integrations.findIndex((item) => item.id === id)]?.handler ?? null,
    isSignedIn: (req) => cookieUser(req.headers.cookie) !== null,
    now: () => emulator?.now() ?? new Date(),
    readJson,
  });

  const page =
    options.strictCspPage === undefined
      ? await createViteServer({
          configFile: new URL('./vite.config.ts', import.meta.url).pathname,
          server: { middlewareMode: true, hmr: false },
          appType: 'spa',
          logLevel: options.logLevel ?? 'info',
        })
      : strictCspPageServer(options.strictCspPage);

  const state = (user: DemoUserId | null): DemoState => ({
    mode: emulator ? 'emulator' : 'real-xero',
    user,
    users: Object.values(DEMO_USERS),
    now: (emulator?.now() ?? new Date()).toISOString(),
    emulatorUrl: emulator?.url ?? null,
    integrations: integrations.map(({ id, title, basePath }) => ({ id, title, basePath })),
    xeroConnections: emulator ? emulator.connections().map(({ tenantId, tenantName }) => ({ tenantId, tenantName })) : [],
    keepAlive: keepAliveOn,
    keepAliveRefreshes: lastRefreshes,
    // Over every organisation, connected or not: removing the app in Xero does not delete what it exported.
    xeroHolds: {
      invoices: emulator ? emulator.organisations.reduce((sum, org) => sum + emulator.invoices(org.tenantId).length, 0) : 0,
      timesheets: emulator ? emulator.organisations.reduce((sum, org) => sum + emulator.timesheets(org.tenantId).length, 0) : 0,
    },
    apiLimitsLowered: restoreApiLimits !== null,
  });

  // The demo controls play what happens on Xero's side. They exist only with the emulator.
  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const user = cookieUser(req.headers.cookie);
    if (req.method === 'GET' && path === '/state') return sendJson(res, 200, state(user));
    if (req.method === 'GET' && path === '/outbox') {
      await deliverAll();
      return sendJson(res, 200, { emails: outbox.emails() } satisfies DemoOutbox);
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    const body = (await readJson(req)) as Record<string, unknown> | null;
    if (path === '/user') {
      const id = typeof body?.user === 'string' && body.user in DEMO_USERS ? (body.user as DemoUserId) : null;
      if (id === null) return sendJson(res, 400, { error: '`user` must be one of ' + Object.keys(DEMO_USERS).join(', ') });
      res.setHeader('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
      return sendJson(res, 200, state(id));
    }
    if (path === '/keep-alive') {
      if (typeof body?.enabled !== 'boolean') return sendJson(res, 400, { error: '`enabled` must be true or false' });
      keepAliveOn = body.enabled;
      lastRefreshes = null;
      await replaceBackends();
      return sendJson(res, 200, state(user));
    }
    if (emulator === null) return sendJson(res, 409, { error: 'the demo controls need the local emulator, not the real Xero' });
    lastRefreshes = null;
    if (path === '/advance') {
      const days = typeof body?.days === 'number' && Number.isFinite(body.days) && body.days > 0 && body.days <= 3650 ? body.days : null;
      if (days === null) return sendJson(res, 400, { error: '`days` must be a number of days between 0 and 3650' });
      const refreshed = await passDays(days);
      lastRefreshes = keepAliveOn ? refreshed : null;
    } else if (path === '/revoke') {
      emulator.revokeAll();
    } else if (path === '/remove-app') {
      for (const connection of emulator.connections()) emulator.removeApp(connection.tenantId);
    } else if (path === '/xero-outage') {
      emulator.failNext('/', { status: 503, body: { Title: 'Service Unavailable' } });
    } else if (path === '/use-up-calls') {
      restoreApiLimits ??= emulator.setApiLimits({ day: 1 });
      // The day's one call is spent as any call is, through a handler: a read of the organisation.
      // Where the day's calls were already spent, Xero refuses it, which is the point.
      await Promise.allSettled(backends.map((backend) => backend.handler.xeroFetch('/api.xro/2.0/Organisation')));
    } else if (path === '/restore-limits') {
      restoreXeroLimits();
    } else if (path === '/reset') {
      for (const connection of emulator.connections()) emulator.removeApp(connection.tenantId);
      restoreXeroLimits();
      keepAliveOn = initialKeepAlive;
      store = await openStore();
      await replaceBackends();
      outbox.clear();
    } else {
      return sendJson(res, 404, { error: `no demo control ${path}` });
    }
    return sendJson(res, 200, state(user));
  }

  route = (req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    const backend = backends.find((item) => path === item.basePath || path.startsWith(`${item.basePath}/`));
    if (backend) {
      // The backend runs on Xero's clock (`clock: emulator.now`), and its answers' Date says so:
      // the page measures every relative date from it.
      return backend.listener(req, res);
    }
    if (path.startsWith(`${EXPORTS_PATH}/`)) {
      exportRoute(req, res, path).then(
        (answered) => {
          if (!answered) sendJson(res, 404, { error: `no export at ${path}` });
        },
        (error: unknown) => {
          console.error(error);
          if (!res.headersSent) sendJson(res, 500, { error: 'the export failed' });
        },
      );
      return;
    }
    if (path.startsWith('/demo/')) {
      void control(req, res, path.slice('/demo'.length)).catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) sendJson(res, 500, { error: 'demo control failed' });
      });
      return;
    }
    // Everyone arrives signed in as the administrator; the page can switch to a viewer.
    if (cookieUser(req.headers.cookie) === null) res.setHeader('set-cookie', `${COOKIE}=alice; Path=/; HttpOnly; SameSite=Lax`);
    page.middlewares(req, res);
  };

  return {
    url: `${origin}/`,
    emulator,
    async close() {
      for (const backend of backends) backend.timer?.stop();
      await Promise.all(backends.map((backend) => backend.delivery.stop()));
      await page.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await emulator?.close();
    },
  };
}

/** The nonce placeholder `buildDemoPage()` asks Vite to write; the server replaces it per response. */
const NONCE_PLACEHOLDER = 'DEMO_CSP_NONCE';

/**
 * Builds the demo page for {@link DemoOptions.strictCspPage} into `outDir`, its tags carrying a
 * nonce placeholder (Vite's `html.cspNonce`) that the server fills in per response.
 */
export async function buildDemoPage(outDir: string): Promise<string> {
  await viteBuild({
    configFile: new URL('./vite.config.ts', import.meta.url).pathname,
    logLevel: 'warn',
    html: { cspNonce: NONCE_PLACEHOLDER },
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** The policy the strict page is served with. `nonce` is fresh for every response. */
export function strictContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// A static server for the built page: files from `dir`, anything else is the page itself (a SPA),
// every response under the strict policy.
function strictCspPageServer(dir: string) {
  return {
    middlewares(req: IncomingMessage, res: ServerResponse): void {
      const nonce = randomBytes(16).toString('base64');
      res.setHeader('content-security-policy', strictContentSecurityPolicy(nonce));
      res.setHeader('cache-control', 'no-store');
      const path = normalize(new URL(req.url ?? '/', 'http://page').pathname).replace(/^(\.\.[/\\])+/, '');
      const file = extname(path) in CONTENT_TYPES && path !== '/index.html' ? join(dir, path) : join(dir, 'index.html');
      readFile(file).then(
        (body) => {
          const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
          res.writeHead(200, { 'content-type': type });
          res.end(type.startsWith('text/html') ? body.toString('utf8').replaceAll(NONCE_PLACEHOLDER, nonce) : body);
        },
        () => res.writeHead(404).end('not found'),
      );
    },
    close: async () => {},
  };
}
