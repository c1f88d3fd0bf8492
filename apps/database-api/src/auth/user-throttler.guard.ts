import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * Rate limit per user (the JWT subject), falling back to the client address. Runs after
 * the JWT guard, so the user is known. Counters are per replica (in memory).
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const user = request['user'] as AuthenticatedUser | undefined;
    return Promise.resolve(user ? `user:${user.userId}` : `ip:${String(request['ip'])}`);
  }
}
