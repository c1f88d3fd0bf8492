import { sign, SignOptions } from 'jsonwebtoken';

/** The claims the APIs read from a user's bearer token. */
export interface UserClaims {
  sub: string;
  subaccountIds: string[];
  role?: string;
}

export interface MintUserJwtOptions {
  /** Seconds, or a `ms` string such as '15m'. Default '1h'. */
  expiresIn?: string | number;
  /** Default HS256. */
  algorithm?: 'HS256' | 'HS384' | 'HS512';
}

const ONE_HOUR_S = 60 * 60;

/** A token signed with the shared secret, as the identity provider would issue it. */
export function mintUserJwt(secret: string, claims: UserClaims, options: MintUserJwtOptions = {}): string {
  return sign(userPayload(claims), secret, {
    algorithm: options.algorithm ?? 'HS256',
    // The typings only take ms's template-literal strings; jsonwebtoken rejects bad ones at run time.
    expiresIn: (options.expiresIn ?? '1h') as SignOptions['expiresIn'],
  });
}

/**
 * An `alg: none` token ("header.payload." with an empty signature), for checking that the
 * APIs refuse unsigned tokens. Built by hand because jsonwebtoken will not sign with none
 * without extra ceremony, and the exact wire shape is the point of the test.
 */
export function mintUnsignedJwt(claims: object): string {
  const iat = nowSeconds();
  const header = base64UrlJson({ alg: 'none', typ: 'JWT' });
  const payload = base64UrlJson({ iat, exp: iat + ONE_HOUR_S, ...claims });
  return `${header}.${payload}.`;
}

/** A correctly signed token whose `exp` passed an hour ago. */
export function mintExpiredJwt(secret: string, claims: UserClaims): string {
  const iat = nowSeconds() - 2 * ONE_HOUR_S;
  return sign({ ...userPayload(claims), iat, exp: iat + ONE_HOUR_S }, secret, { algorithm: 'HS256' });
}

function userPayload(claims: UserClaims): Record<string, unknown> {
  // Only the known claims, and no `role: undefined`, so the payload is exactly what was asked for.
  const payload: Record<string, unknown> = { sub: claims.sub, subaccountIds: [...claims.subaccountIds] };
  if (claims.role !== undefined) payload['role'] = claims.role;
  return payload;
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
