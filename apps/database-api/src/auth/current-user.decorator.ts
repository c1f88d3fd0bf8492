import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { AuthenticatedUser } from './authenticated-user';

/** The caller JwtAuthGuard verified (a route under UserAuth or AdminAuth always has one). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser =>
    context.switchToHttp().getRequest<{ user: AuthenticatedUser }>().user,
);
