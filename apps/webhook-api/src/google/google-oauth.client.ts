import { Injectable } from '@nestjs/common';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
// Only the OAuth2 API's definitions: `googleapis`' index loads all ~300 Google APIs (+100 MB RSS).
import { oauth2 as googleOAuth2 } from 'googleapis/build/src/apis/oauth2';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { GoogleOAuthRejectedError, classifyGoogleOAuthFailure } from './google-errors';

/** The scopes we ask for: read calendars (availability) and manage events, plus the e-mail. */
export const GOOGLE_CALENDAR_SCOPES = [
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.events',
] as const;
export const GOOGLE_EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';

export interface GoogleTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt: Date;
  scopes: string[];
}

export interface GoogleAccount {
  email: string;
  id?: string;
}

/**
 * The one way to Google's OAuth endpoints and userinfo (googleapis' OAuth2 client with
 * the configured endpoints, so a sandbox can stand in for Google). Tokens go in and out
 * of here but are never logged.
 */
@Injectable()
export class GoogleOAuthClient {
  constructor(private readonly config: WebhookApiConfig) {}

  buildConsentUrl(params: { state: string; codeChallenge: string; loginHint: string }): string {
    return this.newClient().generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      response_type: 'code',
      include_granted_scopes: true,
      scope: [...GOOGLE_CALENDAR_SCOPES, GOOGLE_EMAIL_SCOPE],
      login_hint: params.loginHint,
      state: params.state,
      code_challenge: params.codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
    });
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<GoogleTokens> {
    const { tokens } = await this.call(() => this.newClient().getToken({ code, codeVerifier }));
    if (!tokens.access_token) throw new GoogleOAuthRejectedError('no_access_token');
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      expiresAt: new Date(tokens.expiry_date ?? Date.now() + 3600_000),
      scopes: (tokens.scope ?? '').split(/\s+/).filter(Boolean),
    };
  }

  async fetchAccount(accessToken: string): Promise<GoogleAccount> {
    const auth = this.clientWithAccessToken(accessToken);
    const oauth2 = googleOAuth2({ version: 'v2', auth, rootUrl: this.config.GOOGLE_API_ROOT_URL });
    const { data } = await this.call(() => oauth2.userinfo.get({}, { timeout: this.config.OUTBOUND_TIMEOUT_MS }));
    if (!data.email) throw new GoogleOAuthRejectedError('no_email');
    return { email: data.email, ...(data.id ? { id: data.id } : {}) };
  }

  /** A new access token for a refresh token (Google usually sends no new refresh token). */
  async refreshAccessToken(refreshToken: string): Promise<GoogleTokens> {
    const client = this.newClient();
    client.setCredentials({ refresh_token: refreshToken });
    const { credentials: tokens } = await this.call(() => client.refreshAccessToken());
    if (!tokens.access_token) throw new GoogleOAuthRejectedError('no_access_token');
    // The library echoes the refresh token it was given; only a different one is new.
    const rotated = tokens.refresh_token && tokens.refresh_token !== refreshToken ? tokens.refresh_token : undefined;
    return {
      accessToken: tokens.access_token,
      ...(rotated ? { refreshToken: rotated } : {}),
      expiresAt: new Date(tokens.expiry_date ?? Date.now() + 3600_000),
      scopes: (tokens.scope ?? '').split(/\s+/).filter(Boolean),
    };
  }

  /** Revokes a token at Google (a refresh token revokes the whole grant). */
  async revoke(token: string): Promise<void> {
    await this.call(() => this.newClient().revokeToken(token));
  }

  /** An OAuth2 client that authorizes API calls with `accessToken` (and never refreshes by itself). */
  clientWithAccessToken(accessToken: string): OAuth2Client {
    const client = this.newClient();
    client.setCredentials({ access_token: accessToken });
    return client;
  }

  private newClient(): OAuth2Client {
    return new OAuth2Client({
      clientId: this.config.GOOGLE_CLIENT_ID,
      clientSecret: this.config.GOOGLE_CLIENT_SECRET,
      redirectUri: this.config.GOOGLE_REDIRECT_URI,
      endpoints: {
        oauth2AuthBaseUrl: this.config.GOOGLE_OAUTH_AUTH_URL,
        oauth2TokenUrl: this.config.GOOGLE_OAUTH_TOKEN_URL,
        oauth2RevokeUrl: this.config.GOOGLE_OAUTH_REVOKE_URL,
      },
      // Node's own fetch: gaxios would otherwise load node-fetch with a dynamic import() (a
      // second HTTP stack, and one that Jest's VM cannot load).
      transporterOptions: { timeout: this.config.OUTBOUND_TIMEOUT_MS, fetchImplementation: fetch },
    });
  }

  /** Runs a request to Google's OAuth endpoints, sorting its failure into rejected or unavailable. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifyGoogleOAuthFailure(error);
    }
  }
}
