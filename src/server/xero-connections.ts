import type { Tenant } from '../contract';
import type { XeroOAuth } from './oauth';
import { errorForXeroStatus, XeroConnectionHandlerError } from './xero-error';

/**
 * One entry of Xero's `GET /connections`, as Xero sends it: besides organisations it lists
 * practices and Practice Manager tenants (`PRACTICEMANAGER`, with `tenantName: null`), and may
 * list types this package does not know.
 */
export interface XeroConnectionEntry {
  id: string;
  authEventId?: string;
  tenantId: string;
  tenantType: string;
  tenantName: string | null;
  createdDateUtc?: string;
  updatedDateUtc?: string;
}

/** An entry the portal can link: an organisation, the only kind that serves the Accounting and Payroll APIs. */
export interface XeroOrganisationEntry extends XeroConnectionEntry {
  tenantType: 'ORGANISATION';
  tenantName: string;
}

/** Xero's 401: the access token is expired or was revoked. The caller may refresh and try once more. */
export class XeroAccessTokenRejected extends XeroConnectionHandlerError {
  constructor(message: string) {
    super('XERO_FORBIDDEN', message);
  }
}

function isEntry(value: unknown): value is XeroConnectionEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.id === 'string' &&
    entry.id !== '' &&
    typeof entry.tenantId === 'string' &&
    entry.tenantId !== '' &&
    typeof entry.tenantType === 'string' &&
    (typeof entry.tenantName === 'string' || entry.tenantName === null)
  );
}

/**
 * The entries Billing and Payroll can link: organisations with a name. Everything else Xero lists
 * (practices, Practice Manager, kinds added later, entries missing a field) is ignored, never a
 * failure: one such entry must not stop a user from connecting or disconnecting.
 */
export function organisationsOf(entries: readonly XeroConnectionEntry[]): XeroOrganisationEntry[] {
  return entries.filter(
    (entry): entry is XeroOrganisationEntry => entry.tenantType === 'ORGANISATION' && typeof entry.tenantName === 'string' && entry.tenantName.trim() !== '',
  );
}

/**
 * `GET /connections[?authEventId=]`: every tenant this grant reaches, of any kind (see
 * {@link organisationsOf} for those that can be linked). Entries that are not even well formed
 * are dropped; only a body that is not a list fails.
 */
export async function listXeroConnections(
  oauth: XeroOAuth,
  accessToken: string,
  now: Date,
  authEventId?: string,
): Promise<XeroConnectionEntry[]> {
  const url = new URL(oauth.endpoints.connectionsUrl);
  if (authEventId !== undefined) url.searchParams.set('authEventId', authEventId);
  const response = await oauth.fetchXero(url.href, { method: 'GET', accessToken });
  if (response.status === 401) throw new XeroAccessTokenRejected('GET /connections answered 401');
  if (!response.ok) throw errorForXeroStatus(response, now, 'GET /connections');
  const body: unknown = await response.json().catch(() => null);
  if (!Array.isArray(body)) throw new XeroConnectionHandlerError('XERO_UNAVAILABLE', 'GET /connections answered an unexpected body');
  return body.filter(isEntry);
}

/** `DELETE /connections/{id}`: `true` when Xero removed it or it was already gone (404). */
export async function deleteXeroConnection(oauth: XeroOAuth, accessToken: string, connectionId: string, now: Date): Promise<boolean> {
  const url = `${oauth.endpoints.connectionsUrl.replace(/\/$/, '')}/${encodeURIComponent(connectionId)}`;
  const response = await oauth.fetchXero(url, { method: 'DELETE', accessToken });
  if (response.status === 401) throw new XeroAccessTokenRejected('DELETE /connections/{id} answered 401');
  if (response.status === 204 || response.ok || response.status === 404) return true;
  throw errorForXeroStatus(response, now, 'DELETE /connections/{id}');
}

/** The contract's tenant for a Xero connection entry. */
export function toTenant(entry: XeroOrganisationEntry): Tenant {
  return { tenantId: entry.tenantId, tenantName: entry.tenantName, tenantType: entry.tenantType, connectionId: entry.id };
}

/** Xero's access tokens are JWTs carrying `authentication_event_id`; `undefined` when unreadable. */
export function authEventIdOf(accessToken: string): string | undefined {
  return stringClaim(accessToken, 'authentication_event_id');
}

/**
 * The Xero user (`xero_userid`) an access token was issued to, read without verifying (it is
 * Xero's own answer, from the token endpoint). Tells a reconnect by another Xero user, whose
 * replaced grant can be given up without touching the new one, from the same user's.
 */
export function xeroUserIdOf(accessToken: string): string | undefined {
  return stringClaim(accessToken, 'xero_userid');
}

function stringClaim(accessToken: string, name: string): string | undefined {
  const payload = accessToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const value = (claims as Record<string, unknown> | null)?.[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
