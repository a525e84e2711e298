export {
  createXeroConnectionHandler,
  type AuthenticatedCaller,
  type XeroConnectionHandler,
  type XeroConnectionHandlerOptions,
} from './create-handler';
export {
  createMemoryConnectionStore,
  type ConnectionKey,
  type ConnectionStore,
  type ConnectSession,
  type StoredConnection,
  type StoredTokens,
} from './connection-store';
export { XERO_ENDPOINTS, resolveXeroEndpoints, type XeroEndpoints } from './xero-endpoints';
export { XeroConnectionHandlerError } from './xero-error';
export { toNodeListener, type NodeListenerOptions } from './node-listener';
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
