import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

/** 401 with a clear message for a missing, malformed, badly signed or expired JWT. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error instanceof UnauthorizedException) throw error;
    if (error || !user) throw new UnauthorizedException(describe(info));
    return user;
  }
}

function describe(info: unknown): string {
  if (info instanceof Error) {
    if (info.name === 'TokenExpiredError') return 'The token has expired';
    if (info.message === 'No auth token') return 'A bearer token is required';
  }
  return 'The token is invalid';
}
