import {
  AcceptedServiceTokens,
  CommaSeparated,
  EnvVar,
  NumberFromEnv,
  ServiceConfig,
  ServiceToken,
} from '@connector-service/app-core';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

const HTTP_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** Each entry must be base64 of exactly 32 bytes (an AES-256 key). */
function IsEncryptionKeyList(): PropertyDecorator {
  return ValidateBy({
    name: 'isEncryptionKeyList',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.length > 0 &&
        value.every(
          (key) =>
            typeof key === 'string' && /^[A-Za-z0-9+/_-]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32,
        ),
      defaultMessage: () =>
        'must be one or more comma-separated base64 keys of 32 bytes each (openssl rand -base64 32)',
    },
  });
}

/** A Standard Webhooks secret: `whsec_` + base64 of 24 to 64 random bytes. */
function IsWebhookSecret(): PropertyDecorator {
  return ValidateBy({
    name: 'isWebhookSecret',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
        if (!match) return false;
        const bytes = Buffer.from(match[1] as string, 'base64');
        return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === match[1];
      },
      defaultMessage: () =>
        'must be "whsec_" + base64 of 24 to 64 random bytes (echo "whsec_$(openssl rand -base64 32)"), and is required with PLATFORM_WEBHOOK_URL',
    },
  });
}

/** webhook-api's whole configuration, read from the environment once at start. */
export class WebhookApiConfig extends ServiceConfig {
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(65535)
  readonly PORT: number = 3004;

  @EnvVar()
  @IsUrl(HTTP_URL)
  readonly DATABASE_SERVER_URL!: string;

  @ServiceToken()
  readonly DATABASE_SERVER_SERVICE_TOKEN!: string;

  @AcceptedServiceTokens()
  readonly WEBHOOK_SERVER_SERVICE_TOKEN!: string[];

  @EnvVar()
  @IsString()
  @MinLength(1)
  readonly GOOGLE_CLIENT_ID!: string;

  @EnvVar()
  @IsString()
  @MinLength(1)
  readonly GOOGLE_CLIENT_SECRET!: string;

  @EnvVar()
  @IsUrl(HTTP_URL)
  readonly GOOGLE_REDIRECT_URI: string = 'http://localhost:3004/api/google-calendar/callback';

  @EnvVar()
  @IsUrl(HTTP_URL)
  readonly GOOGLE_OAUTH_AUTH_URL: string = 'https://accounts.google.com/o/oauth2/v2/auth';

  @EnvVar()
  @IsUrl(HTTP_URL)
  readonly GOOGLE_OAUTH_TOKEN_URL: string = 'https://oauth2.googleapis.com/token';

  @EnvVar()
  @IsUrl(HTTP_URL)
  readonly GOOGLE_OAUTH_REVOKE_URL: string = 'https://oauth2.googleapis.com/revoke';

  /** Calendar v3 and oauth2/v2/userinfo are reached under it; must end with "/". */
  @EnvVar()
  @IsUrl(HTTP_URL)
  @Matches(/\/$/, { message: 'must end with "/"' })
  readonly GOOGLE_API_ROOT_URL: string = 'https://www.googleapis.com/';

  /** The first key encrypts; all of them decrypt (rotation). */
  @EnvVar()
  @CommaSeparated()
  @IsEncryptionKeyList()
  readonly TOKEN_ENCRYPTION_KEY!: string[];

  @EnvVar()
  @IsUrl({ require_tld: false, protocols: ['smtp', 'smtps'], require_protocol: true })
  readonly SMTP_URL!: string;

  /** SMTP sessions kept open and reused; e-mails beyond this many at once wait for one. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(100)
  readonly SMTP_MAX_CONNECTIONS: number = 20;

  @EnvVar()
  @IsString()
  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+>?$/, {
    message: 'must be an address, e.g. "Calendar <noreply@example.com>"',
  })
  readonly MAIL_FROM!: string;

  @EnvVar()
  @IsOptional()
  @IsUrl(HTTP_URL)
  readonly OAUTH_SUCCESS_REDIRECT_URL?: string;

  @EnvVar()
  @IsOptional()
  @IsUrl(HTTP_URL)
  readonly OAUTH_FAILURE_REDIRECT_URL?: string;

  /** How long a consent link (its `state`) stays usable. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(60)
  @Max(86400)
  readonly OAUTH_STATE_TTL_SECONDS: number = 900;

  /** Timeout of each call to Google, database-api and the SMTP server. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(100)
  @Max(60000)
  readonly OUTBOUND_TIMEOUT_MS: number = 10000;

  /** How often pending metadata updates are looked for (the first attempt is immediate). */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(50)
  @Max(60000)
  readonly OUTBOX_POLL_INTERVAL_MS: number = 1000;

  /** How often connections not refreshed for a day are refreshed (finds revoked grants early). */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  readonly REFRESH_SWEEP_INTERVAL_MS: number = 600_000;

  /** Connections the sweep refreshes (or e-mails) at once; a backlog is worked off without waiting for the next sweep. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(1000)
  readonly REFRESH_SWEEP_BATCH_SIZE: number = 25;

  /** OAuth callbacks allowed per client address per minute (the route is public). */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(100000)
  readonly CALLBACK_RATE_LIMIT_PER_MINUTE: number = 30;

  /**
   * Pushes POST /api/google-calendar/notifications takes per client address per minute (per
   * replica), then 429: bounds a flood. Google sends from few addresses, so keep it generous.
   */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  readonly PUSH_RATE_LIMIT_PER_MINUTE: number = 6000;

  /** Where change notifications are POSTed (Standard Webhooks). Unset: nothing is enqueued or sent. */
  @EnvVar()
  @IsOptional()
  @IsUrl(HTTP_URL)
  readonly PLATFORM_WEBHOOK_URL?: string;

  /** Signs the deliveries; required with PLATFORM_WEBHOOK_URL (and checked whenever it is set). */
  @EnvVar()
  @ValidateIf(
    (config: WebhookApiConfig) =>
      config.PLATFORM_WEBHOOK_URL !== undefined || config.PLATFORM_WEBHOOK_SECRET !== undefined,
  )
  @IsWebhookSecret()
  readonly PLATFORM_WEBHOOK_SECRET?: string;

  /**
   * Where Google reaches POST /api/google-calendar/notifications (public HTTPS in production).
   * Set: a push channel is kept open per connection. Unset: no channels, the periodic sync only.
   */
  @EnvVar()
  @IsOptional()
  @IsUrl(HTTP_URL)
  readonly GOOGLE_PUSH_URL?: string;

  /** How often a watched calendar without a live push channel is synced. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(5)
  @Max(86_400)
  readonly CALENDAR_SYNC_INTERVAL_SECONDS: number = 300;

  /**
   * How often a watched calendar whose push channel is live is synced anyway (pushes Google
   * lost); each calendar's times spread by up to ±25 %.
   */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(5)
  @Max(7 * 86_400)
  readonly CALENDAR_BACKSTOP_INTERVAL_SECONDS: number = 21_600;

  /** Calendar API calls a minute this replica may make for background work (syncs, channels). */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  readonly GOOGLE_BACKGROUND_REQUESTS_PER_MINUTE: number = 600;

  /**
   * How long a claim on exclusive work (a sync, a booking, a delivery stream) lasts unless
   * its holder renews it (every third of it); a holder that died frees it after this long.
   */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(300)
  @Max(300_000)
  readonly CLAIM_TTL_MS: number = 15_000;

  /** How often due deliveries (retries) are looked for; a new delivery is tried at once. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(50)
  @Max(60000)
  readonly DELIVERY_POLL_INTERVAL_MS: number = 1000;

  /** The first retry's delay; each next one doubles it (with jitter), at most an hour. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  readonly DELIVERY_RETRY_BASE_MS: number = 1000;

  /** A delivery is retried for at least this long after its first attempt, then `failed`. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  readonly DELIVERY_RETRY_WINDOW_SECONDS: number = 86_400;

  /** Delivered and failed deliveries are kept this many days after they ended (in `delivereddeliveries`), then deleted. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(3650)
  readonly DELIVERY_ARCHIVE_RETENTION_DAYS: number = 7;
}
