import { Module } from '@nestjs/common';
import { TokenRefreshModule } from '../token-refresh/token-refresh.module';
import { GoogleApiClient } from './google-api.client';
import { GoogleApiMetrics } from './google-api.metrics';
import { GoogleBackgroundBudget } from './google-background-budget';
import { GoogleCalendarApi } from './google-calendar.api';
import { GoogleOAuthModule } from './google-oauth.module';

/** Google's APIs on a connection: the one resilient client and the Calendar v3 wrapper. */
@Module({
  imports: [TokenRefreshModule, GoogleOAuthModule],
  providers: [GoogleApiClient, GoogleApiMetrics, GoogleBackgroundBudget, GoogleCalendarApi],
  exports: [GoogleCalendarApi],
})
export class GoogleApiModule {}
