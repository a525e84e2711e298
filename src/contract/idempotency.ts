import { ERROR_CODE_INFO, errorCodeSchema, type ErrorCode } from './error-codes';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { CONTRACT_VERSION_HEADER } from './version';

// The contract's Idempotency-Key rule, in one place: the reference backend (src/server) and the
// test fake (src/testing) both answer writes through `answerIdempotently`, so they cannot drift.
// Pure Web APIs only (Request, Response, crypto.subtle): no node: imports, usable in browsers.
// Modelled on draft-ietf-httpapi-idempotency-key-header (422 for a key reused with another
// payload, 409 while the first request is still being processed) and on Stripe's practice.

/** The request header that makes a write safe to repeat. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set to `true` on an answer that is a replay of an earlier one, not the result of acting now. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** How long a key is remembered after its first request: 24 hours. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * How long a key is held as "in progress" at most. Longer than any write takes (the store lock
 * gives up after 30 s); a backend that dies mid-request frees the key after this, not after a day.
 */
export const IDEMPOTENCY_IN_PROGRESS_LEASE_MS = 2 * 60 * 1000;

/** The longest key accepted, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The methods the rule applies to: the contract's writes. A key on a read is ignored. */
export const IDEMPOTENT_METHODS: readonly string[] = ['POST', 'DELETE'];

// Error codes that say what acting did (or found) and would say it again: their answers are kept
// and replayed. VALIDATION_FAILED is about the request's shape (fix it and send it again under
// the same key); UNAUTHENTICATED and FORBIDDEN are about the session, which can change.
const NOT_AN_OUTCOME: readonly ErrorCode[] = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN'];

// Only these headers are kept with an answer: what the body needs to be read. Nothing the request
// carried (cookies, authorization) and no Set-Cookie is ever stored.
const KEPT_HEADERS: readonly string[] = ['content-type', CONTRACT_VERSION_HEADER.toLowerCase()];

/** An answer kept for a key: its status, the headers needed to read it, and its body text. */
export interface IdempotentReply {
  status: number;
  /** `content-type` and the contract version header, names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** A key whose first request is still being answered. */
export interface PendingIdempotencyRecord {
  state: 'in_progress';
  /** The SHA-256 (hex) of the first request’s method, route and body (for a route that reads one). */
  fingerprint: string;
  /** When the first request arrived (ISO 8601). */
  createdAt: string;
  /** When the claim lapses if the request never finishes: `createdAt` + {@link IDEMPOTENCY_IN_PROGRESS_LEASE_MS}. */
  expiresAt: string;
}

/** A key whose first request was answered with an answer worth replaying. */
export interface CompletedIdempotencyRecord {
  state: 'done';
  fingerprint: string;
  createdAt: string;
  /** When the key is forgotten: `createdAt` + {@link IDEMPOTENCY_WINDOW_MS}. */
  expiresAt: string;
  reply: IdempotentReply;
}

/** What is remembered for one key: a union on `state`. */
export type IdempotencyRecord = PendingIdempotencyRecord | CompletedIdempotencyRecord;

/**
 * Where one key's record lives: bound to the key and the caller's scope by the backend. `claim`
 * must be atomic (of two claims for the same key, one gets `null`).
 */
export interface IdempotencySlot {
  /**
   * Stores `pending` when there is no live record (none, or one whose `expiresAt` is not after
   * `pending.createdAt`) and resolves `null`; otherwise stores nothing and resolves the live record.
   */
  claim(pending: PendingIdempotencyRecord): Promise<IdempotencyRecord | null>;
  /** Replaces the pending record with the answer to replay. */
  complete(record: CompletedIdempotencyRecord): Promise<void>;
  /** Forgets the record: the answer is not kept, so the key may act again. */
  release(): Promise<void>;
}

/** Why a request was refused by the rule: always answered as `VALIDATION_FAILED` with this status. */
export interface IdempotencyRefusal {
  /** 400: the key is malformed; 409: its first request is still in progress; 422: it was used for another request. */
  status: 400 | 409 | 422;
  detail: string;
  /** Set with 409: when to try again. */
  retryAfterSeconds?: number;
}

/** What {@link answerIdempotently} needs from a backend. */
export interface AnswerIdempotentlyOptions {
  request: Request;
  /** The contract route the request matched, e.g. `/connect` (relative to the base URL). */
  path: string;
  /** The body the endpoint reads (part of the fingerprint); `null` for a route without a body. */
  body: string | null;
  now: () => Date;
  /** The slot of `key` in the caller's scope (the scope is the backend's: account, user, route). */
  slot: (key: string) => IdempotencySlot;
  /** Builds the backend's problem for a refusal (`VALIDATION_FAILED` with the refusal's status). */
  refuse: (refusal: IdempotencyRefusal) => Response;
  /** Acts: the endpoint itself. */
  run: () => Promise<Response>;
}

type KeyReading = { kind: 'none' } | { kind: 'invalid'; detail: string } | { kind: 'key'; key: string };

/**
 * The request's `Idempotency-Key`: none (absent, or a read, where it is ignored), a valid key
 * (1 to 255 printable ASCII characters), or why it is not one.
 */
export function readIdempotencyKey(request: Request): KeyReading {
  if (!IDEMPOTENT_METHODS.includes(request.method.toUpperCase())) return { kind: 'none' };
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) return { kind: 'none' };
  if (key === '') return { kind: 'invalid', detail: `The ${IDEMPOTENCY_KEY_HEADER} header is empty: send a fresh UUID per user action, or no header` };
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { kind: 'invalid', detail: `The ${IDEMPOTENCY_KEY_HEADER} header has ${key.length} characters; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are accepted` };
  }
  if (!/^[\x20-\x7e]+$/.test(key)) return { kind: 'invalid', detail: `The ${IDEMPOTENCY_KEY_HEADER} header must be printable ASCII (a UUID is)` };
  return { kind: 'key', key };
}

/** The SHA-256 (hex) of a write: its method, route and body, so a key cannot be reused for another request. */
export async function idempotencyFingerprint(method: string, path: string, body: string | null): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify([method.toUpperCase(), path, body]));
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether an answer is kept and replayed: 2xx, and 4xx problems that report what acting did or
 * found (`STATE_MISMATCH` once a state is spent, `XERO_TENANT_MISMATCH`, `XERO_INVALID_GRANT`…),
 * which the same request would only get wrong the second time. Not kept, so the same key may act
 * again: retryable problems (429, 5xx), `VALIDATION_FAILED` (the request is fixed and sent again),
 * `UNAUTHENTICATED` and `FORBIDDEN` (the session may change), and anything that is not a problem.
 */
export function isReplayableAnswer(status: number, body: string, contentType: string | null): boolean {
  if (status >= 200 && status < 300) return true;
  if (status < 400 || status >= 500 || contentType?.split(';')[0]?.trim().toLowerCase() !== PROBLEM_CONTENT_TYPE) return false;
  let code: ErrorCode;
  try {
    const parsed = errorCodeSchema.safeParse((JSON.parse(body) as { code?: unknown }).code);
    if (!parsed.success) return false;
    code = parsed.data;
  } catch {
    return false;
  }
  return !NOT_AN_OUTCOME.includes(code) && !ERROR_CODE_INFO[code].retryable && ERROR_CODE_INFO[code].status === status;
}

function replay(reply: IdempotentReply): Response {
  const headers = new Headers(reply.headers);
  headers.set('cache-control', 'no-store');
  headers.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return new Response(reply.body, { status: reply.status, headers });
}

function keptHeaders(response: Response): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return kept;
}

const MISMATCH_DETAIL = `This ${IDEMPOTENCY_KEY_HEADER} was used for another request (a different method, route or body) within the last 24 hours: send a new key for a new request, or the same request to get its first answer`;

/**
 * Answers a request under the contract's `Idempotency-Key` rule. A write (POST, DELETE) without
 * the header, and every read, is simply run. With a key:
 *
 * - malformed (empty, over 255 characters, not printable ASCII): refused, 400;
 * - unseen (or seen more than 24 h ago): claimed, then run; the answer is kept when
 *   {@link isReplayableAnswer} says so, else the key is released and may act again;
 * - seen with the same method, route and body: its kept answer is sent again (status, body,
 *   `content-type`, contract version) with `Idempotent-Replayed: true`, without acting;
 * - seen with another method, route or body: refused, 422;
 * - its first request still in progress: refused, 409 with `Retry-After: 1`.
 *
 * Keys are scoped by the backend (`slot`): the reference backend keeps them per integration,
 * account, user and route.
 */
export async function answerIdempotently(options: AnswerIdempotentlyOptions): Promise<Response> {
  const reading = readIdempotencyKey(options.request);
  if (reading.kind === 'none') return options.run();
  if (reading.kind === 'invalid') return options.refuse({ status: 400, detail: reading.detail });

  const fingerprint = await idempotencyFingerprint(options.request.method, options.path, options.body);
  const slot = options.slot(reading.key);
  const start = options.now();
  const createdAt = start.toISOString();
  const existing = await slot.claim({
    state: 'in_progress',
    fingerprint,
    createdAt,
    expiresAt: new Date(start.getTime() + IDEMPOTENCY_IN_PROGRESS_LEASE_MS).toISOString(),
  });
  if (existing !== null) {
    if (existing.fingerprint !== fingerprint) return options.refuse({ status: 422, detail: MISMATCH_DETAIL });
    if (existing.state === 'done') return replay(existing.reply);
    return options.refuse({
      status: 409,
      detail: `The first request with this ${IDEMPOTENCY_KEY_HEADER} is still in progress: try again in a moment with the same key to get its answer`,
      retryAfterSeconds: 1,
    });
  }

  let response: Response;
  try {
    response = await options.run();
  } catch (error) {
    await slot.release();
    throw error;
  }
  const body = response.body === null ? '' : await response.clone().text();
  if (!isReplayableAnswer(response.status, body, response.headers.get('content-type'))) {
    await slot.release();
    return response;
  }
  await slot.complete({
    state: 'done',
    fingerprint,
    createdAt,
    expiresAt: new Date(start.getTime() + IDEMPOTENCY_WINDOW_MS).toISOString(),
    reply: { status: response.status, headers: keptHeaders(response), body },
  });
  return response;
}

/** Records in memory, for the fake, the memory store and a store without records of its own. */
export interface MemoryIdempotencyRecords {
  /** The slot of one scope (any string that names the caller, route and key). */
  slot(scope: string): IdempotencySlot;
  /** How many records are held. */
  readonly size: number;
  /** Forgets every record. */
  clear(): void;
}

/**
 * Idempotency records in a `Map`, bounded: past `maxRecords` the oldest claims are dropped, and
 * records whose window has passed are dropped as newer ones arrive.
 */
export function createMemoryIdempotencyRecords(maxRecords: number): MemoryIdempotencyRecords {
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError(`maxIdempotencyRecords must be a whole number ≥ 1 (got ${String(maxRecords)})`);
  const records = new Map<string, IdempotencyRecord>();
  const isLive = (record: IdempotencyRecord | undefined, at: string): record is IdempotencyRecord =>
    record !== undefined && Date.parse(record.expiresAt) > Date.parse(at);
  return {
    get size() {
      return records.size;
    },
    clear: () => records.clear(),
    slot: (scope) => ({
      async claim(pending) {
        const found = records.get(scope);
        if (isLive(found, pending.createdAt)) return structuredClone(found);
        // Re-inserted, so the Map's order stays the order of claims: the oldest come first.
        records.delete(scope);
        records.set(scope, structuredClone(pending));
        for (const [oldest, record] of records) {
          if (records.size <= maxRecords && isLive(record, pending.createdAt)) break;
          records.delete(oldest);
        }
        return null;
      },
      async complete(record) {
        if (records.has(scope)) records.set(scope, structuredClone(record));
      },
      async release() {
        records.delete(scope);
      },
    }),
  };
}
