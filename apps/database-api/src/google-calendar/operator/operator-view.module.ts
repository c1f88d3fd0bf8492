import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { WebhookApiClientModule } from '../../webhook-api-client/webhook-api-client.module';
import { OperatorViewController } from './operator-view.controller';
import { OperatorViewService } from './operator-view.service';

/** The operator's view of every Google Calendar connection, for admin tokens, proxied to webhook-api. */
@Module({
  imports: [AuthModule, WebhookApiClientModule],
  controllers: [OperatorViewController],
  providers: [OperatorViewService],
})
export class OperatorViewModule {}
