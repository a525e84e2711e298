// `@carevision/xero-connection/client`: the contract and a typed fetch client. No React, no
// @tanstack: usable in plain Node, in any framework, and by backends that implement the contract.
export * from '../contract';
export {
  createXeroConnectionClient,
  type HeadersOption,
  type RequestOptions,
  type WriteRequestOptions,
  type XeroConnectionClient,
  type XeroConnectionClientOptions,
} from './create-client';
export {
  XeroConnectionApiError,
  XeroConnectionContractError,
  XeroConnectionError,
  XeroConnectionNetworkError,
  XeroConnectionTimeoutError,
  XeroConnectionUsageError,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionError,
  isXeroConnectionNetworkError,
  isXeroConnectionTimeoutError,
  isXeroConnectionUsageError,
  type ContractIssue,
  type XeroConnectionErrorCode,
} from './errors';
export type { RetryOptions } from './retry';
export {
  XERO_RECONNECT_CODES,
  XERO_RETRY_LATER_CODES,
  isXeroReconnectProblem,
  isXeroRetryLaterProblem,
  readXeroProblem,
  type XeroReconnectCode,
  type XeroRetryLaterCode,
} from './problem-kinds';
export {
  completeXeroConnection,
  type CompleteXeroConnectionOptions,
  type CompleteXeroConnectionResult,
} from './complete-connection';
export {
  outcomeForCode,
  readConnectReturn,
  readReconnectRequest,
  withReconnectRequest,
  returnToFor,
  withConnectOutcome,
  withoutConnectReturn,
  type ConnectOutcome,
  type ConnectReturn,
} from './connect-return';
export {
  createXeroConnectionController,
  type XeroConnectionController,
  type XeroConnectionControllerOptions,
  type XeroConnectionSnapshot,
} from './connection-controller';
export {
  createConnectionSource,
  type ConnectionRead,
  type ConnectionSource,
  type ConnectionSourceOptions,
} from './connection-source';
export type * from './connection-types';
