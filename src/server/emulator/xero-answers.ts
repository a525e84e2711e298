import { randomUUID } from 'node:crypto';

import type { ProviderContext } from 'oidc-provider';

// What Xero's APIs (api.xero.com: /connections, the Accounting and Payroll APIs) answer alike:
// JSON bodies, the 401 of a dead access token, the 403 of a tenant the token does not reach, and
// their timestamps.

export function answerJson(ctx: ProviderContext, status: number, body: unknown): true {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
  return true;
}

/** The bearer token of the request, if any. */
export function bearerOf(ctx: ProviderContext): string | undefined {
  return /^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1];
}

/** Xero's 401 for a missing, forged, expired or revoked access token. */
export function answerUnauthorized(ctx: ProviderContext, now: Date): true {
  const detail = `TokenExpired: token expired at ${now.toUTCString()}`;
  return answerJson(ctx, 401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: detail });
}

/** Xero's 403 for a tenant the token does not reach (missing, unknown, or the app was removed there). */
export function answerForbidden(ctx: ProviderContext): true {
  return answerJson(ctx, 403, { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful', Instance: randomUUID(), Extensions: {} });
}

export function answerNotFound(ctx: ProviderContext): true {
  return answerJson(ctx, 404, { Title: 'Not Found', Status: 404 });
}

/**
 * A timestamp as /connections writes it: UTC without an offset, seven fractional digits
 * (`2019-12-07T18:46:19.5165400`, xero-identity.yaml's example).
 */
export function connectionsTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, -1)}0000`;
}

/** A timestamp as the Accounting and Payroll APIs write it: `/Date(1573755038314+0000)/`. */
export function msJsonDate(date: Date): string {
  return `/Date(${date.getTime()}+0000)/`;
}
