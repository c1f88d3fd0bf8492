import { createHash } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { SandboxContext } from './context';
import { SandboxHttpRequest, basicCredentials, formParams, parseJsonBody, sendJson, sendText } from './http-io';
import { SCOPE_EMAIL, SCOPE_OPENID, SCOPE_PROFILE } from './scopes';
import { GrantRecord } from './store';

type Answer = { status: number; body: unknown };

const error = (status: number, code: string, description: string): Answer => ({
  status,
  body: { error: code, error_description: description },
});

/** Token requests come as a form (google-auth-library) or, accepted by Google too, as JSON. */
export function tokenRequestFields(req: SandboxHttpRequest): Record<string, string> {
  const form = formParams(req);
  if (form) return Object.fromEntries(form);
  const json = parseJsonBody(req);
  if (!json.ok || typeof json.value !== 'object' || json.value === null) return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(json.value)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = String(value);
  }
  return fields;
}

/** POST /token */
export async function handleToken(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): Promise<void> {
  const failure = ctx.takeTokenFailure();
  await ctx.sleep(ctx.tokenDelayMs());
  if (res.destroyed) return;
  if (failure) {
    if (typeof failure.body === 'string') sendText(res, failure.status, failure.body, 'text/plain; charset=utf-8');
    else sendJson(res, failure.status, failure.body);
    return;
  }
  const answer = tokenAnswer(req, tokenRequestFields(req), ctx);
  sendJson(res, answer.status, answer.body, { Pragma: 'no-cache' });
}

function tokenAnswer(req: SandboxHttpRequest, fields: Record<string, string>, ctx: SandboxContext): Answer {
  const grantType = fields['grant_type'] ?? '';
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return error(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }
  const clientError = checkClient(req, fields, ctx);
  if (clientError) return clientError;
  return grantType === 'authorization_code' ? exchangeCode(fields, ctx) : refresh(fields, ctx);
}

/** Client credentials in the body (client_secret_post) or as HTTP Basic (client_secret_basic). */
function checkClient(req: SandboxHttpRequest, fields: Record<string, string>, ctx: SandboxContext): Answer | undefined {
  const basic = basicCredentials(req);
  const clientId = basic?.id ?? fields['client_id'];
  const secret = basic?.secret ?? fields['client_secret'];
  if (!clientId) return error(400, 'invalid_request', 'Could not determine client ID from request.');
  if (clientId !== ctx.clientId) return error(401, 'invalid_client', 'The OAuth client was not found.');
  if (secret === undefined || secret === '') return error(400, 'invalid_request', 'client_secret is missing.');
  if (secret !== ctx.clientSecret) return error(401, 'invalid_client', 'Unauthorized');
  return undefined;
}

function exchangeCode(fields: Record<string, string>, ctx: SandboxContext): Answer {
  const codeValue = fields['code'];
  if (!codeValue) return error(400, 'invalid_request', 'Missing required parameter: code');
  const code = ctx.store.usableCode(codeValue, ctx.clientId);
  if (!code) return error(400, 'invalid_grant', 'Bad Request');
  const redirectUri = fields['redirect_uri'];
  if (!redirectUri) return error(400, 'invalid_request', 'Missing parameter: redirect_uri');
  if (redirectUri !== code.redirectUri) return error(400, 'redirect_uri_mismatch', 'Bad Request');
  if (code.codeChallenge !== undefined) {
    const verifier = fields['code_verifier'];
    if (!verifier) return error(400, 'invalid_grant', 'Missing code verifier.');
    const derived =
      code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || derived !== code.codeChallenge) {
      return error(400, 'invalid_grant', 'Invalid code verifier.');
    }
  }
  code.used = true;
  const { grant, fresh } = ctx.store.grantFor(code);
  const access = ctx.store.issueAccessToken(grant, ctx.accessTokenTtlSeconds, code.scopes);
  const refreshToken = fresh ? grant.refreshToken : undefined;
  return {
    status: 200,
    body: {
      access_token: access.token,
      expires_in: ctx.accessTokenTtlSeconds,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope: code.scopes.join(' '),
      token_type: 'Bearer',
      ...idToken(ctx, grant, access.token, {
        refresh: false,
        ...(code.nonce === undefined ? {} : { nonce: code.nonce }),
      }),
    },
  };
}

function refresh(fields: Record<string, string>, ctx: SandboxContext): Answer {
  const token = fields['refresh_token'];
  if (!token) return error(400, 'invalid_request', 'Missing required parameter: refresh_token');
  const grant = ctx.store.grantOfRefreshToken(token);
  if (!grant || grant.revoked) return error(400, 'invalid_grant', 'Token has been expired or revoked.');
  if (grant.clientId !== ctx.clientId) return error(401, 'unauthorized_client', 'Unauthorized');
  const access = ctx.store.issueAccessToken(grant, ctx.accessTokenTtlSeconds);
  return {
    status: 200,
    body: {
      access_token: access.token,
      expires_in: ctx.accessTokenTtlSeconds,
      scope: grant.scopes.join(' '),
      token_type: 'Bearer',
      ...idToken(ctx, grant, access.token, { refresh: true }),
    },
  };
}

/** Google adds an id_token when openid, email or profile is granted; on refresh only with openid. */
function idToken(
  ctx: SandboxContext,
  grant: GrantRecord,
  accessToken: string,
  options: { refresh: boolean; nonce?: string },
): { id_token?: string } {
  const scopes = grant.scopes;
  const identity = options.refresh
    ? scopes.includes(SCOPE_OPENID)
    : scopes.some((s) => s === SCOPE_OPENID || s === SCOPE_EMAIL || s === SCOPE_PROFILE);
  if (!identity) return {};
  const account = ctx.store.ensureAccount(grant.email);
  const withProfile = scopes.includes(SCOPE_PROFILE);
  return {
    id_token: ctx.idTokens.sign({
      clientId: grant.clientId,
      sub: account.id,
      ...(scopes.includes(SCOPE_EMAIL) ? { email: account.email } : {}),
      ...(withProfile && account.name ? { name: account.name } : {}),
      ...(withProfile ? { picture: account.picture } : {}),
      accessToken,
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    }),
  };
}
