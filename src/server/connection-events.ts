import { randomUUID } from 'node:crypto';

import type { ConnectionKey, StoredConnection } from './connection-store';

/**
 * What happened to a connection, as an event tells it:
 * - `connected`: linked to an organisation (a first connect, or after a disconnect or a choice);
 * - `needs_reauth`: the grant is dead or the organisation removed the app (`reason` says which);
 * - `choosing_organisation`: a consent covered several organisations, or not the expected one;
 * - `disconnected`: a user removed it;
 * - `keep_alive_failing`: keep-alive's last attempt failed (it was fine before);
 * - `recovered`: connected and healthy again after `needs_reauth` or a failing keep-alive;
 * - `expiring`: keep-alive is off or failing and the refresh token expires within 7 days
 *   (`reason` `within_7_days`), then within 1 day (`within_1_day`), each once per token.
 */
export type ConnectionEventType =
  | 'connected'
  | 'needs_reauth'
  | 'choosing_organisation'
  | 'disconnected'
  | 'keep_alive_failing'
  | 'recovered'
  | 'expiring';

/** The event types that need a person: they carry `reconnectUrl` when the handler has `reconnectPageUrl`. */
export const CONNECTION_EVENTS_NEEDING_A_PERSON: readonly ConnectionEventType[] = ['needs_reauth', 'keep_alive_failing', 'expiring'];

/**
 * One change of a connection, recorded in the same write as the change and delivered later by
 * `deliverConnectionEvents`. Never holds a token or a secret.
 */
export interface ConnectionEvent {
  /** Random and stable (a UUID): the same event delivered twice has the same id, for the receiver's dedupe. */
  id: string;
  /** What happened; see {@link ConnectionEventType}. */
  type: ConnectionEventType;
  /** The integration (the handler's `integrationKey`, default its `basePath`). */
  integrationKey: string;
  /** The portal account whose connection it is (`accountId` from `authenticate`). */
  accountId: string;
  /** The linked (or last linked) organisation's name; `null` when none is known. */
  organisationName: string | null;
  /** Why: the `needs_reauth` reason, the organisation choice's reason, or keep-alive's error code; else `null`. */
  reason: string | null;
  /** When the write that made it happened (ISO 8601). */
  occurredAt: string;
  /** Who made the connection, when known. */
  connectedBy: { userId: string; displayName: string } | null;
  /** For events that need a person: the host's page with the reconnect parameters (option `reconnectPageUrl`). Added at delivery. */
  reconnectUrl?: string;
}

function isFailing(connection: StoredConnection | null): boolean {
  return connection?.keepAlive?.failing === true;
}

/**
 * The events one write of a connection emits, from the record before it (`null`: never stored) and
 * after it: at most one per write. Pure apart from the random ids; every store calls it inside its
 * write, so an event exists exactly when its change does.
 */
export function connectionEventsFor(key: ConnectionKey, before: StoredConnection | null, after: StoredConnection | null, now: Date): ConnectionEvent[] {
  if (after === null) return [];
  const make = (type: ConnectionEventType, reason: string | null): ConnectionEvent[] => [
    {
      id: randomUUID(),
      type,
      integrationKey: key.integrationKey,
      accountId: key.accountId,
      organisationName: after.tenant?.tenantName ?? before?.tenant?.tenantName ?? null,
      reason,
      occurredAt: now.toISOString(),
      connectedBy: after.connectedBy === null ? null : { userId: after.connectedBy.userId, displayName: after.connectedBy.displayName },
    },
  ];
  const previous = before?.status ?? null;
  if (previous !== after.status) {
    switch (after.status) {
      case 'connected': {
        const healthy = !isFailing(after);
        // After needs_reauth, or after the disconnect a reconnect makes of a connection that needed it.
        const wasNeeded = previous === 'needs_reauth' || (before?.status === 'disconnected' && (before.disconnectedWhileNeeding ?? null) !== null);
        return make(wasNeeded && healthy ? 'recovered' : 'connected', null);
      }
      case 'needs_reauth':
        return make('needs_reauth', after.needsReauthReason);
      case 'choosing_organisation':
        return make('choosing_organisation', after.organisationChoice.reason);
      case 'disconnected':
        // A record stored disconnected from the start is no change anyone needs to hear of.
        return previous === null ? [] : make('disconnected', null);
    }
  }
  if (after.status === 'connected' && before !== null) {
    if (!isFailing(before) && isFailing(after)) return make('keep_alive_failing', after.lastError?.code ?? null);
    if (isFailing(before) && !isFailing(after)) return make('recovered', null);
    const notice = after.expiryNotice ?? null;
    const previousNotice = before.expiryNotice ?? null;
    if (notice !== null && (notice.refreshTokenIssuedAt !== previousNotice?.refreshTokenIssuedAt || notice.withinDays !== previousNotice.withinDays)) {
      return make('expiring', notice.withinDays === 1 ? 'within_1_day' : 'within_7_days');
    }
  }
  return [];
}
