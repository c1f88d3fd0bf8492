import { Injectable } from '@nestjs/common';
import {
  CONNECTION_OVERVIEW_PAGE_DEFAULT,
  ConnectionOverviewPageDto,
  ListConnectionsQueryDto,
} from '@connector-service/contracts';
import { CalendarSyncStateRepository } from '../calendar-sync/calendar-sync-state.repository';
import { ConnectionRepository } from '../connections/connection.repository';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { PushChannelRepository } from '../push-channels/push-channel.repository';
import { OpenChannel, toConnectionOverview } from './connection-overview';

/**
 * The operator's view (CONTRACT.md, "Connection lifecycle"): a page of connections and, for
 * that page alone, one batched read per collection: sync states, push channels, delivery
 * counts. So an answer costs the same few indexed reads whatever the number of connections,
 * channels or deliveries stored (each repository method names the index that serves it).
 */
@Injectable()
export class ConnectionsOverviewService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly syncStates: CalendarSyncStateRepository,
    private readonly channels: PushChannelRepository,
    private readonly deliveries: DeliveriesService,
  ) {}

  async list(query: ListConnectionsQueryDto): Promise<ConnectionOverviewPageDto> {
    const limit = query.limit ?? CONNECTION_OVERVIEW_PAGE_DEFAULT;
    // One more than the page tells whether there is a next one.
    const found = await this.connections.findPage({ status: query.status, before: query.cursor }, limit + 1);
    const page = found.slice(0, limit);
    if (page.length === 0) return { items: [] };
    const calendarIds = page.map((connection) => connection._id.toString());
    const [syncs, channels, deliveries] = await Promise.all([
      this.syncStates.findSyncOutcomes(calendarIds),
      this.channels.findOpenOfConnections(calendarIds),
      this.deliveries.countsByConnection(calendarIds),
    ]);
    const syncOf = new Map(syncs.map((state) => [state._id, state]));
    const channelsOf = new Map<string, OpenChannel[]>();
    for (const channel of channels) {
      channelsOf.set(channel.calendarId, [...(channelsOf.get(channel.calendarId) ?? []), channel]);
    }
    const items = page.map((connection, index) => {
      const calendarId = calendarIds[index] as string;
      return toConnectionOverview(connection, {
        sync: syncOf.get(calendarId),
        channels: channelsOf.get(calendarId) ?? [],
        deliveries: deliveries.get(calendarId),
      });
    });
    return found.length > limit ? { items, nextCursor: calendarIds[calendarIds.length - 1] } : { items };
  }
}
