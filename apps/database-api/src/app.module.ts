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
import { AuthModule } from './auth/auth.module';
import { DatabaseApiConfig } from './config/database-api.config';
import { ConnectorsModule } from './connectors/connectors.module';

@Module({})
export class AppModule {
  /** Validates the environment (throws ConfigValidationError naming every problem) and wires the app. */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(DatabaseApiConfig),
        LoggingModule.forRootAsync(DatabaseApiConfig, (config) => ({ level: config.LOG_LEVEL })),
        MetricsModule,
        ThrottlerModule.forRootAsync({
          inject: [DatabaseApiConfig],
          useFactory: (config: DatabaseApiConfig) => [
            { name: 'connect', ttl: 60_000, limit: config.CONNECT_RATE_LIMIT_PER_MINUTE },
          ],
        }),
        MongooseModule.forRootAsync({
          inject: [DatabaseApiConfig],
          useFactory: (config: DatabaseApiConfig) => ({
            uri: config.MONGODB_URI,
            serverSelectionTimeoutMS: 5000,
            retryAttempts: 2,
          }),
        }),
        ServiceAuthModule.forRootAsync({
          inject: [DatabaseApiConfig],
          useFactory: (config: DatabaseApiConfig) => ({
            acceptedTokens: config.DATABASE_SERVER_SERVICE_TOKEN,
          }),
        }),
        AuthModule,
        HealthModule,
        ConnectorsModule,
      ],
      providers: [...httpCoreProviders],
    };
  }
}
