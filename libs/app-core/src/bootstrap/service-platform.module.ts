import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ThrottlerModule } from '@nestjs/throttler';
import { ServiceAuthModule } from '@connector-service/service-auth';
import { AppConfigModule, EnvironmentVariables } from '../config/app-config.module';
import { ServiceConfig } from '../config/service-config';
import { HealthModule } from '../health/health.module';
import { httpCoreProviders } from '../http/http-core.providers';
import { LoggingModule } from '../observability/logging.module';
import { DocumentWritesModule } from '../persistence/document-writes';
import { MetricsModule } from '../observability/metrics.module';

export interface ServicePlatformOptions<T extends ServiceConfig> {
  /** Service tokens this app accepts (several while one is rotated). */
  acceptedServiceTokens: (config: T) => readonly string[];
  /** Named rate limits (per minute) that routes opt into with a throttler guard. */
  rateLimitsPerMinute: (config: T) => Record<string, number>;
  /** The configuration variables to read instead of the process environment (see AppConfigModule). */
  env?: EnvironmentVariables;
}

/**
 * What every service of ours stands on: validated configuration, MongoDB, JSON logs,
 * metrics, health probes, the service-token guard, rate limiting, and the envelope
 * pipe/filter/interceptor as APP_* providers. An app module adds only its features.
 */
@Module({})
export class ServicePlatformModule {
  static forRoot<T extends ServiceConfig>(configClass: new () => T, options: ServicePlatformOptions<T>): DynamicModule {
    return {
      module: ServicePlatformModule,
      imports: [
        AppConfigModule.forRoot(configClass, options.env),
        LoggingModule.forRootAsync(configClass, (config) => ({ level: config.LOG_LEVEL })),
        MetricsModule,
        MongooseModule.forRootAsync({
          inject: [configClass],
          useFactory: (config: T) => ({ uri: config.MONGODB_URI, serverSelectionTimeoutMS: 5000, retryAttempts: 2 }),
        }),
        ServiceAuthModule.forRootAsync({
          inject: [configClass],
          useFactory: (config: T) => ({ acceptedTokens: options.acceptedServiceTokens(config) }),
        }),
        ThrottlerModule.forRootAsync({
          inject: [configClass],
          useFactory: (config: T) =>
            Object.entries(options.rateLimitsPerMinute(config)).map(([name, limit]) => ({ name, ttl: 60_000, limit })),
        }),
        DocumentWritesModule,
        HealthModule,
      ],
      providers: [...httpCoreProviders],
    };
  }
}
