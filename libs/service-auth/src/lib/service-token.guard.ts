import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SERVICE_AUTH_OPTIONS, ServiceAuthOptions } from './service-auth.options';
import { ServiceTokenMatcher, bearerToken } from './service-token-matcher';

/** Lets a request through only with `Authorization: Bearer <an accepted service token>`. */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  private readonly matcher: ServiceTokenMatcher;

  constructor(@Inject(SERVICE_AUTH_OPTIONS) options: ServiceAuthOptions) {
    this.matcher = new ServiceTokenMatcher(options.acceptedTokens);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.matcher.matches(bearerToken(request.headers.authorization))) return true;
    throw new UnauthorizedException('A valid service token is required');
  }
}
