import { randomBytes } from 'node:crypto';
import type { GoogleSandboxEndpoints } from '@connector-service/google-sandbox';

/** One app's whole environment (as `AppProcess` takes it). */
export type AppEnv = Record<string, string>;

/** The Google OAuth client webhook-api uses: the sandbox's (a `GoogleSandbox` fits as it is) or a real one. */
export interface GoogleClientEnv {
  clientId: string;
  /** May be missing for a real client set up by hand: webhook-api then refuses to start, naming it. */
  clientSecret?: string;
  /** Where webhook-api reaches Google; an endpoint left out is Google's own (the app's default). */
  endpoints?: Partial<Pick<GoogleSandboxEndpoints, 'authUrl' | 'tokenUrl' | 'revokeUrl' | 'apiRootUrl'>>;
  /** Default: webhook-api's own callback, `http://<host>:<webhookPort>/api/google-calendar/callback`. */
  redirectUri?: string;
}

export interface StackEnvOptions {
  databasePort: number;
  webhookPort: number;
  /** The host in the URLs the apps call each other on and in the OAuth redirect URI. Default 127.0.0.1. */
  host?: string;
  /** Each app has its own database. */
  databaseMongoUri: string;
  webhookMongoUri: string;
  /** database-api's JWT_SECRET (user tokens for the SPA's routes). */
  jwtSecret: string;
  /**
   * The service tokens each app accepts, comma-separated during a rotation. The other app
   * presents the first of the list.
   */
  serviceTokens: { acceptedByDatabaseApi: string; acceptedByWebhookApi: string };
  google: GoogleClientEnv;
  smtpUrl: string;
  /** Default `Calendar Connector <noreply@example.test>`. */
  mailFrom?: string;
  /** TOKEN_ENCRYPTION_KEY. Default: 32 fresh random bytes, so nothing stored by another stack opens. */
  tokenEncryptionKey?: string;
  /** LOG_LEVEL of both apps. Default `warn`. */
  logLevel?: string;
  /** Added to both environments (e.g. NODE_OPTIONS). */
  common?: AppEnv;
  /** Per app, applied last: they win over everything above. */
  overrides?: { databaseApi?: AppEnv; webhookApi?: AppEnv };
}

export interface StackEnv {
  databaseApi: AppEnv;
  webhookApi: AppEnv;
}

/**
 * The environments of database-api and webhook-api wired to each other, to their databases,
 * to Google (or the sandbox) and to SMTP: every required variable, NODE_ENV=production (no
 * .env file is read) and PORT. The one place tests, the bench and `npm start` get them from.
 */
export function stackEnv(options: StackEnvOptions): StackEnv {
  const host = options.host ?? '127.0.0.1';
  const databaseUrl = `http://${host}:${options.databasePort}`;
  const webhookUrl = `http://${host}:${options.webhookPort}`;
  const { acceptedByDatabaseApi, acceptedByWebhookApi } = options.serviceTokens;
  const { google } = options;
  const base: AppEnv = { NODE_ENV: 'production', LOG_LEVEL: options.logLevel ?? 'warn' };

  const databaseApi: AppEnv = {
    ...base,
    PORT: String(options.databasePort),
    MONGODB_URI: options.databaseMongoUri,
    JWT_SECRET: options.jwtSecret,
    WEBHOOK_SERVER_URL: webhookUrl,
    WEBHOOK_SERVER_SERVICE_TOKEN: firstOf(acceptedByWebhookApi),
    DATABASE_SERVER_SERVICE_TOKEN: acceptedByDatabaseApi,
    ...options.common,
    ...options.overrides?.databaseApi,
  };
  const webhookApi: AppEnv = {
    ...base,
    PORT: String(options.webhookPort),
    MONGODB_URI: options.webhookMongoUri,
    DATABASE_SERVER_URL: databaseUrl,
    DATABASE_SERVER_SERVICE_TOKEN: firstOf(acceptedByDatabaseApi),
    WEBHOOK_SERVER_SERVICE_TOKEN: acceptedByWebhookApi,
    ...defined({
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_REDIRECT_URI: google.redirectUri ?? `${webhookUrl}/api/google-calendar/callback`,
      GOOGLE_OAUTH_AUTH_URL: google.endpoints?.authUrl,
      GOOGLE_OAUTH_TOKEN_URL: google.endpoints?.tokenUrl,
      GOOGLE_OAUTH_REVOKE_URL: google.endpoints?.revokeUrl,
      GOOGLE_API_ROOT_URL: google.endpoints?.apiRootUrl,
    }),
    TOKEN_ENCRYPTION_KEY: options.tokenEncryptionKey ?? randomBytes(32).toString('base64'),
    SMTP_URL: options.smtpUrl,
    MAIL_FROM: options.mailFrom ?? 'Calendar Connector <noreply@example.test>',
    ...options.common,
    ...options.overrides?.webhookApi,
  };
  return { databaseApi, webhookApi };
}

/** The token a presenter sends: the first of a comma-separated list. */
function firstOf(list: string): string {
  return list.split(',')[0]?.trim() ?? list;
}

function defined(values: Record<string, string | undefined>): AppEnv {
  const env: AppEnv = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) env[key] = value;
  return env;
}
