import type { Tenant } from '../contract';
import type { XeroOAuth } from './oauth';
import { errorForXeroStatus, XeroConnectionHandlerError } from './xero-error';

/** One entry of Xero's `GET /connections`. */
export interface XeroConnectionEntry {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: 'ORGANISATION' | 'PRACTICE';
  tenantName: string;
  createdDateUtc?: string;
  updatedDateUtc?: string;
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
    typeof entry.tenantId === 'string' &&
    typeof entry.tenantName === 'string' &&
    (entry.tenantType === 'ORGANISATION' || entry.tenantType === 'PRACTICE')
  );
}

/** `GET /connections[?authEventId=]`: the tenants this grant reaches. */
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
  if (!Array.isArray(body) || !body.every(isEntry)) {
    throw new XeroConnectionHandlerError('XERO_UNAVAILABLE', 'GET /connections answered an unexpected body');
  }
  return body;
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
export function toTenant(entry: XeroConnectionEntry): Tenant {
  return { tenantId: entry.tenantId, tenantName: entry.tenantName, tenantType: entry.tenantType, connectionId: entry.id };
}

/** Xero's access tokens are JWTs carrying `authentication_event_id`; `undefined` when unreadable. */
export function authEventIdOf(accessToken: string): string | undefined {
  const payload = accessToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const id = (claims as Record<string, unknown> | null)?.authentication_event_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
