import { Module } from '@nestjs/common';
import { GoogleOAuthClient } from './google-oauth.client';

/** Google's OAuth endpoints (consent URL, code exchange, refresh, revoke) and userinfo. */
@Module({ providers: [GoogleOAuthClient], exports: [GoogleOAuthClient] })
export class GoogleOAuthModule {}
