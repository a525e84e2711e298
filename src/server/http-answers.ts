import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, type ErrorCode } from '../contract';
import { outcomeForCode, withConnectOutcome } from '../client/connect-return';
import { readIdempotencyKey } from '../contract/idempotency';
import { routes as contractRoutes } from '../contract/routes';
import { buildProblem, problemResponse, XeroConnectionHandlerError } from './xero-error';

// How the reference backend reads requests and writes answers: JSON bodies within a size limit,
// every 200 checked against the contract's schema, problems, redirects, the contract header.

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function withVersion(headers: Record<string, string>): Headers {
  return new Headers({ ...headers, [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION });
}

export interface Checkable<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

export function json<T>(schema: Checkable<T>, body: T): Response {
  // The contract's own schema checks every body on the way out: a bug here answers 500, never a
  // body that breaks the client.
  if (!schema.safeParse(body).success) throw new Error('createXeroConnectionHandler: a response broke the contract');
  return new Response(JSON.stringify(body), { status: 200, headers: withVersion(JSON_HEADERS) });
}

export function problem(
  code: ErrorCode,
  instance: string | undefined,
  extra: { status?: number; detail?: string; retryAfterSeconds?: number; headers?: Record<string, string> } = {},
): Response {
  const { headers, ...fields } = extra;
  return problemResponse(buildProblem(code, { ...fields, ...(instance === undefined ? {} : { instance }) }), headers);
}

export function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: withVersion({ location, 'cache-control': 'no-store' }) });
}

// Why a round trip failed, as the problem's detail.
export const ROUND_TRIP_FAILURES = {
  XERO_TENANT_MISMATCH: 'Xero connected a different organisation than the one expected',
  XERO_TENANT_NOT_FOUND: 'Xero listed no organisation for this authorisation',
} as const;

/** `returnTo` with `?xero=connected` or `?xero=error&code=CODE`, its own query kept as it is. */
export function withOutcome(returnTo: string, code: ErrorCode | null): string {
  return withConnectOutcome(returnTo, code === null ? { kind: 'connected' } : outcomeForCode(code));
}

// The contract's bodies are a few hundred bytes. The limit is enforced here, not only by the
// node:http adapter, because hosts mount the handler directly in Next.js, Hono or workers.
const MAX_BODY_BYTES = 65_536;

/** The body as text, stopping (and cancelling the stream) as soon as it passes `limit` bytes. */
async function readLimitedText(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new XeroConnectionHandlerError('VALIDATION_FAILED', `The body is larger than ${limit / 1024} KiB`, { status: 413 });
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * What an Idempotency-Key's fingerprint covers besides the method and route: the body, for a
 * keyed write to a route that reads one (read here within the same limit, from a copy, so the
 * endpoint still reads it), and `null` otherwise.
 */
export async function fingerprintedBody(request: Request, path: string): Promise<string | null> {
  if (readIdempotencyKey(request).kind !== 'key') return null;
  const takesBody = Object.values(contractRoutes).some((route) => route.method === request.method && route.path === path && route.body !== null);
  if (!takesBody || request.body === null) return takesBody ? '' : null;
  return readLimitedText(request.clone(), MAX_BODY_BYTES);
}

export async function readBody<T>(request: Request, schema: Checkable<T>): Promise<T> {
  // JSON only: a cross-site form cannot send it without a CORS preflight, so a forged form post
  // cannot start or finish a round trip with the user's cookies.
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The body must be application/json', { status: 415 });
  }
  const text = await readLimitedText(request, MAX_BODY_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The body is not JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new XeroConnectionHandlerError('VALIDATION_FAILED', 'The body does not match the contract');
  return result.data;
}
