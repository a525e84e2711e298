// `@carevision/xero-connection`: the React layer. The built entry starts with "use client"
// (added by tsup.config.ts, since esbuild drops module directives). Nothing here touches
// `window` at import.
//
// Every module-level call (forwardRef, createContext, zod schemas) is marked /* @__PURE__ */, so a
// bundler can drop what an import does not reach: without it `{ useXeroConnection }` alone kept
// the card, the dialog and Radix. The hook-only check in .size-limit.cjs fails if one goes missing.
export {
  XeroConnectionProvider,
  useXeroConnection,
  xeroConnectionKeys,
  connectionQueryOptions,
  notifyXeroProblem,
  DEFAULT_EXPIRING_WITHIN_DAYS,
  type XeroConnectionProviderProps,
  type XeroConnectionQueryKey,
  type ConnectOptions,
  type ConnectWindowMode,
  type ConnectedConnection,
  type PopupFallback,
  type UseXeroConnectionOptions,
  type UseXeroConnectionResult,
  type XeroConnectionEvent,
  type XeroConnectionState,
  type XeroConnectionStateStatus,
} from './react';
export * from './components/disconnect-dialog';
export * from './components/xero-connection-card';
export * from './components/xero-reconnect-notice';
export {
  defaultMessages,
  type Message,
  type MessageKey,
  type XeroConnectionMessages,
} from './components/messages';

// The client, so a host creating `<XeroConnectionProvider client={…}>` needs one import. The same
// code as `./client` (a shared chunk in the build), so error guards agree across both entries.
export {
  completeXeroConnection,
  createXeroConnectionClient,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionError,
  isXeroConnectionNetworkError,
  isXeroConnectionTimeoutError,
  isXeroConnectionUsageError,
  isXeroReconnectProblem,
  isXeroRetryLaterProblem,
  readXeroProblem,
  XERO_RECONNECT_CODES,
  XERO_RETRY_LATER_CODES,
  XeroConnectionApiError,
  XeroConnectionContractError,
  XeroConnectionError,
  XeroConnectionNetworkError,
  XeroConnectionTimeoutError,
  XeroConnectionUsageError,
  type CompleteXeroConnectionOptions,
  type CompleteXeroConnectionResult,
  type Connection,
  type ConnectOutcome,
  type ConnectionReason,
  type ConnectionStatus,
  type Tenant,
  type XeroConnectionClient,
  type XeroConnectionClientOptions,
  type XeroConnectionErrorCode,
  type XeroReconnectCode,
  type XeroRetryLaterCode,
} from './client';
