import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { ADMIN_ROLE, AuthenticatedUser } from './authenticated-user';

/**
 * Routes about every subaccount at once (the operator's view): only a token with
 * `role: admin`; any other valid token is a 403. Runs after JwtAuthGuard, so no token is a 401.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>();
    if (request.user?.role === ADMIN_ROLE) return true;
    throw new ForbiddenException('Only an admin token may see every connection');
  }
}
