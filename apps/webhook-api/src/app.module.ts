import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@connector-service/app-core';
import { WebhookApiConfig } from './config/webhook-api.config';
import { CalendarSyncModule } from './calendar-sync/calendar-sync.module';
import { StatusChangesModule } from './status-changes/status-changes.module';
import { CalendarModule } from './calendar/calendar.module';
import { KeyRotationModule } from './commands/key-rotation.module';
import { ConnectModule } from './connect/connect.module';
import { ConnectionsModule } from './connections/connections.module';
import { ConnectionsOverviewModule } from './connections-overview/connections-overview.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { TokenRefreshModule } from './token-refresh/token-refresh.module';
import { WatchedCalendarsModule } from './watched-calendars/watched-calendars.module';

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
        ServicePlatformModule.forRoot(WebhookApiConfig, {
          env: options.env,
          acceptedServiceTokens: (config) => config.WEBHOOK_SERVER_SERVICE_TOKEN,
          rateLimitsPerMinute: (config) => ({ callback: config.CALLBACK_RATE_LIMIT_PER_MINUTE }),
        }),
        ConnectModule,
        ConnectionsModule,
        ConnectionsOverviewModule,
        TokenRefreshModule,
        CalendarModule,
        DeliveriesModule,
        CalendarSyncModule,
        WatchedCalendarsModule,
        StatusChangesModule,
        KeyRotationModule,
      ],
    };
  }
}
