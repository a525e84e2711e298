export {
  createXeroConnectionHandler,
  type AuthenticatedCaller,
  type XeroConnectionHandler,
  type XeroConnectionHandlerOptions,
  type XeroConnectionBackend,
  type XeroConnectionHandlerWithKeepAlive,
} from './create-handler';
export {
  createMemoryConnectionStore,
  isKeptAlive,
  refreshTokenIssuedAt,
  type ConnectionKey,
  type ConnectionStore,
  type ConnectionStoreLimits,
  type MemoryConnectionStoreOptions,
  type ConnectSession,
  connectSessionVerdict,
  type ConnectSessionLimits,
  type PendingConnectSessions,
  type StartConnectSessionResult,
  type ClaimedConnectionEvent,
  type ConnectionEventClaim,
  type ConnectionEventFailure,
  type DueConnection,
  type DueConnectionQuery,
  type DueConnectionCursor,
  type IdempotencyKeyId,
  type StoredConnection,
  type StoredConnectionFields,
  type NeedsReauthReason,
  type StoredKeepAlive,
  type StoredExpiryNotice,
  type StoredOrganisationChoice,
  type StoredTokens,
} from './connection-store';
export {
  CONNECTION_EVENTS_NEEDING_A_PERSON,
  connectionEventsFor,
  type ConnectionEvent,
  type ConnectionEventType,
} from './connection-events';
export {
  defaultEventBackoffMs,
  type ConnectionEventDeliverySummary,
  type DeliverConnectionEventsOptions,
  type EventDeliveryTimer,
  type SendConnectionEvent,
  type StartEventDeliveryOptions,
} from './event-delivery';
export {
  KEEP_ALIVE_DEFAULT_OLDER_THAN_DAYS,
  KEEP_ALIVE_SAFETY_MARGIN_DAYS,
  XeroKeepAliveConfigurationError,
  type KeepAliveConfigurationProblem,
  type KeepAliveConnectionResult,
  type KeepAliveOutcome,
  type KeepAliveRunSummary,
  type KeepAliveSleep,
  type KeepAliveStop,
  type KeepAliveTimer,
  type RefreshDueConnectionsOptions,
  type StartKeepAliveOptions,
  type XeroKeepAliveOptions,
} from './keep-alive';
export {
  IDEMPOTENCY_IN_PROGRESS_LEASE_MS,
  IDEMPOTENCY_WINDOW_MS,
  type CompletedIdempotencyRecord,
  type IdempotencyRecord,
  type IdempotentReply,
  type PendingIdempotencyRecord,
} from '../contract/idempotency';
export { XERO_ENDPOINTS, resolveXeroEndpoints, type XeroEndpoints } from './xero-endpoints';
export { XeroConnectionConfigurationError, XeroConnectionHandlerError } from './xero-error';
export type { XeroFetch, XeroFetchInit, XeroFetchOptions } from './xero-fetch';
export { toNodeListener, type NodeListenerOptions } from './node-listener';
export { createWebhookSender, XeroWebhookDeliveryError, type WebhookSenderOptions } from './webhook-sender';
export type { ReencryptCount, ReencryptSummary, SqlStoreOptions } from './sealed-columns';
export {
  createSqliteConnectionStore,
  SQLITE_SCHEMA_VERSION,
  type SqliteConnectionStore,
  type SqliteConnectionStoreOptions,
} from './sqlite-store';
export {
  createPostgresConnectionStore,
  POSTGRES_SCHEMA_VERSION,
  type PostgresConnectionStore,
  type PostgresConnectionStoreOptions,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from './postgres-store';
export {
  createTokenCipher,
  parseEncryptionKey,
  ENCRYPTION_KEY_ENV_VAR,
  XeroConnectionDecryptionError,
  XeroConnectionEncryptionKeyError,
  type DecryptionProblem,
  type EncryptionKeyInput,
  type EncryptionKeyProblem,
  type TokenCipher,
} from './token-cipher';
