import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { ErrorCode, GOOGLE_CALENDAR_CONNECTOR_ID, GoogleCalendarConnectorMetadata } from '@connector-service/contracts';
import { REQUEST_ID_HEADER } from '@connector-service/app-core';
import { AxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import { WebhookApiConfig } from '../config/webhook-api.config';

/**
 * applied; ignored: database-api took it but kept what it has (a newer version of the scope,
 * or a scope it refuses: the connector was removed and created again); connector_missing.
 */
export type MetadataDelivery = 'applied' | 'ignored' | 'connector_missing';

/** One metadata update: the state, its version and the scope the version counts in. */
export interface MetadataUpdate {
  readonly metadata: GoogleCalendarConnectorMetadata;
  readonly version: number;
  readonly versionScope: string;
}

/** database-api did not take the update now (down, timed out, 5xx...): try again later. */
export class DatabaseApiUnavailableError extends Error {}

/** The one way to database-api: the service token, a timeout, and answers sorted for the outbox. */
@Injectable()
export class DatabaseApiClient {
  constructor(
    private readonly http: HttpService,
    private readonly config: WebhookApiConfig,
  ) {}

  async updateGoogleCalendarMetadata(
    subaccountId: string,
    update: MetadataUpdate,
    requestId?: string | null,
  ): Promise<MetadataDelivery> {
    const url = new URL(`api/connectors/${subaccountId}/metadata/update`, withSlash(this.config.DATABASE_SERVER_URL));
    try {
      const response = await firstValueFrom(
        this.http.post<{ data?: { applied?: unknown } }>(
          url.toString(),
          { connectorId: GOOGLE_CALENDAR_CONNECTOR_ID, ...update },
          {
            headers: {
              Authorization: `Bearer ${this.config.DATABASE_SERVER_SERVICE_TOKEN}`,
              ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
            },
            timeout: this.config.OUTBOUND_TIMEOUT_MS,
          },
        ),
      );
      return response.data?.data?.applied === false ? 'ignored' : 'applied';
    } catch (error) {
      const response = (error as AxiosError<{ error?: { code?: string } }>).response;
      const status = response?.status;
      // Only a 404 that names the connector is final; any other (a wrong URL) is retried.
      if (status === 404 && response?.data?.error?.code === ErrorCode.ConnectorNotFound) return 'connector_missing';
      throw new DatabaseApiUnavailableError(
        status === undefined
          ? `database-api unreachable: ${(error as Error).message}`
          : `database-api answered ${status}`,
      );
    }
  }
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
