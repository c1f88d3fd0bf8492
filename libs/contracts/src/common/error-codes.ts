/** Stable error codes of the `error.code` field of the envelope; clients switch on these. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  RateLimited = 'RATE_LIMITED',
  ConnectorExists = 'CONNECTOR_EXISTS',
  ConnectorNotFound = 'CONNECTOR_NOT_FOUND',
  NotConnected = 'NOT_CONNECTED',
  ConnectionNotFound = 'CONNECTION_NOT_FOUND',
  ReauthRequired = 'REAUTH_REQUIRED',
  Disconnected = 'DISCONNECTED',
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  UpstreamTimeout = 'UPSTREAM_TIMEOUT',
  GoogleUnavailable = 'GOOGLE_UNAVAILABLE',
  InternalError = 'INTERNAL_ERROR',
}
