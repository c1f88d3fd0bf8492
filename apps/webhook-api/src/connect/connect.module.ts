import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConnectionsModule } from '../connections/connections.module';
import { MailModule } from '../mail/mail.module';
import { OutboxModule } from '../outbox/outbox.module';
import { GoogleCalendarCallbackResponder } from './google-calendar-callback.responder';
import { GoogleCalendarConnectService } from './google-calendar-connect.service';
import { GoogleCalendarController } from './google-calendar.controller';
import { GoogleModule } from '../google/google.module';
import { OAuthState, OAuthStateSchema } from './oauth-state.schema';
import { OAuthStateRepository } from './oauth-state.repository';

/** The Google OAuth connect flow: consent link, e-mail, callback. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: OAuthState.name, schema: OAuthStateSchema }]),
    ConnectionsModule,
    MailModule,
    OutboxModule,
    GoogleModule,
  ],
  controllers: [GoogleCalendarController],
  providers: [GoogleCalendarConnectService, GoogleCalendarCallbackResponder, OAuthStateRepository],
  exports: [GoogleCalendarConnectService],
})
export class GoogleCalendarModule {}
