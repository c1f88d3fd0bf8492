import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { DatabaseApiConfig } from '../config/database-api.config';
import { AuthenticatedUser } from './authenticated-user';

interface JwtClaims {
  exp?: unknown;
  sub?: unknown;
  subaccountIds?: unknown;
  role?: unknown;
}

/**
 * Verifies user JWTs: HS256 only (so `alg: none` and key-confusion tricks fail), `exp`
 * required and enforced, and the claims we rely on present and well-typed.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: DatabaseApiConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject made once: given a string, jsonwebtoken first tries to parse it as a
      // public key on every verify (a fifth of this app's CPU under load).
      secretOrKey: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(claims: JwtClaims): AuthenticatedUser {
    // jsonwebtoken checks `exp` only when the token has one: without this a token minted
    // without it would open the API for ever.
    if (typeof claims.exp !== 'number') {
      throw new UnauthorizedException('The token has no expiry (exp)');
    }
    return userFromClaims(claims);
  }
}

export function userFromClaims(claims: JwtClaims): AuthenticatedUser {
  const { sub, subaccountIds, role } = claims;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw new UnauthorizedException('The token has no subject');
  }
  if (!Array.isArray(subaccountIds) || !subaccountIds.every((id) => typeof id === 'string')) {
    throw new UnauthorizedException('The token has no subaccountIds list');
  }
  if (role !== undefined && typeof role !== 'string') {
    throw new UnauthorizedException('The token has a malformed role');
  }
  return { userId: sub, subaccountIds, ...(role === undefined ? {} : { role }) };
}
