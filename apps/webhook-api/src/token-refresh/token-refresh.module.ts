import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { GoogleCalendarModule } from '../google-calendar/google-calendar.module';
import { GoogleModule } from '../google/google.module';
import { OutboxModule } from '../outbox/outbox.module';
import { LeasesModule } from '../leases/leases.module';
import { AccessLossService } from './access-loss.service';
import { AuthorizedGoogleClientProvider } from './authorized-google-client.provider';
import { ConnectionLifecycleService } from './connection-lifecycle.service';
import { ConnectionRefreshSweeper } from './connection-refresh.sweeper';
import { ConnectionsController } from './connections.controller';
import { TokenRotationService } from './token-rotation.service';

/** A connection after it is made: status, disconnect, token refresh, losing access, key rotation. */
@Module({
  imports: [ConnectionsModule, GoogleModule, OutboxModule, GoogleCalendarModule, LeasesModule],
  controllers: [ConnectionsController],
  providers: [
    AccessLossService,
    AuthorizedGoogleClientProvider,
    ConnectionLifecycleService,
    ConnectionRefreshSweeper,
    TokenRotationService,
  ],
  exports: [AuthorizedGoogleClientProvider, TokenRotationService],
})
export class ConnectionLifecycleModule {}
