import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import {
  CalendarEventDto,
  CancelledEventDto,
  CreateEventDto,
  ErrorCode,
  EventTags,
  EventTimeDto,
  EventsPageDto,
  ListEventsQueryDto,
  MAX_RANGE_DAYS,
  RespondToEventDto,
  SendUpdates,
  SlotTakenDetailsDto,
  UpdateEventDto,
  UpdateScope,
} from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';
import { randomUUID } from 'node:crypto';
import { GoogleApiException } from '../google/google-errors';
import { GoogleCalendarApi, GoogleEvent } from '../google/google-calendar.api';
import { LeaseService } from '../leases/lease.service';
import { tagsOf, toEventDto } from './calendar-event.mapper';
import { FreeBusyService } from './free-busy.service';
import { IdempotencyService, IdempotentOutcome } from './idempotency.service';
import { OccurrenceInterval, RecurrenceError, SeriesTimes, occurrencesOf, splitRecurrence } from './series';

const PRIMARY = 'primary';
const DAY_MS = 24 * 60 * 60 * 1000;
/** `requireFree` on a series checks its occurrences this far ahead, at most MAX_CHECKED_OCCURRENCES of them. */
const SERIES_CHECK_DAYS = 365;
const MAX_CHECKED_OCCURRENCES = 100;
/** Fields a new series of "this and following" takes over from the original (besides times, rules and the changes). */
const SERIES_FIELDS = [
  'summary',
  'description',
  'location',
  'transparency',
  'visibility',
  'colorId',
  'reminders',
  'guestsCanInviteOthers',
  'guestsCanModify',
  'guestsCanSeeOtherGuests',
] as const;

/** Where a PATCH applies: the event's calendar and, for `following`, the split of its series. */
export interface UpdateTarget {
  googleCalendarId?: string;
  scope?: UpdateScope;
}

/**
 * Events on a connection's calendars: list (single instances, in start order, optionally only
 * those carrying given tags), read, create (idempotent with a key; `requireFree` checked and
 * booked under the connection's booking claim, renewed however slow Google is, so two
 * overlapping requests through this service never both book; for a series, every occurrence
 * of the next year, at most 100), change (only the given fields; tags replaced; an instance and
 * every later one by splitting its series as Google does), cancel (already cancelled or gone
 * counts as done) and answer an invitation as the connected account.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);

  constructor(
    private readonly calendarApi: GoogleCalendarApi,
    private readonly freeBusy: FreeBusyService,
    private readonly idempotency: IdempotencyService,
    private readonly leases: LeaseService,
  ) {}

  async list(calendarId: string, query: ListEventsQueryDto): Promise<EventsPageDto> {
    const { googleCalendarId = PRIMARY, tag = [], ...page } = query;
    const found = await this.calendarApi.listEvents(calendarId, googleCalendarId, {
      ...page,
      privateExtendedProperty: tag.map(tagFilter),
    });
    return {
      // Cancelled instances of a series are not events one can attend.
      items: found.items
        .filter((event) => event.status !== 'cancelled')
        .map((event) => toEventDto(event, googleCalendarId)),
      ...(found.nextPageToken ? { nextPageToken: found.nextPageToken } : {}),
    };
  }

  async get(calendarId: string, eventId: string, googleCalendarId = PRIMARY): Promise<CalendarEventDto> {
    return toEventDto(await this.calendarApi.getEvent(calendarId, googleCalendarId, eventId), googleCalendarId);
  }

  create(calendarId: string, body: CreateEventDto, idempotencyKey?: string): Promise<IdempotentOutcome> {
    const range = rangeOf(body.start, body.end);
    if (body.requireFree && range.allDay) {
      throw badRequest('requireFree needs start and end as dateTime (an all-day event has no time to check)');
    }
    // Checked as free/busy would be asked: a range the free/busy route refuses is refused here too
    // (else one request could send Google a query for every 30 days of centuries).
    if (body.requireFree && range.end - range.start > MAX_RANGE_DAYS * DAY_MS) {
      throw badRequest(`requireFree checks at most ${MAX_RANGE_DAYS} days; this event is longer`);
    }
    if (!idempotencyKey) return this.insert(calendarId, body).then((event) => ({ event, replayed: false }));
    return this.idempotency.run(calendarId, idempotencyKey, body, (googleEventId) =>
      this.insert(calendarId, body, googleEventId),
    );
  }

  async update(
    calendarId: string,
    eventId: string,
    target: UpdateTarget,
    body: UpdateEventDto,
  ): Promise<CalendarEventDto> {
    const googleCalendarId = target.googleCalendarId ?? PRIMARY;
    if (body.start && body.end) rangeOf(body.start, body.end);
    if (target.scope === 'following') return this.updateFollowing(calendarId, googleCalendarId, eventId, body);
    const changes = changesOf(body);
    if (body.tags !== undefined) {
      const current = await this.calendarApi.getEvent(calendarId, googleCalendarId, eventId);
      changes.extendedProperties = { private: replacingTags(current, body.tags) };
    }
    const event = await this.calendarApi.patchEvent(
      calendarId,
      googleCalendarId,
      eventId,
      changes,
      body.sendUpdates ?? 'none',
    );
    return toEventDto(event, googleCalendarId);
  }

  async cancel(
    calendarId: string,
    eventId: string,
    googleCalendarId: string = PRIMARY,
    sendUpdates: SendUpdates = 'none',
  ): Promise<CancelledEventDto> {
    try {
      await this.calendarApi.deleteEvent(calendarId, googleCalendarId, eventId, sendUpdates);
    } catch (error) {
      // 404 (gone) and 410 (already cancelled): what the caller wanted is already so.
      if (!isGone(error)) throw error;
    }
    return { id: eventId, googleCalendarId, status: 'cancelled' };
  }

  /**
   * Answers an invitation as the connected account: its own attendee entry (the one Google
   * marks `self`) gets the answer, and the whole list goes back with only that entry changed,
   * since a patch of `attendees` replaces the list.
   */
  async respond(
    calendarId: string,
    eventId: string,
    googleCalendarId: string = PRIMARY,
    answer: RespondToEventDto,
  ): Promise<CalendarEventDto> {
    const event = await this.calendarApi.getEvent(calendarId, googleCalendarId, eventId);
    const attendees = event.attendees ?? [];
    if (!attendees.some((attendee) => attendee.self)) {
      throw new DomainException(
        HttpStatus.CONFLICT,
        ErrorCode.NotAnAttendee,
        "The connected account is not among this event's attendees",
      );
    }
    const answered = attendees.map((attendee) =>
      attendee.self
        ? {
            ...attendee,
            responseStatus: answer.responseStatus,
            ...(answer.comment !== undefined ? { comment: answer.comment } : {}),
          }
        : attendee,
    );
    const patched = await this.calendarApi.patchEvent(
      calendarId,
      googleCalendarId,
      eventId,
      { attendees: answered },
      'none',
    );
    return toEventDto(patched, googleCalendarId);
  }

  private async insert(calendarId: string, body: CreateEventDto, googleEventId?: string): Promise<CalendarEventDto> {
    const googleCalendarId = body.googleCalendarId ?? PRIMARY;
    const event = await this.googleEventOf(calendarId, googleCalendarId, body, googleEventId);
    const insert = () => this.insertAtGoogle(calendarId, googleCalendarId, event, body.sendUpdates ?? 'none');
    if (!body.requireFree) return insert();
    // Worked out before the claim is taken: a rule that cannot be expanded is a 400 at once.
    const occurrences = this.occurrencesToCheck(event);
    const booked = await this.leases.runExclusiveWaiting(
      `booking:${calendarId}`,
      async (claim): Promise<CalendarEventDto | null> => {
        // A retry of a key whose first attempt booked finds that event, not a conflict with itself.
        const own = googleEventId ? await this.existingEvent(calendarId, googleCalendarId, googleEventId) : undefined;
        if (own) return own;
        const conflict = await this.firstConflict(calendarId, googleCalendarId, occurrences, !!event.recurrence);
        if (conflict) {
          throw new DomainException(
            HttpStatus.CONFLICT,
            ErrorCode.SlotTaken,
            'The time is not free on that calendar',
            conflict,
          );
        }
        // Checked free while holding the claim; booked only if it still holds (it was renewed meanwhile).
        if (!claim.held) return null;
        return insert();
      },
    );
    if (!booked.ran || booked.value === null) {
      throw new DomainException(
        HttpStatus.TOO_MANY_REQUESTS,
        ErrorCode.RateLimited,
        'Other bookings on this connection are still in progress; try again',
        undefined,
        { 'Retry-After': '1' },
      );
    }
    return booked.value;
  }

  /** The event as Google takes it; a series whose start names no zone gets the calendar's (Google needs one). */
  private async googleEventOf(
    calendarId: string,
    googleCalendarId: string,
    body: CreateEventDto,
    googleEventId?: string,
  ): Promise<GoogleEvent> {
    let start: EventTimeDto = body.start;
    let end: EventTimeDto = body.end;
    if (body.recurrence && start.dateTime !== undefined && start.timeZone === undefined) {
      const timeZone = await this.calendarApi.calendarTimeZone(calendarId, googleCalendarId);
      if (timeZone) {
        start = { ...start, timeZone };
        end = { ...end, timeZone: end.timeZone ?? timeZone };
      }
    }
    return {
      ...(googleEventId ? { id: googleEventId } : {}),
      summary: body.summary,
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.location !== undefined ? { location: body.location } : {}),
      start: { ...start },
      end: { ...end },
      attendees: (body.attendees ?? []).map((a) => ({ email: a.email, optional: a.optional ?? false })),
      ...(body.conference ? { conferenceData: meetRequest() } : {}),
      ...(body.recurrence ? { recurrence: [...body.recurrence] } : {}),
      ...(body.tags && Object.keys(body.tags).length > 0 ? { extendedProperties: { private: { ...body.tags } } } : {}),
    };
  }

  /**
   * What `requireFree` checks: the event's time, or a series' occurrences that overlap the next
   * SERIES_CHECK_DAYS days (at most MAX_CHECKED_OCCURRENCES). A rule that cannot be expanded is a 400.
   */
  private occurrencesToCheck(event: GoogleEvent): OccurrenceInterval[] {
    const times = seriesTimesOf(event);
    const single = { start: Date.parse(times.start.dateTime ?? ''), end: Date.parse(times.end.dateTime ?? '') };
    if (!event.recurrence?.length) return [single];
    const now = Date.now();
    try {
      return occurrencesOf(
        event.recurrence,
        times,
        { from: now, to: now + SERIES_CHECK_DAYS * DAY_MS },
        MAX_CHECKED_OCCURRENCES,
      );
    } catch (error) {
      if (error instanceof RecurrenceError) throw badRequest(`requireFree cannot check this series: ${error.message}`);
      throw error;
    }
  }

  /**
   * The first occurrence that overlaps busy time, with that busy time (and, of a series, the
   * occurrence): free/busy asked once over the occurrences' span (FreeBusyService cuts it into
   * the pieces Google takes).
   */
  private async firstConflict(
    calendarId: string,
    googleCalendarId: string,
    occurrences: readonly OccurrenceInterval[],
    series: boolean,
  ): Promise<SlotTakenDetailsDto | undefined> {
    const first = occurrences[0];
    const last = occurrences[occurrences.length - 1];
    if (!first || !last) return undefined;
    const [calendar] = await this.freeBusy.busyOf(calendarId, new Date(first.start), new Date(last.end), [
      googleCalendarId,
    ]);
    if (calendar.error) {
      throw new DomainException(
        HttpStatus.NOT_FOUND,
        ErrorCode.NotFound,
        `Google cannot read calendar ${googleCalendarId}`,
        {
          googleCalendarId,
          reason: calendar.error,
        },
      );
    }
    for (const occurrence of occurrences) {
      const busy = calendar.busy.find((interval) => interval.start < occurrence.end && interval.end > occurrence.start);
      if (!busy) continue;
      return {
        start: new Date(busy.start).toISOString(),
        end: new Date(busy.end).toISOString(),
        ...(series
          ? {
              occurrence: {
                start: new Date(occurrence.start).toISOString(),
                end: new Date(occurrence.end).toISOString(),
              },
            }
          : {}),
      };
    }
    return undefined;
  }

  /**
   * "This and following" on an instance, as Google documents it: a new series from the
   * instance's original start with the series' fields and the changes, then the original
   * ended before it (each RRULE gets an UNTIL, a COUNT passes what is left to the new one),
   * and the original's changed instances at or after the split cancelled (the new series has
   * those occurrences now). The new one is made first, and removed again if the original
   * cannot be ended, so a failure never loses occurrences. At the first instance the whole
   * series changes instead. Answers the series that carries the change.
   */
  private async updateFollowing(
    calendarId: string,
    googleCalendarId: string,
    eventId: string,
    body: UpdateEventDto,
  ): Promise<CalendarEventDto> {
    const instance = await this.calendarApi.getEvent(calendarId, googleCalendarId, eventId);
    if (!instance.recurringEventId || !instance.originalStartTime) {
      throw badRequest('scope=following needs an instance of a recurring event; this event is not one');
    }
    const seriesId = instance.recurringEventId;
    const series = await this.calendarApi.getEvent(calendarId, googleCalendarId, seriesId);
    const times = seriesTimesOf(series);
    const splitAt = instantOf(instance.originalStartTime);
    let split: { before: string[]; after: string[] };
    try {
      split = splitRecurrence(series.recurrence ?? [], times, splitAt);
    } catch (error) {
      if (error instanceof RecurrenceError) throw badRequest(`this series cannot be split: ${error.message}`);
      throw error;
    }
    const sendUpdates = body.sendUpdates ?? 'none';
    if (splitAt <= instantOf(times.start)) {
      return this.update(calendarId, seriesId, { googleCalendarId }, body);
    }
    const created = await this.calendarApi.insertEvent(
      calendarId,
      googleCalendarId,
      followingSeries(series, instance, split.after, body),
      sendUpdates,
    );
    try {
      await this.calendarApi.patchEvent(
        calendarId,
        googleCalendarId,
        seriesId,
        { recurrence: split.before },
        sendUpdates,
      );
    } catch (error) {
      await this.cancel(calendarId, created.id ?? '', googleCalendarId, 'none').catch(() => undefined);
      throw error;
    }
    await this.cancelChangedInstancesFrom(calendarId, googleCalendarId, series, splitAt);
    return toEventDto(created, googleCalendarId);
  }

  /** Cancels the series' instances changed on their own whose original start is at or after `from`. */
  private async cancelChangedInstancesFrom(
    calendarId: string,
    googleCalendarId: string,
    series: GoogleEvent,
    from: number,
  ): Promise<void> {
    if (!series.iCalUID) return;
    try {
      const stored = await this.calendarApi.listByICalUID(calendarId, googleCalendarId, series.iCalUID);
      const later = stored.filter(
        (event) =>
          event.recurringEventId === series.id &&
          event.status !== 'cancelled' &&
          event.originalStartTime &&
          instantOf(event.originalStartTime) >= from,
      );
      for (const event of later) await this.cancel(calendarId, event.id ?? '', googleCalendarId, 'none');
    } catch (error) {
      // The split is done; what is left is an occurrence shown twice, not a lost one.
      this.logger.warn(`Could not cancel the changed instances after a split of ${series.id}: ${String(error)}`);
    }
  }

  /** events.insert; with a derived id, Google's 409 `duplicate` means the event is there already: answer it. */
  private async insertAtGoogle(
    calendarId: string,
    googleCalendarId: string,
    event: GoogleEvent,
    sendUpdates: SendUpdates,
  ): Promise<CalendarEventDto> {
    try {
      const created = await this.calendarApi.insertEvent(calendarId, googleCalendarId, event, sendUpdates);
      return toEventDto(created, googleCalendarId);
    } catch (error) {
      const duplicate =
        error instanceof GoogleApiException &&
        error.failure.kind === 'conflict' &&
        error.failure.reason === 'duplicate';
      if (!event.id || !duplicate) throw error;
      return this.get(calendarId, event.id, googleCalendarId);
    }
  }

  private async existingEvent(
    calendarId: string,
    googleCalendarId: string,
    eventId: string,
  ): Promise<CalendarEventDto | undefined> {
    try {
      return await this.get(calendarId, eventId, googleCalendarId);
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }
}

interface EventRange {
  start: number;
  end: number;
  allDay: boolean;
}

/** The instants of an event's start and end (all-day dates as UTC days); end must be after start. */
function rangeOf(start: EventTimeDto, end: EventTimeDto): EventRange {
  const allDay = start.date !== undefined;
  if (allDay !== (end.date !== undefined)) throw badRequest('start and end must both be dateTime or both be date');
  const from = Date.parse(start.dateTime ?? `${start.date}T00:00:00Z`);
  const to = Date.parse(end.dateTime ?? `${end.date}T00:00:00Z`);
  if (!(to > from)) throw badRequest('end must be after start');
  return { start: from, end: to, allDay };
}

/** The Google fields a PATCH body sets (tags aside: replacing them needs the event's current ones). */
function changesOf(body: UpdateEventDto): GoogleEvent {
  const { sendUpdates: _sendUpdates, conference, tags: _tags, ...fields } = body;
  return {
    ...fields,
    ...(fields.attendees
      ? { attendees: fields.attendees.map((a) => ({ email: a.email, optional: a.optional ?? false })) }
      : {}),
    ...(conference ? { conferenceData: meetRequest() } : {}),
  };
}

/**
 * `extendedProperties.private` for a patch that replaces the event's tags with `tags`: Google
 * merges private properties per key on a patch, so each key the event has and `tags` lacks is
 * sent as null (which removes it).
 */
function replacingTags(current: GoogleEvent, tags: EventTags): Record<string, string> {
  const removed = Object.keys(tagsOf(current)).filter((key) => !Object.hasOwn(tags, key));
  // null is Google's "remove this key"; googleapis types the values as strings.
  return { ...Object.fromEntries(removed.map((key) => [key, null as unknown as string])), ...tags };
}

/**
 * The new series of "this and following": the original's fields (attendees with their answers,
 * extended properties, Meet), starting at the instance's original start unless the changes
 * move it (a start alone keeps the series' length), with the split's rules and the changes.
 */
function followingSeries(
  series: GoogleEvent,
  instance: GoogleEvent,
  recurrence: string[],
  body: UpdateEventDto,
): GoogleEvent {
  const times = seriesTimesOf(series);
  const zone = times.start.timeZone;
  const original = instance.originalStartTime ?? {};
  const lengthMs = instantOf(times.end) - instantOf(times.start);
  /** A given start or end, in the series' zone when it names none (a series needs one). */
  const zoned = (time: EventTimeDto | undefined): GoogleEvent['start'] =>
    time ? { ...time, ...(time.dateTime && !time.timeZone && zone ? { timeZone: zone } : {}) } : undefined;
  let start = zoned(body.start);
  let end = zoned(body.end);
  if (!start) {
    start = original.date
      ? { date: original.date }
      : { dateTime: original.dateTime ?? '', ...(zone ? { timeZone: zone } : {}) };
  }
  if (!end) {
    end = start.date
      ? { date: new Date(Date.parse(`${start.date}T00:00:00Z`) + lengthMs).toISOString().slice(0, 10) }
      : {
          dateTime: new Date(Date.parse(start.dateTime ?? '') + lengthMs).toISOString(),
          ...((times.end.timeZone ?? zone) ? { timeZone: times.end.timeZone ?? zone } : {}),
        };
  }
  if ((start.date === undefined) !== (end.date === undefined)) {
    throw badRequest('start and end must both be dateTime or both be date; give both to change the kind of a series');
  }
  const kept = Object.fromEntries(
    SERIES_FIELDS.filter((field) => series[field] !== undefined && series[field] !== null).map((field) => [
      field,
      series[field],
    ]),
  );
  const video = series.conferenceData?.entryPoints?.length ? series.conferenceData : undefined;
  const changes = changesOf(body);
  return {
    ...kept,
    ...(series.attendees?.length
      ? {
          attendees: series.attendees.map(({ self: _self, organizer: _organizer, ...attendee }) => attendee),
        }
      : {}),
    ...(series.extendedProperties ? { extendedProperties: series.extendedProperties } : {}),
    ...(video
      ? {
          conferenceData: {
            conferenceId: video.conferenceId,
            conferenceSolution: video.conferenceSolution,
            entryPoints: video.entryPoints,
          },
        }
      : {}),
    ...changes,
    ...(body.tags !== undefined
      ? { extendedProperties: { ...series.extendedProperties, private: { ...body.tags } } }
      : {}),
    start,
    end,
    recurrence,
  };
}

/** A Google event's start and end in the shape `series.ts` takes. */
function seriesTimesOf(event: GoogleEvent): SeriesTimes {
  const time = (t: GoogleEvent['start']) => ({
    ...(t?.dateTime ? { dateTime: t.dateTime } : {}),
    ...(t?.date ? { date: t.date } : {}),
    ...(t?.timeZone ? { timeZone: t.timeZone } : {}),
  });
  return { start: time(event.start), end: time(event.end) };
}

/** A start's instant (an all-day date: its UTC midnight, as series.ts counts days). */
function instantOf(time: { dateTime?: string | null; date?: string | null }): number {
  return Date.parse(time.dateTime ?? `${time.date ?? ''}T00:00:00Z`);
}

/** `key:value` (the contract's tag filter) as Google's `privateExtendedProperty` `key=value`. */
function tagFilter(tag: string): string {
  const colon = tag.indexOf(':');
  return `${tag.slice(0, colon)}=${tag.slice(colon + 1)}`;
}

function isGone(error: unknown): boolean {
  return error instanceof GoogleApiException && error.failure.kind === 'not_found';
}

/** A Meet link, asked for with a fresh request id each attempt (Google dedupes by it). */
function meetRequest(): GoogleEvent['conferenceData'] {
  return { createRequest: { requestId: randomUUID(), conferenceSolutionKey: { type: 'hangoutsMeet' } } };
}

function badRequest(message: string): DomainException {
  return new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.ValidationFailed, message);
}
