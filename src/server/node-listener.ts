import type { IncomingMessage, ServerResponse } from 'node:http';

import type { XeroConnectionHandler } from './create-handler';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * The public origin (`https://portal.example`) the browser sees. Default: `http://` plus the
   * request's Host header. Set it behind a proxy or TLS terminator, or `returnTo` checks compare
   * against the wrong origin.
   */
  origin?: string;
  /** Largest request body accepted; larger ones answer 413. Default 64 KiB (the contract's bodies are tiny). */
  maxBodyBytes?: number;
}

/**
 * Mounts the Fetch-API handler on node:http, and on Express (it reads `originalUrl`, so
 * `app.use(basePath, listener)` keeps the full path the handler routes on).
 */
export function toNodeListener(handler: XeroConnectionHandler, options: NodeListenerOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  return function xeroConnectionListener(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void {
    void (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBodyBytes) {
          res.writeHead(413).end();
          return;
        }
        chunks.push(chunk);
      }
      const origin = options.origin ?? `http://${req.headers.host ?? 'localhost'}`;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.set(name, value);
      }
      const method = req.method ?? 'GET';
      const request = new Request(new URL(req.originalUrl ?? req.url ?? '/', origin), {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
      });
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
      console.error(error);
    });
  };
}
