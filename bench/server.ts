// The bench's local stack on loopback: the Xero emulator, the reference backend from the BUILT
// package (dist/server.js, as shipped) with its in-memory store, and the bench page (bundled here
// with esbuild from bench/page/, served from memory so nothing lands in the work tree), all on one
// origin like demo/server.ts. `connect()` walks the real OAuth round trip from Node, as
// test/server/support.ts does, so the page finds the connection already connected.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { startXeroEmulator, type XeroEmulator } from '../src/server/emulator/xero-emulator';
import { BENCH_BASE_PATH } from './page/bench-api';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The two builds of the page: see bench/page/main.tsx. */
export type PageBuild = 'production' | 'profiling';

export interface BenchStack {
  /** The page for `build`, e.g. http://127.0.0.1:PORT/?build=profiling */
  pageUrl(build: PageBuild): string;
  /** Connects the integration through the emulator's consent page (no-op when already connected). */
  connect(): Promise<void>;
  /** Requests the backend answered, by `METHOD /path` relative to the base path. */
  readonly backendRequests: Map<string, number>;
  emulator: XeroEmulator;
  close(): Promise<void>;
}

async function bundlePage(build_: PageBuild): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page/main.tsx', import.meta.url))],
    bundle: true,
    format: 'esm',
    minify: true,
    jsx: 'automatic',
    write: false,
    // React's production build, as a host app ships it; the profiling variant swaps in react-dom's
    // profiling renderer (same code with profiler timers), or React.Profiler's onRender never fires.
    define: { 'process.env.NODE_ENV': '"production"' },
    ...(build_ === 'profiling' ? { alias: { 'react-dom/client': 'react-dom/profiling' } } : {}),
    // dist/index.js starts with "use client", which esbuild warns about when bundling: harmless here.
    logLevel: 'error',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no bench page bundle');
  return output.contents;
}

const html = (script: string) => `<!doctype html>
<html lang="en-AU">
<head><meta charset="utf-8"><title>xero-connection bench</title><link rel="stylesheet" href="/styles.css"></head>
<body><script type="module" src="/${script}"></script></body>
</html>`;

export async function startBenchStack(): Promise<BenchStack> {
  // dist is imported only now: run.ts checks it exists first, to say "run npm run build first".
  const { createMemoryConnectionStore, createXeroConnectionHandler, toNodeListener } = await import('../dist/server.js');
  const { createXeroConnectionClient } = await import('../dist/client.js');

  const [production, profiling, styles] = await Promise.all([
    bundlePage('production'),
    bundlePage('profiling'),
    readFile(`${ROOT}dist/styles.css`),
  ]);

  let route: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const http = createServer((req, res) => route(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const redirectUri = `${origin}${BENCH_BASE_PATH}/callback`;

  const emulator = await startXeroEmulator({ redirectUris: [redirectUri] });
  const handler = createXeroConnectionHandler({
    basePath: BENCH_BASE_PATH,
    // One administrator for every request: the bench measures the package, not a session layer.
    authenticate: () => ({ userId: 'bench-admin', displayName: 'Bench Admin', canManage: true }),
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    redirectUri,
    scopes: ['accounting.invoices', 'accounting.contacts'],
    store: createMemoryConnectionStore(),
    endpoints: emulator.endpoints,
    clock: emulator.now,
  });
  const listener = toNodeListener(handler, { origin });
  const backendRequests = new Map<string, number>();

  route = (req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path.startsWith(`${BENCH_BASE_PATH}/`)) {
      const key = `${req.method ?? 'GET'} ${path.slice(BENCH_BASE_PATH.length)}`;
      backendRequests.set(key, (backendRequests.get(key) ?? 0) + 1);
      listener(req, res);
      return;
    }
    const send = (type: string, body: string | Uint8Array) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send('text/html; charset=utf-8', html(new URL(req.url ?? '/', origin).searchParams.get('build') === 'profiling' ? 'profiling.js' : 'production.js'));
    if (path === '/production.js') return send('text/javascript', production);
    if (path === '/profiling.js') return send('text/javascript', profiling);
    if (path === '/styles.css') return send('text/css', styles);
    // Chromium asks for it unprompted; a 404 would read as a page error.
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404).end();
  };

  // The Node side of the round trip talks to the handler directly (no HTTP), so it adds nothing to
  // the request counts the browser measurements read.
  const client = createXeroConnectionClient({
    baseUrl: `${origin}${BENCH_BASE_PATH}`,
    retry: false,
    fetch: (input, init) => handler(new Request(input, init)),
  });

  return {
    pageUrl: (build_) => `${origin}/?build=${build_}`,
    backendRequests,
    emulator,
    async connect() {
      if ((await client.getConnection()).status === 'connected') return;
      const { authorizeUrl } = await client.connect({ returnTo: `${origin}/`, mode: 'connect' });
      const back = await handler(new Request(await emulator.approve(authorizeUrl)));
      const location = back.headers.get('location') ?? '';
      if (back.status !== 302 || new URL(location).searchParams.get('xero') !== 'connected') {
        throw new Error(`connecting through the emulator failed: ${back.status} ${location}`);
      }
      const status = (await client.getConnection()).status;
      if (status !== 'connected') throw new Error(`after connecting, GET /connection says ${status}`);
    },
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await emulator.close();
    },
  };
}
