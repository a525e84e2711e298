import type { AuthenticatedCaller } from './create-handler';

/** What `authenticate` answered, checked: the caller, `null` for no session, or why the answer was unusable. */
export type CheckedCaller =
  | { kind: 'caller'; caller: Required<AuthenticatedCaller> }
  | { kind: 'anonymous' }
  | { kind: 'invalid'; problem: string };

/**
 * Reads `authenticate`'s answer strictly. Only `null` or a caller with a non-empty string `userId`
 * and a boolean `canManage` (and, when given, non-empty strings `displayName` and `accountId`)
 * counts: a loose answer (`false`, `""`, `undefined`, `{ canManage: "false" }`) is no session,
 * never a read, since a host's typo must fail closed.
 */
export function checkCaller(value: unknown): CheckedCaller {
  if (value === null) return { kind: 'anonymous' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', problem: `authenticate answered ${value === undefined ? 'undefined' : typeof value}; it must answer null or { userId, canManage }` };
  }
  const caller = value as Record<string, unknown>;
  if (typeof caller.userId !== 'string' || caller.userId.trim() === '') return { kind: 'invalid', problem: 'authenticate answered a caller without a non-empty string userId' };
  if (typeof caller.canManage !== 'boolean') return { kind: 'invalid', problem: `authenticate answered canManage as ${typeof caller.canManage}; it must be a boolean` };
  for (const name of ['displayName', 'accountId'] as const) {
    const field = caller[name];
    if (field !== undefined && (typeof field !== 'string' || field.trim() === '')) {
      return { kind: 'invalid', problem: `authenticate answered ${name} as ${JSON.stringify(field)}; when given it must be a non-empty string` };
    }
  }
  const userId = caller.userId;
  return {
    kind: 'caller',
    caller: {
      userId,
      canManage: caller.canManage,
      displayName: typeof caller.displayName === 'string' ? caller.displayName : userId,
      accountId: typeof caller.accountId === 'string' ? caller.accountId : 'default',
    },
  };
}

/**
 * Why a request that changes something (any method but GET and HEAD) comes from another site, or
 * `null`. Not left to CORS alone: a cross-site form can POST `text/plain` without a preflight, and
 * the browser sends the cookies. `Sec-Fetch-Site: cross-site` is refused, and so is an `Origin`
 * other than the request's own or one of `allowedOrigins` (`Origin: null` included). A request
 * with neither header (a server-side caller, an older browser) passes: it carries no ambient
 * cookies of a victim's browser, or its browser predates both headers.
 */
export function crossSiteRefusal(request: Request, allowedOrigins: readonly string[]): string | null {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  if (request.headers.get('sec-fetch-site')?.toLowerCase() === 'cross-site') return 'A cross-site request may not change the connection';
  const origin = request.headers.get('origin');
  if (origin === null) return null;
  if (origin === new URL(request.url).origin || allowedOrigins.includes(origin)) return null;
  return `Requests from ${origin === 'null' ? 'an opaque origin' : origin} may not change the connection`;
}
