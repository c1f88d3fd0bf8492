import { Injectable } from '@nestjs/common';
import { ConnectionOverviewPageDto, ListConnectionsQueryDto } from '@connector-service/contracts';
import { WebhookApiClient } from '../../webhook-api-client/webhook-api.client';

/** The operator's view of every connection: webhook-api holds the connections and answers it. */
@Injectable()
export class OperatorViewService {
  constructor(private readonly webhookApi: WebhookApiClient) {}

  async listConnections(query: ListConnectionsQueryDto): Promise<ConnectionOverviewPageDto> {
    const answer = await this.webhookApi.request<ConnectionOverviewPageDto>({
      method: 'GET',
      path: 'api/google-calendar/connections',
      query: { status: query.status, limit: query.limit, cursor: query.cursor },
    });
    return answer.data;
  }
}
