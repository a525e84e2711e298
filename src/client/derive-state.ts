import type { Connection } from '../contract';
import type { XeroConnectionState } from './connection-types';
import type { XeroConnectionError } from './errors';

const DAY_MS = 86_400_000;

/** The default of `expiringWithinDays`: a week's warning before the refresh token's estimated expiry. */
export const DEFAULT_EXPIRING_WITHIN_DAYS = 7;

/** What {@link deriveConnectionState} reads. */
export interface DeriveConnectionStateInput {
  /** The backend's last reported connection, or `null` before the first answer. */
  connection: Connection | null;
  /** The last read's error, or `null` when it succeeded (or has not finished). */
  error: XeroConnectionError | null;
  /** Whether a read is in flight; a retry after an error shows `loading` again. */
  isFetching: boolean;
  /** The moment to measure the refresh token's remaining life from. */
  now: Date;
  /** Days before the estimated expiry at which `connected` becomes `expiring`. */
  expiringWithinDays: number;
  /** Reads the status again; becomes `retry` of the `error` state. */
  retry: () => void;
}

/**
 * The hook's state for a connection and a read error: a pure function, so the rules can be tested
 * (and reused) without React.
 *
 * - A read error wins over an older connection (the backend is unreachable or broke the contract);
 *   while that read is retried the state is `loading`.
 * - `connected` with a refresh token expiring within `expiringWithinDays` of `now` is `expiring`,
 *   with `expiresInDays` rounded up and never below 0, unless the backend's keep-alive is on, not
 *   failing, and due to refresh it before then: the token is renewed without anyone's help.
 */
export function deriveConnectionState(input: DeriveConnectionStateInput): XeroConnectionState {
  const { connection, error, retry } = input;
  if (error) {
    if (input.isFetching) return { status: 'loading' };
    return { status: 'error', error, reason: null, connection, retry };
  }
  if (!connection) return { status: 'loading' };
  switch (connection.status) {
    case 'connected': {
      const expiresAt = connection.refreshTokenExpiresAt === null ? null : new Date(connection.refreshTokenExpiresAt);
      const msLeft = expiresAt === null ? Infinity : expiresAt.getTime() - input.now.getTime();
      if (expiresAt !== null && msLeft <= input.expiringWithinDays * DAY_MS && !keptAlive(connection, expiresAt)) {
        return {
          status: 'expiring',
          connection,
          tenant: connection.tenant,
          expiresInDays: Math.max(0, Math.ceil(msLeft / DAY_MS)),
          expiresAt,
        };
      }
      return { status: 'connected', connection, tenant: connection.tenant };
    }
    case 'needs_reauth':
      return { status: 'needs_reauth', connection, reason: connection.reason, tenant: connection.tenant };
    case 'disconnected':
      return { status: 'disconnected', connection, reason: connection.reason };
    case 'error':
      return { status: 'error', error: null, reason: connection.reason, connection, retry };
    case 'choosing_organisation':
      return {
        status: 'choosing_organisation',
        connection,
        reason: connection.reason,
        organisations: connection.organisations,
        tenant: connection.tenant,
      };
  }
}

/** Whether the backend's keep-alive will renew the refresh token before `expiresAt`. */
function keptAlive(connection: Connection, expiresAt: Date): boolean {
  const keepAlive = connection.keepAlive;
  if (keepAlive === undefined || !keepAlive.enabled || keepAlive.failing || keepAlive.nextRefreshAt === null) return false;
  return new Date(keepAlive.nextRefreshAt).getTime() < expiresAt.getTime();
}

/** The `reason` an analytics event reports for a state: the status's reason, or the error's code. */
export function stateReason(state: XeroConnectionState): string | null {
  switch (state.status) {
    case 'needs_reauth':
    case 'disconnected':
    case 'choosing_organisation':
      return state.reason;
    case 'error':
      return state.reason ?? state.error?.code ?? null;
    default:
      return null;
  }
}
