/** Stable error codes of the `error.code` field of the envelope; clients switch on these. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** 431: the request line and headers are over Node's limit (16 KiB), e.g. a very long URL. */
  HeadersTooLarge = 'HEADERS_TOO_LARGE',
  /** 408: the request did not arrive in time. */
  RequestTimeout = 'REQUEST_TIMEOUT',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  RateLimited = 'RATE_LIMITED',
  ConnectorExists = 'CONNECTOR_EXISTS',
  ConnectorNotFound = 'CONNECTOR_NOT_FOUND',
  NotConnected = 'NOT_CONNECTED',
  /** A disconnect overtaken by a new consent, which stays connected. */
  ConnectionChanged = 'CONNECTION_CHANGED',
  ReauthRequired = 'REAUTH_REQUIRED',
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  UpstreamTimeout = 'UPSTREAM_TIMEOUT',
  GoogleUnavailable = 'GOOGLE_UNAVAILABLE',
  GoogleTimeout = 'GOOGLE_TIMEOUT',
  GooglePermissionDenied = 'GOOGLE_PERMISSION_DENIED',
  GoogleRejectedRequest = 'GOOGLE_REJECTED_REQUEST',
  GoogleConflict = 'GOOGLE_CONFLICT',
  SlotTaken = 'SLOT_TAKEN',
  /** respond: the connected account is not among the event's attendees. */
  NotAnAttendee = 'NOT_AN_ATTENDEE',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInProgress = 'IDEMPOTENCY_KEY_IN_PROGRESS',
  AlreadyDelivered = 'ALREADY_DELIVERED',
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  InternalError = 'INTERNAL_ERROR',
}

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Whether a code read from the wire (another service's answer) is one of ours. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODES.has(value);
}
