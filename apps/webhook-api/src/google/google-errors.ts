import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';

/** Google's OAuth endpoints said no for this grant (`invalid_grant`, `invalid_client`, ...): do not retry it. */
export class GoogleOAuthRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`Google refused the request: ${reason}`);
  }
}

/** Google could not be reached, timed out or failed (5xx): worth retrying later. */
export class GoogleUnavailableError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** What a failed Google API call means for us. */
export type GoogleApiFailure =
  | { kind: 'unauthorized' }
  | { kind: 'rate_limited'; retryAfterMs?: number }
  | { kind: 'not_found'; status: number; reason?: string }
  | { kind: 'conflict'; reason?: string; message: string }
  | { kind: 'permission_denied'; reason?: string; message: string }
  | { kind: 'bad_request'; status: number; reason?: string; message: string }
  | { kind: 'unavailable'; detail: string }
  | { kind: 'timeout' };

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

interface GoogleErrorBody {
  error?:
    | { code?: number; message?: string; errors?: { reason?: string; message?: string }[]; status?: string }
    | string;
}

/** Sorts a googleapis (gaxios) failure of a Calendar or userinfo call. */
export function classifyGoogleApiFailure(error: unknown): GoogleApiFailure {
  const { response, code, name, message } = error as {
    response?: { status?: number; data?: unknown; headers?: unknown };
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const status = response?.status;
  if (status === undefined) {
    if (isTimeout(code, name, message)) return { kind: 'timeout' };
    return { kind: 'unavailable', detail: typeof message === 'string' ? message : 'no answer' };
  }
  const body = (response?.data ?? {}) as GoogleErrorBody;
  const detail = typeof body.error === 'object' ? body.error : undefined;
  const reason = detail?.errors?.[0]?.reason;
  const googleMessage = detail?.message ?? (typeof body.error === 'string' ? body.error : `HTTP ${status}`);
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 429 || (status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason))) {
    const retryAfterMs = retryAfterOf(headerOf(response?.headers, 'retry-after'));
    return { kind: 'rate_limited', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status === 404 || status === 410) return { kind: 'not_found', status, ...(reason ? { reason } : {}) };
  if (status === 409) return { kind: 'conflict', ...(reason ? { reason } : {}), message: googleMessage };
  if (status === 403) return { kind: 'permission_denied', ...(reason ? { reason } : {}), message: googleMessage };
  if (status >= 500) return { kind: 'unavailable', detail: `HTTP ${status}` };
  return { kind: 'bad_request', status, ...(reason ? { reason } : {}), message: googleMessage };
}

/** A Google failure as the answer of our route; `googleStatus`/`googleReason` let callers look closer. */
export class GoogleApiException extends DomainException {
  constructor(
    status: HttpStatus,
    code: ErrorCode,
    message: string,
    readonly failure: GoogleApiFailure,
    headers?: Record<string, string>,
  ) {
    super(
      status,
      code,
      message,
      'reason' in failure && failure.reason ? { googleReason: failure.reason } : undefined,
      headers,
    );
  }
}

/** The contract's answer for a Google failure (never a 500). */
export function googleApiException(failure: GoogleApiFailure, retryAfterSeconds = 1): GoogleApiException {
  switch (failure.kind) {
    case 'rate_limited':
      return new GoogleApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        ErrorCode.RateLimited,
        'Google is rate-limiting this account; try again later',
        failure,
        { 'Retry-After': String(Math.max(1, retryAfterSeconds)) },
      );
    case 'not_found':
      return new GoogleApiException(
        HttpStatus.NOT_FOUND,
        ErrorCode.NotFound,
        'Google does not know this calendar or event',
        failure,
      );
    case 'conflict':
      return new GoogleApiException(
        HttpStatus.CONFLICT,
        ErrorCode.GoogleConflict,
        `Google: ${failure.message}`,
        failure,
      );
    case 'permission_denied':
      return new GoogleApiException(
        HttpStatus.FORBIDDEN,
        ErrorCode.GooglePermissionDenied,
        `Google denied access: ${failure.message}`,
        failure,
      );
    case 'bad_request':
      return new GoogleApiException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.GoogleRejectedRequest,
        `Google rejected the request: ${failure.message}`,
        failure,
      );
    case 'timeout':
      return new GoogleApiException(
        HttpStatus.GATEWAY_TIMEOUT,
        ErrorCode.GoogleTimeout,
        'Google did not answer in time',
        failure,
      );
    case 'unauthorized':
      return new GoogleApiException(
        HttpStatus.BAD_GATEWAY,
        ErrorCode.GoogleUnavailable,
        'Google refused a freshly refreshed access token',
        failure,
      );
    case 'unavailable':
      return new GoogleApiException(
        HttpStatus.BAD_GATEWAY,
        ErrorCode.GoogleUnavailable,
        `Google is unavailable: ${failure.detail}`,
        failure,
      );
  }
}

/** Google's token endpoint failing while we needed an access token: 504 on a timeout, else 502. */
export function tokenEndpointException(error: GoogleUnavailableError): DomainException {
  return error.timedOut
    ? new DomainException(HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleTimeout, 'Google did not answer in time')
    : new DomainException(HttpStatus.BAD_GATEWAY, ErrorCode.GoogleUnavailable, error.message);
}

/** Sorts a failure of Google's OAuth endpoints (token, revoke) into rejected or unavailable. */
export function classifyGoogleOAuthFailure(error: unknown): Error {
  const { response, code, name, message } = error as {
    response?: { status?: number; data?: unknown };
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const status = response?.status;
  if (status !== undefined && status < 500 && status !== 429) {
    const data = response?.data as GoogleErrorBody | undefined;
    const reason =
      typeof data?.error === 'string'
        ? data.error
        : typeof data?.error?.status === 'string'
          ? data.error.status
          : `http_${status}`;
    return new GoogleOAuthRejectedError(reason);
  }
  if (status === undefined && isTimeout(code, name, message)) {
    return new GoogleUnavailableError('Google is unavailable: timed out', true);
  }
  const detail = status === undefined ? String(message) : `HTTP ${status}`;
  return new GoogleUnavailableError(`Google is unavailable: ${detail}`);
}

function isTimeout(code: unknown, name: unknown, message: unknown): boolean {
  return (
    code === 'TimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNABORTED' ||
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (typeof message === 'string' && /timed? ?out|aborted/i.test(message))
  );
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now. */
function retryAfterOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
