import { HttpStatus, Injectable } from '@nestjs/common';
import {
  CalendarEventDto,
  CancelledEventDto,
  CreateEventDto,
  ErrorCode,
  EventTimeDto,
  EventsPageDto,
  ListEventsQueryDto,
  MAX_RANGE_DAYS,
  SendUpdates,
  UpdateEventDto,
} from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';
import { randomUUID } from 'node:crypto';
import { GoogleApiException } from '../google/google-errors';
import { GoogleCalendarApi, GoogleEvent } from '../google/google-calendar.api';
import { LeaseService } from '../leases/lease.service';
import { toEventDto } from './calendar-event.mapper';
import { FreeBusyService } from './free-busy.service';
import { IdempotencyService, IdempotentOutcome } from './idempotency.service';

const PRIMARY = 'primary';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Events on a connection's calendars: list (single instances, in start order), read,
 * create (idempotent with a key; `requireFree` checked and booked under the connection's
 * booking claim, renewed however slow Google is, so two overlapping requests through this
 * service never both book), change
 * (only the given fields) and cancel (already cancelled or gone counts as done).
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly calendarApi: GoogleCalendarApi,
    private readonly freeBusy: FreeBusyService,
    private readonly idempotency: IdempotencyService,
    private readonly leases: LeaseService,
  ) {}

  async list(calendarId: string, query: ListEventsQueryDto): Promise<EventsPageDto> {
    const googleCalendarId = query.googleCalendarId ?? PRIMARY;
    const page = await this.calendarApi.listEvents(calendarId, googleCalendarId, query);
    return {
      // Cancelled instances of a series are not events one can attend.
      items: page.items
        .filter((event) => event.status !== 'cancelled')
        .map((event) => toEventDto(event, googleCalendarId)),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
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
    if (!idempotencyKey) return this.insert(calendarId, body, range).then((event) => ({ event, replayed: false }));
    return this.idempotency.run(calendarId, idempotencyKey, body, (googleEventId) =>
      this.insert(calendarId, body, range, googleEventId),
    );
  }

  async update(
    calendarId: string,
    eventId: string,
    googleCalendarId: string = PRIMARY,
    body: UpdateEventDto,
  ): Promise<CalendarEventDto> {
    if (body.start && body.end) rangeOf(body.start, body.end);
    const { sendUpdates, conference, ...fields } = body;
    const changes: GoogleEvent = {
      ...fields,
      ...(fields.attendees
        ? { attendees: fields.attendees.map((a) => ({ email: a.email, optional: a.optional ?? false })) }
        : {}),
      ...(conference ? { conferenceData: meetRequest() } : {}),
    };
    const event = await this.calendarApi.patchEvent(
      calendarId,
      googleCalendarId,
      eventId,
      changes,
      sendUpdates ?? 'none',
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
      if (!(error instanceof GoogleApiException && error.failure.kind === 'not_found')) throw error;
    }
    return { id: eventId, googleCalendarId, status: 'cancelled' };
  }

  private async insert(
    calendarId: string,
    body: CreateEventDto,
    range: EventRange,
    googleEventId?: string,
  ): Promise<CalendarEventDto> {
    const googleCalendarId = body.googleCalendarId ?? PRIMARY;
    const insert = () => this.insertAtGoogle(calendarId, googleCalendarId, body, googleEventId);
    if (!body.requireFree) return insert();
    const booked = await this.leases.runExclusiveWaiting(
      `booking:${calendarId}`,
      async (claim): Promise<CalendarEventDto | null> => {
        // A retry of a key whose first attempt booked finds that event, not a conflict with itself.
        const own = googleEventId ? await this.existingEvent(calendarId, googleCalendarId, googleEventId) : undefined;
        if (own) return own;
        const [calendar] = await this.freeBusy.busyOf(calendarId, new Date(range.start), new Date(range.end), [
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
        const conflict = calendar.busy[0];
        if (conflict) {
          const interval = { start: new Date(conflict.start).toISOString(), end: new Date(conflict.end).toISOString() };
          throw new DomainException(
            HttpStatus.CONFLICT,
            ErrorCode.SlotTaken,
            'The time is not free on that calendar',
            interval,
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

  /** events.insert; with a derived id, Google's 409 `duplicate` means the event is there already: answer it. */
  private async insertAtGoogle(
    calendarId: string,
    googleCalendarId: string,
    body: CreateEventDto,
    googleEventId?: string,
  ): Promise<CalendarEventDto> {
    const event: GoogleEvent = {
      ...(googleEventId ? { id: googleEventId } : {}),
      summary: body.summary,
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.location !== undefined ? { location: body.location } : {}),
      start: { ...body.start },
      end: { ...body.end },
      attendees: (body.attendees ?? []).map((a) => ({ email: a.email, optional: a.optional ?? false })),
      ...(body.conference ? { conferenceData: meetRequest() } : {}),
    };
    try {
      const created = await this.calendarApi.insertEvent(
        calendarId,
        googleCalendarId,
        event,
        body.sendUpdates ?? 'none',
      );
      return toEventDto(created, googleCalendarId);
    } catch (error) {
      const duplicate =
        error instanceof GoogleApiException &&
        error.failure.kind === 'conflict' &&
        error.failure.reason === 'duplicate';
      if (!googleEventId || !duplicate) throw error;
      return this.get(calendarId, googleEventId, googleCalendarId);
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
      if (error instanceof GoogleApiException && error.failure.kind === 'not_found') return undefined;
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

/** A Meet link, asked for with a fresh request id each attempt (Google dedupes by it). */
function meetRequest(): GoogleEvent['conferenceData'] {
  return { createRequest: { requestId: randomUUID(), conferenceSolutionKey: { type: 'hangoutsMeet' } } };
}

function badRequest(message: string): DomainException {
  return new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.ValidationFailed, message);
}
