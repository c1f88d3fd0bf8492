import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { WebhookApiConfig } from '../config/webhook-api.config';

/**
 * Bounds what one client address can make the push endpoint do: PUSH_RATE_LIMIT_PER_MINUTE
 * pushes a minute per address and replica, then 429 RATE_LIMITED with Retry-After. Its own
 * limit, not the app's named ones (those guard other routes, and a route with the plain
 * ThrottlerGuard counts against all of them). Named `default` so the answer's header is the
 * plain `Retry-After`. Generous by default: Google sends every push from a few addresses.
 */
@Injectable()
export class PushRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: WebhookApiConfig,
  ) {
    super(options, storage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers = [{ name: 'default', ttl: 60_000, limit: this.config.PUSH_RATE_LIMIT_PER_MINUTE }];
  }
}
