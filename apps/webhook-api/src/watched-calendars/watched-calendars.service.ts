import { HttpStatus, Injectable } from '@nestjs/common';
import { DomainException } from '@connector-service/app-core';
import {
  CalendarSummaryDto,
  ConnectionStatus,
  ErrorCode,
  WatchedCalendarDto,
  WatchedCalendarStatus,
} from '@connector-service/contracts';
import { CalendarSyncScheduler } from '../calendar-sync/calendar-sync.scheduler';
import { CalendarSyncStateRepository } from '../calendar-sync/calendar-sync-state.repository';
import { parseWatchKey, watchKey } from '../calendar-sync/calendar-sync-state.schema';
import { connectionChanged, connectionNotFound, connectionNotUsable } from '../connections/connection-errors';
import { ConnectionRecord, ConnectionRepository } from '../connections/connection.repository';
import { accountVersionOf, watchedCalendarsOf } from '../connections/google-account';
import type { WatchedCalendarChoice } from '../connections/google-calendar-connection.schema';
import { GoogleCalendarApi } from '../google/google-calendar.api';
import { PushChannelsService } from '../push-channels/push-channels.service';

/** How a request names the account's main calendar. */
const PRIMARY = 'primary';
/** Access roles that let the account read a calendar's events (freeBusyReader sees busy times only). */
const READABLE = new Set(['owner', 'writer', 'reader']);

/**
 * The calendars of a connection whose changes are delivered (CONTRACT.md, "Change
 * notifications"): the primary calendar until the platform chooses others. Choosing stores
 * the list, makes each newly watched calendar due for its baseline (its existing events are
 * not delivered) and owes it a push channel; calendars no longer watched have their state
 * forgotten and their channels stopped. The Google calls that follow run in the background.
 */
@Injectable()
export class WatchedCalendarsService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly states: CalendarSyncStateRepository,
    private readonly google: GoogleCalendarApi,
    private readonly scheduler: CalendarSyncScheduler,
    private readonly channels: PushChannelsService,
  ) {}

  async list(calendarId: string): Promise<WatchedCalendarDto[]> {
    return this.answer(await this.connected(calendarId));
  }

  /**
   * Replaces the watched calendars. Each must be one the account can read (by Google's id,
   * or `primary`), else 400 naming the others.
   */
  async replace(calendarId: string, googleCalendarIds: readonly string[]): Promise<WatchedCalendarDto[]> {
    const connection = await this.connected(calendarId);
    const readable = await this.google.listCalendars(calendarId);
    const chosen = chooseCalendars(googleCalendarIds, readable);
    if (chosen.unreadable.length > 0) {
      throw new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        `The account cannot read ${chosen.unreadable.join(', ')}`,
        { unreadable: chosen.unreadable },
      );
    }
    const ended = new Set(
      (await this.states.findByConnection(calendarId)).filter((s) => s.endedReason).map((s) => s.googleCalendarId),
    );
    const saved = await this.connections.setWatchedCalendars(
      connection._id,
      accountVersionOf(connection),
      chosen.calendars,
    );
    // Another Google account was connected, or the connection was disconnected, meanwhile.
    if (!saved) throw connectionChanged(calendarId);
    // A calendar that ended but is readable again (re-shared) is watched afresh: a new baseline.
    for (const calendar of chosen.calendars) {
      if (ended.has(calendar.googleCalendarId))
        await this.states.delete(watchKey(calendarId, calendar.googleCalendarId));
    }
    const before = new Set(
      watchedCalendarsOf(connection)
        .map((calendar) => calendar.googleCalendarId)
        .filter((id) => !ended.has(id)),
    );
    // Changes from now on are delivered; the events that exist now are not.
    for (const key of await this.scheduler.markDue(saved, new Date())) {
      if (!before.has(parseWatchKey(key).googleCalendarId)) this.scheduler.requestSync(key);
    }
    await this.channels.settleWatched(saved);
    return this.answer(saved);
  }

  private async answer(connection: ConnectionRecord): Promise<WatchedCalendarDto[]> {
    const states = await this.states.findByConnection(connection._id.toString());
    return watchedCalendarsOf(connection).map((calendar) => {
      const ended = states.find((state) => state.googleCalendarId === calendar.googleCalendarId)?.endedReason;
      return {
        googleCalendarId: calendar.googleCalendarId,
        ...(calendar.summary ? { summary: calendar.summary } : {}),
        status: ended ? WatchedCalendarStatus.Ended : WatchedCalendarStatus.Active,
        ...(ended ? { endedReason: ended } : {}),
      };
    });
  }

  private async connected(calendarId: string): Promise<ConnectionRecord> {
    const connection = await this.connections.findById(calendarId);
    if (!connection) throw connectionNotFound(calendarId);
    if (connection.status !== ConnectionStatus.Connected) throw connectionNotUsable(connection.status);
    return connection;
  }
}

/**
 * The requested calendars by Google's own ids (`primary` is the account's main one; ids are
 * matched as Google does, ignoring case), each once, in the order asked; and those the
 * account cannot read.
 */
export function chooseCalendars(
  requested: readonly string[],
  readable: readonly CalendarSummaryDto[],
): { calendars: WatchedCalendarChoice[]; unreadable: string[] } {
  const calendars: WatchedCalendarChoice[] = [];
  const unreadable: string[] = [];
  for (const id of requested) {
    const found = readable.find((calendar) =>
      id === PRIMARY ? calendar.primary : calendar.id.toLowerCase() === id.toLowerCase(),
    );
    if (!found || (found.accessRole !== undefined && !READABLE.has(found.accessRole))) {
      unreadable.push(id);
      continue;
    }
    if (calendars.some((calendar) => calendar.googleCalendarId === found.id)) continue;
    calendars.push({ googleCalendarId: found.id, ...(found.summary ? { summary: found.summary } : {}) });
  }
  return { calendars, unreadable };
}
