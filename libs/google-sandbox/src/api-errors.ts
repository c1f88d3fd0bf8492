import { ServerResponse } from 'node:http';
import { sendJson } from './http-io';

const SEE = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';
export const MISSING_CREDENTIALS = `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE}`;
export const INVALID_CREDENTIALS = `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE}`;

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'NOT_FOUND',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export interface ApiErrorDetail {
  reason: string;
  message?: string;
  domain?: string;
  location?: string;
  locationType?: string;
}

/** Google's JSON error envelope: `{"error":{"code","message","errors"?,"status"}}`. */
export function sendApiError(
  res: ServerResponse,
  code: number,
  message: string,
  detail?: ApiErrorDetail,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    code,
    {
      error: {
        code,
        message,
        ...(detail === undefined
          ? {}
          : { errors: [{ message: detail.message ?? message, domain: detail.domain ?? 'global', ...detail }] }),
        status: STATUS[code] ?? 'UNKNOWN',
      },
    },
    headers,
  );
}

/** 401 for a missing token (`missing`) or a bad, expired or revoked one. */
export function sendUnauthenticated(res: ServerResponse, missing: boolean, withErrors: boolean): void {
  const message = missing ? MISSING_CREDENTIALS : INVALID_CREDENTIALS;
  const detail: ApiErrorDetail | undefined = withErrors
    ? missing
      ? { reason: 'required', message: 'Login Required.', location: 'Authorization', locationType: 'header' }
      : { reason: 'authError', message: 'Invalid Credentials', location: 'Authorization', locationType: 'header' }
    : undefined;
  const challenge = missing
    ? 'Bearer realm="https://accounts.google.com/"'
    : 'Bearer realm="https://accounts.google.com/", error="invalid_token"';
  sendApiError(res, 401, message, detail, { 'WWW-Authenticate': challenge });
}

export function sendInsufficientScopes(res: ServerResponse, needed: Iterable<string>): void {
  sendApiError(
    res,
    403,
    'Request had insufficient authentication scopes.',
    { reason: 'insufficientPermissions', message: 'Insufficient Permission' },
    {
      'WWW-Authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${[...needed].join(' ')}"`,
    },
  );
}

export function sendNotFound(res: ServerResponse): void {
  sendApiError(res, 404, 'Not Found', { reason: 'notFound' });
}
