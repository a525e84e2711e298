import { createXeroConnectionHandlers } from '@carevision/xero-connection/testing';
import { getResponse, type HttpHandler } from 'msw';

// The integration's backend for this app: the package's fake backend (./testing), its msw
// handlers answering real HTTP through msw's getResponse. One in-memory connection per server,
// made on the first request (the handlers match absolute URLs: this server's origin).
let handlers: HttpHandler[] | undefined;

async function answer(request: Request): Promise<Response> {
  handlers ??= createXeroConnectionHandlers({ baseUrl: new URL('/api/integrations/xero-billing', request.url).href });
  return (await getResponse(handlers, request)) ?? new Response('No such endpoint', { status: 404 });
}

export const GET = answer;
export const POST = answer;
export const DELETE = answer;
