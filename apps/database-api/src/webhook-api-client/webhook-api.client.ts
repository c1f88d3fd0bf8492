import { HttpService } from '@nestjs/axios';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  ErrorEnvelope,
  GoogleCalendarConnectResultDto,
  GoogleCalendarDisconnectResultDto,
  SuccessEnvelope,
  isErrorCode,
} from '@connector-service/contracts';
import { DomainException, REQUEST_ID_HEADER, currentRequestId } from '@connector-service/app-core';
import { AxiosError, Method } from 'axios';
import { firstValueFrom } from 'rxjs';
import { DatabaseApiConfig } from '../config/database-api.config';

export interface WebhookApiAnswer<T> {
  data: T;
  message?: string;
}

/** Statuses of webhook-api that describe the caller's request and are passed on as they are. */
const PASSED_THROUGH = new Set<number>([
  HttpStatus.BAD_REQUEST,
  HttpStatus.NOT_FOUND,
  HttpStatus.CONFLICT,
  HttpStatus.TOO_MANY_REQUESTS,
]);

/**
 * The one way to webhook-api: the service token, a timeout, and failures mapped for our
 * callers: timed out → 504, unreachable or failing → 502, never a hang or a 500.
 */
@Injectable()
export class WebhookApiClient {
  private readonly logger = new Logger(WebhookApiClient.name);

  constructor(
    private readonly http: HttpService,
    private readonly config: DatabaseApiConfig,
  ) {}

  connectGoogleCalendar(
    subaccountId: string,
    userEmail: string,
  ): Promise<WebhookApiAnswer<GoogleCalendarConnectResultDto>> {
    return this.request('POST', 'api/google-calendar/connect', { subaccountId, userEmail });
  }

  disconnectGoogleCalendar(calendarId: string): Promise<WebhookApiAnswer<GoogleCalendarDisconnectResultDto>> {
    return this.request('DELETE', `api/google-calendar/connections/${encodeURIComponent(calendarId)}`);
  }

  private async request<T>(method: Method, path: string, data?: unknown): Promise<WebhookApiAnswer<T>> {
    const base = this.config.WEBHOOK_SERVER_URL.endsWith('/')
      ? this.config.WEBHOOK_SERVER_URL
      : `${this.config.WEBHOOK_SERVER_URL}/`;
    try {
      const response = await firstValueFrom(
        this.http.request<SuccessEnvelope<T>>({
          method,
          url: new URL(path, base).toString(),
          data,
          headers: {
            Authorization: `Bearer ${this.config.WEBHOOK_SERVER_SERVICE_TOKEN}`,
            ...requestIdHeader(),
          },
          timeout: this.config.WEBHOOK_API_TIMEOUT_MS,
        }),
      );
      return { data: response.data.data, ...(response.data.message ? { message: response.data.message } : {}) };
    } catch (error) {
      throw this.toDomainException(error as AxiosError<ErrorEnvelope>, path);
    }
  }

  private toDomainException(error: AxiosError<ErrorEnvelope>, path: string): DomainException {
    const response = error.response;
    const code = response?.data?.error?.code;
    if (response && PASSED_THROUGH.has(response.status) && code) {
      // Both apps answer codes of the one shared ErrorCode list, so webhook-api's code goes
      // on unchanged; one outside it means webhook-api broke the contract, and is answered
      // like an answer without a code: webhook-api failing.
      if (isErrorCode(code))
        return new DomainException(response.status, code, response.data.message, response.data.error.details);
      this.logger.warn(
        `webhook-api answered ${path} with HTTP ${response.status} and the unknown code ${JSON.stringify(code)}`,
      );
      return new DomainException(HttpStatus.BAD_GATEWAY, ErrorCode.UpstreamUnavailable, 'webhook-api is unavailable');
    }
    if (!response && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')) {
      this.logger.warn(`webhook-api timed out on ${path}`);
      return new DomainException(
        HttpStatus.GATEWAY_TIMEOUT,
        ErrorCode.UpstreamTimeout,
        'webhook-api did not answer in time',
      );
    }
    this.logger.warn(`webhook-api failed on ${path}: ${response ? `HTTP ${response.status}` : error.message}`);
    return new DomainException(HttpStatus.BAD_GATEWAY, ErrorCode.UpstreamUnavailable, 'webhook-api is unavailable');
  }
}

/** Passes the current request id on, so webhook-api's logs and callbacks carry it. */
function requestIdHeader(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
}
