import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@connector-service/contracts';
import {
  classifyGoogleApiFailure,
  classifyGoogleOAuthFailure,
  googleApiException,
  GoogleOAuthRejectedError,
  GoogleUnavailableError,
} from './google-errors';

/** A gaxios-like failure carrying Google's answer. */
function answered(status: number, error: unknown, headers: Record<string, string> = {}): unknown {
  return { response: { status, data: { error }, headers: new Headers(headers) } };
}

const googleError = (code: number, reason: string, message = 'msg', status = 'X') => ({
  code,
  message,
  errors: [{ domain: 'global', reason, message }],
  status,
});

describe('classifyGoogleApiFailure', () => {
  it('401 is unauthorized', () => {
    expect(classifyGoogleApiFailure(answered(401, googleError(401, 'authError')))).toEqual({ kind: 'unauthorized' });
  });

  it('403 rate limits and 429 are rate limited, with Retry-After when Google sends it', () => {
    expect(classifyGoogleApiFailure(answered(403, googleError(403, 'rateLimitExceeded')))).toEqual({
      kind: 'rate_limited',
    });
    expect(classifyGoogleApiFailure(answered(403, googleError(403, 'userRateLimitExceeded')))).toEqual({
      kind: 'rate_limited',
    });
    expect(
      classifyGoogleApiFailure(answered(429, googleError(429, 'rateLimitExceeded'), { 'retry-after': '7' })),
    ).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 7000,
    });
  });

  it('other 403s are a denied permission, not a rate limit', () => {
    expect(
      classifyGoogleApiFailure(answered(403, googleError(403, 'insufficientPermissions', 'Insufficient Permission'))),
    ).toEqual({
      kind: 'permission_denied',
      reason: 'insufficientPermissions',
      message: 'Insufficient Permission',
    });
  });

  it('404 and 410 are not found; 409 a conflict; other 4xx a rejected request', () => {
    expect(classifyGoogleApiFailure(answered(404, googleError(404, 'notFound')))).toEqual({
      kind: 'not_found',
      status: 404,
      reason: 'notFound',
    });
    expect(classifyGoogleApiFailure(answered(410, googleError(410, 'deleted')))).toMatchObject({
      kind: 'not_found',
      status: 410,
    });
    expect(
      classifyGoogleApiFailure(
        answered(409, googleError(409, 'duplicate', 'The requested identifier already exists.')),
      ),
    ).toEqual({
      kind: 'conflict',
      reason: 'duplicate',
      message: 'The requested identifier already exists.',
    });
    expect(
      classifyGoogleApiFailure(answered(400, googleError(400, 'timeRangeEmpty', 'The specified time range is empty.'))),
    ).toEqual({
      kind: 'bad_request',
      status: 400,
      reason: 'timeRangeEmpty',
      message: 'The specified time range is empty.',
    });
  });

  it('5xx is unavailable; no answer is unavailable or, when the timeout fired, a timeout', () => {
    expect(classifyGoogleApiFailure(answered(503, googleError(503, 'backendError')))).toEqual({
      kind: 'unavailable',
      detail: 'HTTP 503',
    });
    expect(
      classifyGoogleApiFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toEqual({
      kind: 'unavailable',
      detail: 'connect ECONNREFUSED',
    });
    expect(
      classifyGoogleApiFailure(
        Object.assign(new Error('The operation was aborted due to timeout'), { code: 'TimeoutError' }),
      ),
    ).toEqual({
      kind: 'timeout',
    });
  });
});

describe('googleApiException', () => {
  it.each([
    [{ kind: 'not_found', status: 404 } as const, HttpStatus.NOT_FOUND, ErrorCode.NotFound],
    [{ kind: 'conflict', message: 'dup' } as const, HttpStatus.CONFLICT, ErrorCode.GoogleConflict],
    [{ kind: 'permission_denied', message: 'no' } as const, HttpStatus.FORBIDDEN, ErrorCode.GooglePermissionDenied],
    [
      { kind: 'bad_request', status: 400, message: 'bad' } as const,
      HttpStatus.BAD_REQUEST,
      ErrorCode.GoogleRejectedRequest,
    ],
    [{ kind: 'unavailable', detail: 'HTTP 500' } as const, HttpStatus.BAD_GATEWAY, ErrorCode.GoogleUnavailable],
    [{ kind: 'unauthorized' } as const, HttpStatus.BAD_GATEWAY, ErrorCode.GoogleUnavailable],
    [{ kind: 'timeout' } as const, HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleTimeout],
  ])('%o → %i %s', (failure, status, code) => {
    const exception = googleApiException(failure);
    expect(exception.status).toBe(status);
    expect(exception.code).toBe(code);
    expect(exception.status).not.toBe(HttpStatus.INTERNAL_SERVER_ERROR);
  });

  it('a rate limit is a 429 with Retry-After in whole seconds (at least 1)', () => {
    expect(googleApiException({ kind: 'rate_limited' }, 3).headers).toEqual({ 'Retry-After': '3' });
    const exception = googleApiException({ kind: 'rate_limited' }, 0);
    expect(exception.status).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(exception.code).toBe(ErrorCode.RateLimited);
    expect(exception.headers).toEqual({ 'Retry-After': '1' });
  });
});

describe('classifyGoogleOAuthFailure', () => {
  it('a 4xx from the token endpoint is a rejection with its OAuth error', () => {
    const error = classifyGoogleOAuthFailure({ response: { status: 400, data: { error: 'invalid_grant' } } });
    expect(error).toBeInstanceOf(GoogleOAuthRejectedError);
    expect((error as GoogleOAuthRejectedError).reason).toBe('invalid_grant');
  });

  it('5xx, 429 and no answer are unavailability; a timeout says so', () => {
    expect(classifyGoogleOAuthFailure({ response: { status: 503, data: {} } })).toBeInstanceOf(GoogleUnavailableError);
    expect(classifyGoogleOAuthFailure({ response: { status: 429, data: {} } })).toBeInstanceOf(GoogleUnavailableError);
    const timeout = classifyGoogleOAuthFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    expect((timeout as GoogleUnavailableError).timedOut).toBe(true);
    expect((classifyGoogleOAuthFailure(new Error('ECONNREFUSED')) as GoogleUnavailableError).timedOut).toBe(false);
  });
});
