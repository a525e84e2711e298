export { CONTRACT_ACCEPT, CONTRACT_ACCEPT_PARAM, CONTRACT_VERSION, CONTRACT_VERSION_HEADER, acceptedContractMinor } from './version';
export { ERROR_CODES, ERROR_CODE_INFO, errorCodeSchema, type ErrorCode, type ErrorCodeInfo } from './error-codes';
export { problemSchema, problemTypeFor, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
export {
  CHOOSING_ORGANISATION_REASONS,
  CONNECTION_REASONS,
  CONNECTION_STATUSES,
  DISCONNECTED_REASONS,
  ERROR_REASONS,
  NEEDS_REAUTH_REASONS,
  TENANT_TYPES,
  choosingOrganisationConnectionSchema,
  connectedBySchema,
  connectedConnectionSchema,
  connectionSchema,
  disconnectedConnectionSchema,
  errorConnectionSchema,
  needsReauthConnectionSchema,
  keepAliveSchema,
  lastErrorSchema,
  tenantSchema,
  type Connection,
  type ConnectionReason,
  type ConnectionStatus,
  type KeepAlive,
  type Tenant,
} from './connection';
export {
  CONNECT_MODES,
  RETURN_CODE_PARAM,
  RETURN_RECONNECT_VALUE,
  RETURN_INTEGRATION_PARAM,
  RETURN_PARAM,
  RETURN_POPUP_PARAM,
  callbackRequestSchema,
  chooseOrganisationRequestSchema,
  connectRequestSchema,
  MAX_CONNECT_FIELD_LENGTH,
  connectResponseSchema,
  type CallbackRequest,
  type ChooseOrganisationRequest,
  type ConnectMode,
  type ConnectRequest,
  type ConnectResponse,
} from './connect';
export { disconnectResponseSchema, type DisconnectResponse } from './disconnect';
export { routeLabel, routes, xeroRedirectRoute, type RouteAccess, type RouteDefinition, type RouteLabel, type RouteName } from './routes';
