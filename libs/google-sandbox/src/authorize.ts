import { ServerResponse } from 'node:http';
import { renderConsentPage, renderErrorPage } from './consent-page';
import { SandboxContext } from './context';
import { SandboxHttpRequest, formParams, paramsToRecord, redirect, sendHtml } from './http-io';
import { dedupe, invalidScopes, isBasicScope, normalizeScope, parseScopeParam } from './scopes';
import { DEFAULT_ACCOUNT_EMAIL } from './store';
import { SandboxConsentDecision } from './types';

/** A valid authorization request (GET /o/oauth2/v2/auth), parsed. */
interface AuthRequest {
  params: Record<string, string>;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  loginHint?: string;
  offline: boolean;
  forceConsent: boolean;
  includeGrantedScopes: boolean;
  nonce?: string;
}

type Parsed = { ok: true; request: AuthRequest } | { ok: false; code: string; error: string; details: string };

function invalid(details: string, error = 'invalid_request', code = '400'): Parsed {
  return { ok: false, code, error, details };
}

/** Checks the request the way Google's consent endpoint does, in Google's order. */
function parseAuthRequest(params: URLSearchParams, ctx: SandboxContext): Parsed {
  const clientId = params.get('client_id');
  if (!clientId) return invalid('Missing required parameter: client_id');
  if (clientId !== ctx.clientId) return invalid('The OAuth client was not found.', 'invalid_client', '401');
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) return invalid('Missing required parameter: redirect_uri');
  if (!/^https?:\/\/[^/]/i.test(redirectUri) || !URL.canParse(redirectUri)) {
    return invalid(`Invalid parameter value for redirect_uri: ${redirectUri}`, 'redirect_uri_mismatch');
  }
  const responseType = params.get('response_type');
  if (!responseType) return invalid('Missing required parameter: response_type');
  if (responseType !== 'code') return invalid(`Invalid response_type: ${responseType}`, 'unsupported_response_type');
  const scope = params.get('scope');
  if (!scope?.trim()) return invalid('Missing required parameter: scope');
  const scopes = parseScopeParam(scope);
  const bad = invalidScopes(scopes);
  if (bad.length > 0)
    return invalid(`Some requested scopes were invalid. {invalid=[${bad.join(', ')}]}`, 'invalid_scope');
  const codeChallenge = params.get('code_challenge') ?? undefined;
  const method = params.get('code_challenge_method') ?? undefined;
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    return invalid('Invalid code_challenge_method value.');
  }
  if (method !== undefined && codeChallenge === undefined) return invalid('Missing required parameter: code_challenge');
  if (codeChallenge !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(codeChallenge)) {
    return invalid('Invalid code_challenge value.');
  }
  const accessType = params.get('access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') {
    return invalid(`Invalid access_type: ${accessType}`);
  }
  const prompt = (params.get('prompt') ?? '').split(/\s+/).filter(Boolean);
  const optional = (name: string): string | undefined => params.get(name) || undefined;
  return {
    ok: true,
    request: {
      params: paramsToRecord(params),
      clientId,
      redirectUri,
      scopes,
      state: optional('state'),
      ...(codeChallenge === undefined ? {} : { codeChallenge, codeChallengeMethod: method ?? 'plain' }),
      loginHint: optional('login_hint'),
      offline: accessType === 'offline',
      forceConsent: prompt.includes('consent'),
      includeGrantedScopes: params.get('include_granted_scopes') === 'true',
      nonce: optional('nonce'),
    },
  };
}

/** `redirect_uri` plus parameters, encoded with %20 for spaces like Google (not `+`). */
function callbackUrl(redirectUri: string, params: [string, string | undefined][]): string {
  const query = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const [base, fragment] = redirectUri.split('#', 2) as [string, string | undefined];
  const joined = `${base}${base.includes('?') ? '&' : '?'}${query}`;
  return fragment === undefined ? joined : `${joined}#${fragment}`;
}

function deny(res: ServerResponse, request: AuthRequest): void {
  redirect(
    res,
    callbackUrl(request.redirectUri, [
      ['error', 'access_denied'],
      ['state', request.state],
    ]),
  );
}

/** Issues the code for the consent and sends the browser back to the client. */
function allow(
  res: ServerResponse,
  ctx: SandboxContext,
  request: AuthRequest,
  email: string,
  chosen: string[],
  decision: SandboxConsentDecision | undefined,
): void {
  const account = ctx.store.ensureAccount(email);
  const previous = request.includeGrantedScopes ? ctx.store.previouslyGranted(ctx.clientId, account.email) : [];
  const granted = dedupe([...request.scopes.filter((s) => chosen.includes(s)), ...previous]);
  const code = ctx.store.issueCode({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
    ...(request.codeChallengeMethod === undefined ? {} : { codeChallengeMethod: request.codeChallengeMethod }),
    scopes: granted,
    email: account.email,
    // Without a refresh token the grant is an online one: its access tokens cannot be refreshed.
    offline: request.offline && decision?.withoutRefreshToken !== true,
    forceConsent: request.forceConsent,
    ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
  });
  redirect(
    res,
    callbackUrl(request.redirectUri, [
      ['state', request.state],
      ['code', code.code],
      ['scope', granted.join(' ')],
      ['authuser', '0'],
      ['prompt', 'consent'],
    ]),
  );
}

/** Of the requested scopes, those granted: basic ones always, others if the user kept them. */
function grantedOf(request: AuthRequest, kept: string[] | undefined): string[] {
  if (kept === undefined) return request.scopes;
  const normalized = kept.map(normalizeScope);
  return request.scopes.filter((s) => isBasicScope(s) || normalized.includes(s));
}

function firstAccountEmail(ctx: SandboxContext): string {
  return ctx.store.accounts.values().next().value?.email ?? DEFAULT_ACCOUNT_EMAIL;
}

/** GET /o/oauth2/v2/auth */
export function handleAuthorize(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): void {
  const parsed = parseAuthRequest(req.url.searchParams, ctx);
  if (!parsed.ok) return sendHtml(res, 400, renderErrorPage(parsed.code, parsed.error, parsed.details));
  const { request } = parsed;
  if (request.loginHint?.includes('@')) ctx.store.ensureAccount(request.loginHint);

  if (ctx.autoConsent()) {
    const decision: SandboxConsentDecision = ctx.takeNextConsent() ?? {};
    if (decision.deny) return deny(res, request);
    const email = decision.email ?? request.loginHint ?? firstAccountEmail(ctx);
    return allow(res, ctx, request, email, grantedOf(request, decision.grantedScopes), decision);
  }

  const selected = request.loginHint ?? firstAccountEmail(ctx);
  ctx.store.ensureAccount(selected);
  const alreadyGranted = request.includeGrantedScopes ? ctx.store.previouslyGranted(ctx.clientId, selected) : [];
  sendHtml(
    res,
    200,
    renderConsentPage({
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      params: request.params,
      accounts: [...ctx.store.accounts.values()].map((a) => ({ email: a.email, ...(a.name ? { name: a.name } : {}) })),
      selectedEmail: selected,
      scopes: request.scopes,
      alreadyGranted,
    }),
  );
}

/** POST /o/oauth2/v2/auth/decision: the consent page's Allow or Deny. */
export function handleDecision(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): void {
  const form = formParams(req);
  if (!form) return sendHtml(res, 400, renderErrorPage('400', 'invalid_request', 'Expected a form submission.'));
  const parsed = parseAuthRequest(form, ctx);
  if (!parsed.ok) return sendHtml(res, 400, renderErrorPage(parsed.code, parsed.error, parsed.details));
  const { request } = parsed;
  const override = ctx.takeNextConsent();
  const choice = form.get('decision');
  if (override?.deny ?? choice === 'deny') return deny(res, request);
  if (override === undefined && choice !== 'allow') {
    return sendHtml(res, 400, renderErrorPage('400', 'invalid_request', 'Missing decision: allow or deny.'));
  }
  const typed = form.get('account_other')?.trim();
  const email = override?.email ?? (typed || form.get('account') || request.loginHint || firstAccountEmail(ctx));
  const kept = override?.grantedScopes ?? (form.get('granular') === '1' ? form.getAll('granted_scope') : undefined);
  allow(res, ctx, request, email, grantedOf(request, kept), override);
}
