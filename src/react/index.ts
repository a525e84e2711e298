'use client';
// `@carevision/xero-connection` React layer: the provider, the headless hook, and the query key
// and options factories hosts use to prefetch and invalidate. No `window` at import.
export {
  XeroConnectionProvider,
  type XeroConnectionProviderProps,
} from './xero-connection-provider';
export { useXeroConnection } from './use-xero-connection';
export { xeroConnectionKeys, type XeroConnectionQueryKey } from './query-keys';
export { CONNECTION_STALE_TIME_MS, connectionQueryOptions } from './query-options';
export { notifyXeroProblem } from './refresh-connection';
export {
  DEFAULT_EXPIRING_WITHIN_DAYS,
  deriveConnectionState,
  type DeriveConnectionStateInput,
} from '../client/derive-state';
export type {
  ConnectOptions,
  ConnectWindowMode,
  ConnectedConnection,
  PopupFallback,
  UseXeroConnectionOptions,
  UseXeroConnectionResult,
  XeroConnectionEvent,
  XeroConnectionState,
  XeroConnectionStateStatus,
} from './types';
