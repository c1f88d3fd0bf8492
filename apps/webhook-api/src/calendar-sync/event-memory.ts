import { Injectable } from '@nestjs/common';
import { ChangedCalendarEvent } from '@connector-service/contracts';
import { DateTime } from 'luxon';
import { CalendarEventMemory, eventMemoryId } from './calendar-event-memory.schema';
import { CalendarEventMemoryRepository } from './calendar-event-memory.repository';

/** What is kept of an event, by its name in the contract's shape: what a cancellation's webhook needs. */
export const REMEMBERED_FIELDS = ['summary', 'start', 'end', 'tags', 'recurringEventId', 'originalStartTime'] as const;

type Fields = Record<string, unknown>;
type EventTime = { dateTime?: string; date?: string; timeZone?: string };

/**
 * What the syncs saw of each event, so that a cancellation (which Google lists with `id` and
 * `status` alone, see CONTRACT.md "Creating an event", `tags`) is delivered with the summary,
 * times and tags the event last had. A sync completes each page's cancelled events before it
 * enqueues them, then remembers the page (every event it lists, a baseline's too) and forgets
 * its cancelled ones. The caller writes only while it holds the calendar's sync claim.
 */
@Injectable()
export class EventMemory {
  constructor(private readonly memories: CalendarEventMemoryRepository) {}

  /**
   * The events with each cancelled one completed from memory: a field Google left out takes
   * the value last seen, of the event itself or, for an occurrence never listed on its own, of
   * its series (at the occurrence's own times). One read for the whole page.
   */
  async complete(
    calendarId: string,
    googleCalendarId: string,
    events: readonly ChangedCalendarEvent[],
  ): Promise<ChangedCalendarEvent[]> {
    const cancelled = events.filter(isCancelled);
    if (cancelled.length === 0) return [...events];
    const idOf = (eventId: string) => eventMemoryId(calendarId, googleCalendarId, eventId);
    const ids = new Set<string>();
    for (const event of cancelled) {
      ids.add(idOf(event.id));
      const seriesId = seriesIdOf(event);
      if (seriesId !== undefined) ids.add(idOf(seriesId));
    }
    const found = new Map((await this.memories.findByIds([...ids])).map((memory) => [memory._id, memory.fields]));
    return events.map((event) => {
      if (!isCancelled(event)) return event;
      const seriesId = seriesIdOf(event);
      return completedEvent(
        event,
        found.get(idOf(event.id)),
        seriesId === undefined ? undefined : found.get(idOf(seriesId)),
      );
    });
  }

  /** Remembers the events of a page that are not cancelled and forgets the cancelled ones: one write. */
  async remember(calendarId: string, googleCalendarId: string, events: readonly ChangedCalendarEvent[]): Promise<void> {
    const rememberedAt = new Date();
    const kept: CalendarEventMemory[] = [];
    const forgotten: string[] = [];
    for (const event of events) {
      const _id = eventMemoryId(calendarId, googleCalendarId, event.id);
      if (isCancelled(event)) {
        forgotten.push(_id);
        continue;
      }
      kept.push({
        _id,
        calendarId,
        googleCalendarId,
        eventId: event.id,
        fields: rememberedFields(event),
        rememberedAt,
      });
    }
    await this.memories.write(kept, forgotten);
  }

  /** Forgets what was kept of a connection's events (of one of its Google calendars, if named). */
  forgetCalendar(calendarId: string, googleCalendarId?: string): Promise<void> {
    return this.memories.deleteCalendar(calendarId, googleCalendarId);
  }
}

/** The fields of REMEMBERED_FIELDS the event has. */
export function rememberedFields(event: ChangedCalendarEvent): Fields {
  const fields: Fields = {};
  for (const name of REMEMBERED_FIELDS) if (event[name] !== undefined) fields[name] = event[name];
  return fields;
}

/**
 * A cancelled event with the fields Google left out (absent or empty) taken from what was
 * remembered of it, else from its series' memory: the series' summary and tags, and its
 * duration from the occurrence's original start. What Google did give stays.
 */
export function completedEvent(
  event: ChangedCalendarEvent,
  own: Fields | undefined,
  series: Fields | undefined,
): ChangedCalendarEvent {
  const remembered = own ?? (series ? occurrenceOf(series, event['originalStartTime']) : undefined);
  if (!remembered) return event;
  const completed: Fields = { ...event };
  for (const name of REMEMBERED_FIELDS) {
    if (isBlank(completed[name]) && remembered[name] !== undefined) completed[name] = remembered[name];
  }
  return completed as ChangedCalendarEvent;
}

/** What an occurrence of a series had: the series' summary and tags, at its original start for the series' duration. */
function occurrenceOf(series: Fields, originalStart: unknown): Fields {
  const fields: Fields = { summary: series['summary'], tags: series['tags'] };
  const start = asTime(originalStart);
  const end = start && endAfter(start, asTime(series['start']), asTime(series['end']));
  return end ? { ...fields, start, end } : fields;
}

/** The end of an occurrence starting at `start` that lasts as long as the series' first one. */
function endAfter(start: EventTime, seriesStart?: EventTime, seriesEnd?: EventTime): EventTime | undefined {
  if (start.dateTime && seriesStart?.dateTime && seriesEnd?.dateTime) {
    const ms = Date.parse(seriesEnd.dateTime) - Date.parse(seriesStart.dateTime);
    const dateTime = Number.isNaN(ms)
      ? null
      : DateTime.fromISO(start.dateTime, { setZone: true })
          .plus({ milliseconds: ms })
          .toISO({ suppressMilliseconds: true });
    return dateTime ? { dateTime, ...(start.timeZone ? { timeZone: start.timeZone } : {}) } : undefined;
  }
  if (start.date && seriesStart?.date && seriesEnd?.date) {
    const days = DateTime.fromISO(seriesEnd.date).diff(DateTime.fromISO(seriesStart.date), 'days').days;
    const date = Number.isNaN(days) ? null : DateTime.fromISO(start.date).plus({ days }).toISODate();
    return date ? { date } : undefined;
  }
  return undefined;
}

function asTime(value: unknown): EventTime | undefined {
  return typeof value === 'object' && value !== null && !isBlank(value) ? (value as EventTime) : undefined;
}

function isCancelled(event: ChangedCalendarEvent): boolean {
  return event.status === 'cancelled';
}

function seriesIdOf(event: ChangedCalendarEvent): string | undefined {
  const seriesId = event['recurringEventId'];
  return typeof seriesId === 'string' && seriesId !== '' ? seriesId : undefined;
}

/** Absent, or as the mapper writes what Google did not give: an empty string or object. */
function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}
