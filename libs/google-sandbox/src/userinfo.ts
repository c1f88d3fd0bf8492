import { ServerResponse } from 'node:http';
import { sendUnauthenticated } from './api-errors';
import { SandboxContext } from './context';
import { SandboxHttpRequest, bearerToken, sendJson } from './http-io';
import { SCOPE_EMAIL, SCOPE_PROFILE } from './scopes';
import { AccessTokenRecord } from './store';

/** Where Google serves userinfo: the oauth2 v2 path googleapis uses, and its older alias (see the routes). */
export const USERINFO_PATHS: readonly string[] = ['/oauth2/v2/userinfo', '/userinfo/v2/me'];

/** The live access token of an API call, or undefined after answering 401. */
export function authenticate(
  req: SandboxHttpRequest,
  res: ServerResponse,
  ctx: SandboxContext,
  withErrors: boolean,
): AccessTokenRecord | undefined {
  const token = bearerToken(req);
  if (token === undefined) {
    sendUnauthenticated(res, req.headers.authorization === undefined, withErrors);
    return undefined;
  }
  const record = ctx.store.validAccessToken(token);
  if (!record) sendUnauthenticated(res, false, withErrors);
  return record;
}

/**
 * GET /oauth2/v2/userinfo (also /userinfo/v2/me). Like Google: the e-mail needs the
 * userinfo.email scope, the name the userinfo.profile scope; with neither the token is refused.
 */
export function handleUserinfo(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): void {
  const access = authenticate(req, res, ctx, false);
  if (!access) return;
  const withEmail = access.scopes.includes(SCOPE_EMAIL);
  const withProfile = access.scopes.includes(SCOPE_PROFILE);
  if (!withEmail && !withProfile) return sendUnauthenticated(res, false, false);
  const account = ctx.store.ensureAccount(access.grant.email);
  const name = withProfile && account.name ? account.name : undefined;
  const [given, ...family] = (name ?? '').split(' ');
  sendJson(res, 200, {
    id: account.id,
    ...(withEmail ? { email: account.email, verified_email: true } : {}),
    ...(name === undefined
      ? {}
      : { name, given_name: given, ...(family.length > 0 ? { family_name: family.join(' ') } : {}) }),
    picture: account.picture,
  });
}
