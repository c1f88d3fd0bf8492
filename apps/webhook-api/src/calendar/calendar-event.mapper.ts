import { CalendarEventDto, EventTags } from '@connector-service/contracts';
import { GoogleEvent } from '../google/google-calendar.api';

export type CalendarEventFields = Omit<CalendarEventDto, 'googleCalendarId'>;

/** A Google event as the calendar routes answer it, on the calendar `googleCalendarId`. */
export function toEventDto(event: GoogleEvent, googleCalendarId: string): CalendarEventDto {
  const { id, ...fields } = toEventFields(event);
  return { id, googleCalendarId, ...fields };
}

/** A Google event in the contract's shape, without its calendar (change deliveries name it once). */
export function toEventFields(event: GoogleEvent): CalendarEventFields {
  const meetLink =
    event.hangoutLink ??
    event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri ??
    undefined;
  return {
    id: event.id ?? '',
    status: event.status ?? 'confirmed',
    summary: event.summary ?? '',
    ...(event.description ? { description: event.description } : {}),
    ...(event.location ? { location: event.location } : {}),
    start: eventTime(event.start),
    end: eventTime(event.end),
    attendees: (event.attendees ?? []).map((attendee) => ({
      email: attendee.email ?? '',
      ...(attendee.optional ? { optional: true } : {}),
      ...(attendee.responseStatus ? { responseStatus: attendee.responseStatus } : {}),
      ...(attendee.self ? { self: true } : {}),
      ...(attendee.organizer ? { organizer: true } : {}),
      ...(attendee.comment ? { comment: attendee.comment } : {}),
    })),
    ...(event.organizer?.email
      ? {
          organizer: {
            email: event.organizer.email,
            ...(event.organizer.displayName ? { displayName: event.organizer.displayName } : {}),
            ...(event.organizer.self ? { self: true } : {}),
          },
        }
      : {}),
    htmlLink: event.htmlLink ?? '',
    ...(meetLink ? { meetLink } : {}),
    ...(event.recurrence?.length ? { recurrence: event.recurrence } : {}),
    ...(event.recurringEventId ? { recurringEventId: event.recurringEventId } : {}),
    ...(event.originalStartTime ? { originalStartTime: eventTime(event.originalStartTime) } : {}),
    tags: tagsOf(event),
    created: event.created ?? '',
    updated: event.updated ?? '',
  };
}

/** The platform's tags: the event's private extended properties (string values only, as Google keeps them). */
export function tagsOf(event: GoogleEvent): EventTags {
  const stored = event.extendedProperties?.private ?? {};
  return Object.fromEntries(Object.entries(stored).filter((entry) => typeof entry[1] === 'string'));
}

function eventTime(time: GoogleEvent['start']): CalendarEventDto['start'] {
  return {
    ...(time?.dateTime ? { dateTime: time.dateTime } : {}),
    ...(time?.timeZone ? { timeZone: time.timeZone } : {}),
    ...(time?.date ? { date: time.date } : {}),
  };
}
