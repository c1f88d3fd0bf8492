import {
  AcceptedServiceTokens,
  CommaSeparated,
  EnvVar,
  NumberFromEnv,
  ServiceConfig,
  ServiceToken,
} from '@connector-service/app-core';
import { IsArray, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

/** database-api's whole configuration, read from the environment once at start. */
export class DatabaseApiConfig extends ServiceConfig {
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(65535)
  readonly PORT: number = 3002;

  @EnvVar()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  readonly JWT_SECRET!: string;

  @EnvVar()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  readonly WEBHOOK_SERVER_URL!: string;

  @ServiceToken()
  readonly WEBHOOK_SERVER_SERVICE_TOKEN!: string;

  @AcceptedServiceTokens()
  readonly DATABASE_SERVER_SERVICE_TOKEN!: string[];

  @EnvVar()
  @CommaSeparated()
  @IsOptional()
  @IsArray()
  @IsUrl({ require_tld: false, require_protocol: true }, { each: true })
  readonly CORS_ORIGINS?: string[];

  /** How long, from a request's arrival, its calls to webhook-api may take before it is answered with 504. */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(100)
  @Max(60000)
  readonly WEBHOOK_API_TIMEOUT_MS: number = 10000;

  /** handlegooglecalendar calls allowed per user per minute (each one sends an e-mail). */
  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  @Min(1)
  @Max(100000)
  readonly CONNECT_RATE_LIMIT_PER_MINUTE: number = 20;
}
