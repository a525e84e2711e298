import { isXeroReconnectProblem, isXeroRetryLaterProblem, type XeroReconnectCode, type XeroRetryLaterCode } from '../../client';

/** What the notice makes of the `problem` it is given. */
export type NoticeProblem =
  | { kind: 'reconnect'; code: XeroReconnectCode }
  | { kind: 'retry_later'; code: XeroRetryLaterCode; retryAfterSeconds: number | null }
  | null;

function read<T>(value: unknown, key: string): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as Record<string, T | undefined>)[key];
  } catch {
    return undefined;
  }
}

/**
 * Sorts the host's `problem` with the client's own predicates: a problem body, this package's
 * `XeroConnectionApiError`, or a host's error that carries the body as `problem` (as a host's
 * `fetch` wrapper often does). `null` for anything the notice has nothing to say about.
 */
export function classifyProblem(value: unknown): NoticeProblem {
  const candidates = [value, read<unknown>(value, 'problem')];
  for (const candidate of candidates) {
    if (isXeroReconnectProblem(candidate)) return { kind: 'reconnect', code: candidate.code };
    if (isXeroRetryLaterProblem(candidate)) {
      const seconds = read<unknown>(candidate, 'retryAfterSeconds');
      const retryAfterSeconds = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
      return { kind: 'retry_later', code: candidate.code, retryAfterSeconds };
    }
  }
  return null;
}

// When each problem object was first seen: "try again at" counts from the answer's arrival, and a
// notice mounted again (or rendered twice) for the same problem must name the same time.
const firstSeen = new WeakMap<object, number>();

/** When `problem` (an object the notice classified) was first seen, in ms since the epoch. */
export function receivedAt(problem: object): number {
  let at = firstSeen.get(problem);
  if (at === undefined) {
    at = Date.now();
    firstSeen.set(problem, at);
  }
  return at;
}
