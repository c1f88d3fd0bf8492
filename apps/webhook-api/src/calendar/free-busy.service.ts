import { Injectable } from '@nestjs/common';
import { CalendarBusyDto, FreeBusyResultDto } from '@connector-service/contracts';
import { ConcurrencyLimit } from '@connector-service/app-core';
import type { ConnectionRecord } from '../connections/connection.repository';
import { GoogleCalendarApi } from '../google/google-calendar.api';
import { BusyInterval, mergeIntervals } from './intervals';

/** Google's freeBusy.query takes at most 50 calendars. */
export const MAX_CALENDARS_PER_QUERY = 50;
/** Long ranges are asked for in chunks of at most this many days. */
export const MAX_DAYS_PER_QUERY = 30;
/** How many of one request's queries are at Google at once (90 days of 100 calendars: 6 queries). */
export const MAX_QUERIES_IN_FLIGHT = 4;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CalendarBusy {
  googleCalendarId: string;
  /** Merged, sorted, clipped to the range; epoch ms. */
  busy: BusyInterval[];
  error?: string;
}

/**
 * Free/busy over any number of calendars and any range up to the contract's 90 days: split
 * into queries Google takes (50 calendars, 30 days each), at most MAX_QUERIES_IN_FLIGHT of
 * them at Google at once, and put back together per calendar. A calendar Google cannot read
 * reports its own error beside the others' busy times instead of failing them all. Always
 * asked of Google, never cached, so an answer is never staler than the request.
 */
@Injectable()
export class FreeBusyService {
  constructor(private readonly calendarApi: GoogleCalendarApi) {}

  async busyOf(
    calendarId: string,
    timeMin: Date,
    timeMax: Date,
    googleCalendarIds: readonly string[],
    connection?: ConnectionRecord,
  ): Promise<CalendarBusy[]> {
    const ranges = splitRange(timeMin.getTime(), timeMax.getTime(), MAX_DAYS_PER_QUERY * DAY_MS);
    const groups = chunk([...new Set(googleCalendarIds)], MAX_CALENDARS_PER_QUERY);
    // Per request: another request's queries do not wait behind these.
    const slots = new ConcurrencyLimit(MAX_QUERIES_IN_FLIGHT);
    const answers = await Promise.all(
      ranges.flatMap((range) =>
        groups.map((group) =>
          slots.run(() =>
            this.calendarApi.freeBusy(
              calendarId,
              { timeMin: new Date(range.start).toISOString(), timeMax: new Date(range.end).toISOString() },
              group,
              connection,
            ),
          ),
        ),
      ),
    );
    return googleCalendarIds.map((googleCalendarId) => {
      const intervals: BusyInterval[] = [];
      let error: string | undefined;
      for (const answer of answers) {
        const calendar = answer.get(googleCalendarId);
        if (!calendar) continue;
        error ??= calendar.error;
        for (const { start, end } of calendar.busy) intervals.push({ start: Date.parse(start), end: Date.parse(end) });
      }
      const busy = mergeIntervals(intervals, timeMin.getTime(), timeMax.getTime());
      return { googleCalendarId, busy: error ? [] : busy, ...(error ? { error } : {}) };
    });
  }

  async freeBusy(
    calendarId: string,
    timeMin: Date,
    timeMax: Date,
    googleCalendarIds: readonly string[],
  ): Promise<FreeBusyResultDto> {
    const calendars = await this.busyOf(calendarId, timeMin, timeMax, googleCalendarIds);
    return {
      timeMin: timeMin.toISOString(),
      timeMax: timeMax.toISOString(),
      calendars: calendars.map(
        (calendar): CalendarBusyDto => ({
          googleCalendarId: calendar.googleCalendarId,
          busy: calendar.busy.map((interval) => ({
            start: new Date(interval.start).toISOString(),
            end: new Date(interval.end).toISOString(),
          })),
          ...(calendar.error ? { error: calendar.error } : {}),
        }),
      ),
    };
  }
}

/** [start, end) cut into consecutive pieces of at most `maxMs`. */
export function splitRange(start: number, end: number, maxMs: number): BusyInterval[] {
  const pieces: BusyInterval[] = [];
  for (let from = start; from < end; from += maxMs) pieces.push({ start: from, end: Math.min(end, from + maxMs) });
  return pieces;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
