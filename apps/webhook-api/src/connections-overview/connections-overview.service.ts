import { Injectable } from '@nestjs/common';
import {
  CONNECTION_OVERVIEW_PAGE_DEFAULT,
  ConnectionOverviewPageDto,
  ListConnectionsQueryDto,
} from '@connector-service/contracts';
import { CalendarSyncStateRepository, SyncOutcome } from '../calendar-sync/calendar-sync-state.repository';
import { ConnectionRepository } from '../connections/connection.repository';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { PushChannelRepository } from '../push-channels/push-channel.repository';
import { ConnectionFigures, OpenChannel, toConnectionOverview } from './connection-overview';

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
    const syncsOf = new Map<string, SyncOutcome[]>();
    for (const state of syncs) syncsOf.set(state.calendarId, [...(syncsOf.get(state.calendarId) ?? []), state]);
    const channelsOf = new Map<string, OpenChannel[]>();
    for (const channel of channels) {
      channelsOf.set(channel.calendarId, [...(channelsOf.get(channel.calendarId) ?? []), channel]);
    }
    const items = page.map((connection, index) => {
      const calendarId = calendarIds[index] as string;
      return toConnectionOverview(connection, {
        sync: combinedSync(syncsOf.get(calendarId) ?? []),
        channels: channelsOf.get(calendarId) ?? [],
        deliveries: deliveries.get(calendarId),
      });
    });
    return found.length > limit ? { items, nextCursor: calendarIds[calendarIds.length - 1] } : { items };
  }
}

/**
 * One connection's sync as the overview shows it, over its watched calendars: synced as of
 * its least recently synced calendar (null while one never was), and the first failing one's error.
 */
function combinedSync(states: readonly SyncOutcome[]): ConnectionFigures['sync'] {
  if (states.length === 0) return undefined;
  // A projection may leave out a field that is null (FerretDB does).
  const synced = states.map((state) => state.lastSyncedAt ?? null);
  const lastSyncedAt = synced.some((at) => at === null)
    ? null
    : new Date(Math.min(...synced.map((at) => (at as Date).getTime())));
  const failing = states.find((state) => state.lastError);
  const lastError = failing
    ? states.length > 1
      ? `${failing.googleCalendarId}: ${failing.lastError as string}`
      : failing.lastError
    : null;
  return { lastSyncedAt, lastError };
}
