import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  AppConfigModule,
  HealthModule,
  LoggingModule,
  MetricsModule,
  httpCoreProviders,
} from '@connector-service/app-core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ServiceAuthModule } from '@connector-service/service-auth';
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
        AppConfigModule.forRoot(WebhookApiConfig),
        LoggingModule.forRootAsync(WebhookApiConfig, (config) => ({ level: config.LOG_LEVEL })),
        MetricsModule,
        ThrottlerModule.forRootAsync({
          inject: [WebhookApiConfig],
          useFactory: (config: WebhookApiConfig) => [
            { name: 'callback', ttl: 60_000, limit: config.CALLBACK_RATE_LIMIT_PER_MINUTE },
          ],
        }),
        MongooseModule.forRootAsync({
          inject: [WebhookApiConfig],
          useFactory: (config: WebhookApiConfig) => ({
            uri: config.MONGODB_URI,
            serverSelectionTimeoutMS: 5000,
            retryAttempts: 2,
          }),
        }),
        ServiceAuthModule.forRootAsync({
          inject: [WebhookApiConfig],
          useFactory: (config: WebhookApiConfig) => ({ acceptedTokens: config.WEBHOOK_SERVER_SERVICE_TOKEN }),
        }),
        HealthModule,
        GoogleCalendarModule,
        ConnectionLifecycleModule,
      ],
      providers: [...httpCoreProviders],
    };
  }
}
