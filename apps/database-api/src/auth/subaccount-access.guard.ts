import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { SUBACCOUNT_ID_PATTERN } from '@connector-service/contracts';
import type { FastifyRequest } from 'fastify';
import { AuthenticatedUser, canAccessSubaccount } from './authenticated-user';

/**
 * The tenant check: a user reaches `/:subaccountId/...` only for a subaccount in their
 * token (or as admin); 403 otherwise. A malformed id is left to the validation pipe, so
 * it gets the 400 it deserves rather than a 403.
 */
@Injectable()
export class SubaccountAccessGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest<{ Params: Record<string, string | undefined> }> & { user?: AuthenticatedUser }>();
    const subaccountId = request.params['subaccountId'];
    if (typeof subaccountId !== 'string' || !SUBACCOUNT_ID_PATTERN.test(subaccountId)) return true;
    if (request.user && canAccessSubaccount(request.user, subaccountId)) return true;
    throw new ForbiddenException('This token may not act on that subaccount');
  }
}
