import type { IncomingMessage, ServerResponse } from 'node:http';

import type { XeroConnectionHandler } from './create-handler';
import { buildProblem, logSummary, problemResponse } from './xero-error';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * The public origin (`https://portal.example`) the browser sees. Default: `http://` plus the
   * request's Host header. Set it in production, behind a proxy or TLS terminator: `returnTo` and
   * `Origin` checks compare against it.
   */
  origin?: string;
  /** Largest request body accepted; larger ones answer 413. Default 64 KiB (the contract's bodies are tiny). */
  maxBodyBytes?: number;
  /** Called when the adapter itself fails (not the handler, which has its own). Default: one line on `console.error`. */
  onError?: (error: unknown) => void;
}

// Methods the Fetch API refuses to build a Request with: answered here, never a 500.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * The request's URL: the configured (or Host) origin, plus the path and query of the
 * request-target. Never the target's own authority: an absolute-form target
 * (`POST http://evil.example/...`) or one starting `//` would otherwise make another origin the
 * request's own, and a `returnTo` on it acceptable.
 */
export function requestUrl(target: string, origin: string): URL {
  let path = target;
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(target)) {
    const absolute = new URL(target);
    path = `${absolute.pathname}${absolute.search}`;
  }
  const url = new URL(origin);
  const queryAt = path.indexOf('?');
  url.pathname = `/${(queryAt === -1 ? path : path.slice(0, queryAt)).replace(/^\/+/, '')}`;
  url.search = queryAt === -1 ? '' : path.slice(queryAt);
  return url;
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Mounts the Fetch-API handler on node:http, and on Express (it reads `originalUrl`, so
 * `app.use(basePath, listener)` keeps the full path the handler routes on). Its own answers (a body
 * over `maxBodyBytes`, a method the Fetch API cannot carry, its own failure) are problems like the
 * handler's.
 */
export function toNodeListener(handler: XeroConnectionHandler, options: NodeListenerOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const onError = options.onError ?? logSummary;
  return function xeroConnectionListener(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void {
    void (async () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const url = requestUrl(req.originalUrl ?? req.url ?? '/', options.origin ?? `http://${req.headers.host ?? 'localhost'}`);
      const instance = url.pathname;
      if (FORBIDDEN_METHODS.has(method)) {
        return send(res, problemResponse(buildProblem('VALIDATION_FAILED', { status: 405, detail: `${method} is not allowed here`, instance })));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBodyBytes) {
          res.setHeader('connection', 'close');
          return send(res, problemResponse(buildProblem('VALIDATION_FAILED', { status: 413, detail: `The body is larger than ${maxBodyBytes / 1024} KiB`, instance })));
        }
        chunks.push(chunk);
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.set(name, value);
      }
      const request = new Request(url, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
      });
      await send(res, await handler(request));
    })().catch((error: unknown) => {
      onError(error);
      if (res.headersSent) {
        res.end();
        return;
      }
      void send(res, problemResponse(buildProblem('INTERNAL'))).catch(() => res.end());
    });
  };
}
