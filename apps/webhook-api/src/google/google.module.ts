import { Module } from '@nestjs/common';
import { GoogleCalendarApiClient } from './google-calendar-api.client';
import { GoogleOAuthClient } from './google-oauth.client';

/** The injectable clients for Google's OAuth endpoints and Calendar API. */
@Module({ providers: [GoogleOAuthClient, GoogleCalendarApiClient], exports: [GoogleOAuthClient, GoogleCalendarApiClient] })
export class GoogleModule {}
