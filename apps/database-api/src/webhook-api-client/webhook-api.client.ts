import { HttpService } from '@nestjs/axios';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  ErrorEnvelope,
  GoogleCalendarConnectResultDto,
  GoogleCalendarDisconnectResultDto,
  SUBACCOUNT_ID_HEADER,
  SuccessEnvelope,
  isErrorCode,
} from '@connector-service/contracts';
import {
  DomainException,
  REQUEST_ID_HEADER,
  REQUEST_TIMEOUT_HEADER,
  currentRequestId,
  currentRequestReceivedAt,
} from '@connector-service/app-core';
import { AxiosError, AxiosResponse, Method } from 'axios';
import { firstValueFrom } from 'rxjs';
import { DatabaseApiConfig } from '../config/database-api.config';

/** One call to webhook-api. */
export interface WebhookApiRequest {
  readonly method: Method;
  /** Under WEBHOOK_SERVER_URL, without a leading slash; its segments already encoded. */
  readonly path: string;
  /** Entries that are undefined are left out. */
  readonly query?: object;
  readonly body?: unknown;
  /** Sent as `Idempotency-Key`. */
  readonly idempotencyKey?: string;
  /**
   * The subaccount the call acts for, sent as `X-Subaccount-Id` so webhook-api refuses a
   * connection that is not that subaccount's. Every call about a subaccount names it.
   */
  readonly subaccountId?: string;
}

/** A subaccount's connection at webhook-api. */
export interface ConnectionRef {
  readonly subaccountId: string;
  readonly calendarId: string;
}

/** webhook-api's successful answer: its status, its `data` and `message`, and the headers the SPA may see. */
export interface WebhookApiAnswer<T> {
  readonly status: number;
  readonly data: T;
  readonly message?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * 4xx answers of webhook-api that describe the caller's request (or Google's view of it)
 * and are passed on as they are. A 401 is not among them: it means our service token is
 * wrong, which the SPA cannot fix.
 */
const PASSED_THROUGH = new Set<number>([
  HttpStatus.BAD_REQUEST,
  HttpStatus.FORBIDDEN,
  HttpStatus.NOT_FOUND,
  HttpStatus.CONFLICT,
  HttpStatus.UNPROCESSABLE_ENTITY,
  HttpStatus.TOO_MANY_REQUESTS,
]);

/** 5xx answers that say Google failed (not webhook-api): passed on only with exactly this code. */
const GOOGLE_FAILURES = new Map<number, ErrorCode>([
  [HttpStatus.BAD_GATEWAY, ErrorCode.GoogleUnavailable],
  [HttpStatus.GATEWAY_TIMEOUT, ErrorCode.GoogleTimeout],
]);

/** Answer headers of webhook-api that reach the SPA, by their wire name (lowercase) → as we send them. */
const FORWARDED_HEADERS: Readonly<Record<string, string>> = {
  'retry-after': 'Retry-After',
  'idempotent-replayed': 'Idempotent-Replayed',
};
const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,256}$/;

const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** `api/google-calendar/connections/:calendarId[/segment...]`, each segment encoded. */
export function googleCalendarConnectionPath(calendarId: string, ...segments: string[]): string {
  return ['api/google-calendar/connections', calendarId, ...segments]
    .map((part, index) => (index === 0 ? part : encodeURIComponent(part)))
    .join('/');
}

/**
 * The one way to webhook-api: the service token, the subaccount acted for, the request id,
 * a total deadline (told to webhook-api as `X-Request-Timeout-Ms`, so it answers within
 * it), and failures mapped for our callers: webhook-api's own answers about the request
 * (and Google's 502/504) go on unchanged, with their `Retry-After`; webhook-api timing out
 * is a 504 `UPSTREAM_TIMEOUT`, unreachable or failing a 502 `UPSTREAM_UNAVAILABLE`; never
 * a hang or a 500.
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
    return this.request({
      method: 'POST',
      path: 'api/google-calendar/connect',
      body: { subaccountId, userEmail },
      subaccountId,
    });
  }

  disconnectGoogleCalendar(connection: ConnectionRef): Promise<WebhookApiAnswer<GoogleCalendarDisconnectResultDto>> {
    return this.request({
      method: 'DELETE',
      path: googleCalendarConnectionPath(connection.calendarId),
      subaccountId: connection.subaccountId,
    });
  }

  async request<T>(call: WebhookApiRequest): Promise<WebhookApiAnswer<T>> {
    const url = new URL(call.path, withSlash(this.config.WEBHOOK_SERVER_URL));
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.append(name, String(value));
    }
    // Counted from the arrival of the request being served, so its caller has the answer
    // within WEBHOOK_API_TIMEOUT_MS however long the work before this call took.
    const deadline = (currentRequestReceivedAt() ?? Date.now()) + this.config.WEBHOOK_API_TIMEOUT_MS;
    const timeoutMs = deadline - Date.now();
    if (timeoutMs <= 0) {
      this.logger.warn(`No time left to call webhook-api for ${describe(call)}`);
      throw upstreamTimeout();
    }
    let response: AxiosResponse<unknown>;
    try {
      response = await firstValueFrom(
        this.http.request<unknown>({
          method: call.method,
          url: url.toString(),
          data: call.body,
          headers: {
            Authorization: `Bearer ${this.config.WEBHOOK_SERVER_SERVICE_TOKEN}`,
            ...requestIdHeader(),
            // How long we still wait, so webhook-api answers (at worst its own 504) before we give up.
            [REQUEST_TIMEOUT_HEADER]: String(Math.max(1, deadline - Date.now())),
            ...(call.idempotencyKey === undefined ? {} : { [IDEMPOTENCY_KEY_HEADER]: call.idempotencyKey }),
            ...(call.subaccountId === undefined ? {} : { [SUBACCOUNT_ID_HEADER]: call.subaccountId }),
          },
          // `timeout` alone is an idle timeout of the socket; the signal bounds the whole call.
          timeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        }),
      );
    } catch (error) {
      throw this.toDomainException(error as AxiosError<ErrorEnvelope>, call);
    }
    const envelope = response.data as Partial<SuccessEnvelope<T>> | null;
    if (typeof envelope !== 'object' || envelope === null || envelope.success !== true) {
      this.logger.warn(`webhook-api answered ${describe(call)} with HTTP ${response.status} but no success envelope`);
      throw upstreamUnavailable();
    }
    return {
      status: response.status,
      data: envelope.data as T,
      ...(typeof envelope.message === 'string' ? { message: envelope.message } : {}),
      headers: forwardedHeaders(response.headers),
    };
  }

  private toDomainException(error: AxiosError<ErrorEnvelope>, call: WebhookApiRequest): DomainException {
    const response = error.response;
    if (response) {
      const code = response.data?.error?.code;
      const passed = PASSED_THROUGH.has(response.status)
        ? code !== undefined && code !== null
        : GOOGLE_FAILURES.has(response.status) && GOOGLE_FAILURES.get(response.status) === code;
      if (passed) {
        // Both apps answer codes of the one shared ErrorCode list, so webhook-api's code goes
        // on unchanged; one outside it means webhook-api broke the contract, and is answered
        // like an answer without a code: webhook-api failing.
        if (isErrorCode(code)) {
          const headers = forwardedHeaders(response.headers);
          return new DomainException(
            response.status,
            code,
            typeof response.data.message === 'string' ? response.data.message : code,
            response.data.error.details,
            Object.keys(headers).length > 0 ? headers : undefined,
          );
        }
        this.logger.warn(
          `webhook-api answered ${describe(call)} with HTTP ${response.status} and the unknown code ${JSON.stringify(code)}`,
        );
        return upstreamUnavailable();
      }
      this.logger.warn(`webhook-api failed on ${describe(call)}: HTTP ${response.status}`);
      return upstreamUnavailable();
    }
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || error.code === 'ERR_CANCELED') {
      this.logger.warn(`webhook-api timed out on ${describe(call)}`);
      return upstreamTimeout();
    }
    this.logger.warn(`webhook-api failed on ${describe(call)}: ${error.message}`);
    return upstreamUnavailable();
  }
}

function upstreamTimeout(): DomainException {
  return new DomainException(
    HttpStatus.GATEWAY_TIMEOUT,
    ErrorCode.UpstreamTimeout,
    'webhook-api did not answer in time',
  );
}

function upstreamUnavailable(): DomainException {
  return new DomainException(HttpStatus.BAD_GATEWAY, ErrorCode.UpstreamUnavailable, 'webhook-api is unavailable');
}

/** Logged without the query (it may carry page tokens). */
function describe(call: WebhookApiRequest): string {
  return `${call.method.toUpperCase()} ${call.path}`;
}

function forwardedHeaders(headers: AxiosResponse['headers'] | undefined): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [wire, name] of Object.entries(FORWARDED_HEADERS)) {
    const value: unknown = headers?.[wire];
    if (typeof value === 'string' && SAFE_HEADER_VALUE.test(value)) forwarded[name] = value;
  }
  return forwarded;
}

/** Passes the current request id on, so webhook-api's logs and callbacks carry it. */
function requestIdHeader(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
