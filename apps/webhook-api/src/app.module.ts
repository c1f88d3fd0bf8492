import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@connector-service/app-core';
import { WebhookApiConfig } from './config/webhook-api.config';
import { ConnectionLifecycleModule } from './connection-lifecycle/connection-lifecycle.module';
import { GoogleCalendarModule } from './google-calendar/google-calendar.module';

@Module({})
export class AppModule {
  /** Validates the environment (throws ConfigValidationError naming every problem) and wires the app. */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forRoot(WebhookApiConfig, {
          acceptedServiceTokens: (config) => config.WEBHOOK_SERVER_SERVICE_TOKEN,
          rateLimitsPerMinute: (config) => ({ callback: config.CALLBACK_RATE_LIMIT_PER_MINUTE }),
        }),
        GoogleCalendarModule,
        ConnectionLifecycleModule,
      ],
    };
  }
}
