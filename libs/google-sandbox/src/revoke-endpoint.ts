import { ServerResponse } from 'node:http';
import { SandboxContext } from './context';
import { SandboxHttpRequest, sendJson } from './http-io';
import { tokenRequestFields } from './token-endpoint';

/**
 * POST /revoke. google-auth-library's revokeToken sends the token in the query string
 * (`?token=…`, no body); a form body `token=…` works too, as at Google. Revoking either
 * token of a grant ends the whole grant, refresh token and access tokens alike.
 */
export function handleRevoke(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): void {
  const token = tokenRequestFields(req)['token'] || req.url.searchParams.get('token');
  if (!token) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Bad Request' });
  const grant = ctx.store.grantOfRefreshToken(token) ?? ctx.store.validAccessToken(token)?.grant;
  if (!grant || grant.revoked) {
    return sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
  }
  ctx.store.revokeGrant(grant);
  sendJson(res, 200, {});
}
