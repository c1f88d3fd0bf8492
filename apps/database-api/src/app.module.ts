import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@connector-service/app-core';
import { AuthModule } from './auth/auth.module';
import { DatabaseApiConfig } from './config/database-api.config';
import { ConnectorsModule } from './connectors/connectors.module';
import { GoogleCalendarModule } from './google-calendar/google-calendar.module';
import { OperatorViewModule } from './google-calendar/operator/operator-view.module';

@Module({})
export class AppModule {
  /**
   * Validates the configuration (throws ConfigValidationError naming every problem) and wires
   * the app. `env`: exactly these variables instead of the process environment (tests).
   */
  static forRoot(options: { env?: Record<string, string | undefined> } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forRoot(DatabaseApiConfig, {
          env: options.env,
          acceptedServiceTokens: (config) => config.DATABASE_SERVER_SERVICE_TOKEN,
          rateLimitsPerMinute: (config) => ({ connect: config.CONNECT_RATE_LIMIT_PER_MINUTE }),
        }),
        AuthModule,
        ConnectorsModule,
        GoogleCalendarModule,
        OperatorViewModule,
      ],
    };
  }
}
