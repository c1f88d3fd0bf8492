import { Injectable } from '@nestjs/common';
import { CalendarSummaryDto } from '@connector-service/contracts';
// Only the Calendar API's definitions: `googleapis`' index loads all ~300 Google APIs (+100 MB RSS).
import { calendar as googleCalendar, calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { WebhookApiConfig } from '../config/webhook-api.config';
import type { ConnectionRecord } from '../connections/connection.repository';
import { GoogleApiClient } from './google-api.client';

export type GoogleEvent = calendar_v3.Schema$Event;
export type GoogleSendUpdates = 'all' | 'externalOnly' | 'none';

const CALENDAR_LIST_PAGE_SIZE = 250;
/** Google's largest events.list page: fewest calls for a sync. */
const SYNC_PAGE_SIZE = 2500;

export interface GoogleFreeBusyCalendar {
  busy: { start: string; end: string }[];
  /** Google's reason when it could not read this calendar (e.g. `notFound`). */
  error?: string;
}

export interface GoogleEventsPage {
  items: GoogleEvent[];
  nextPageToken?: string;
}

export interface ListEventsOptions {
  timeMin?: string;
  timeMax?: string;
  pageToken?: string;
  maxResults?: number;
  /** `key=value` filters on private extended properties; an event must match every one. */
  privateExtendedProperty?: string[];
}

/** One page of a sync listing: the changes (or, without a syncToken, every event), stored series unexpanded. */
export interface GoogleSyncPage {
  items: GoogleEvent[];
  nextPageToken?: string;
  /** On the last page only. */
  nextSyncToken?: string;
}

export interface OpenedGoogleChannel {
  resourceId: string;
  /** When Google stops pushing to it. */
  expiration: Date;
}

/**
 * Google Calendar v3 (under GOOGLE_API_ROOT_URL) on a connection, through the one Google
 * client (token, 401 retry, rate-limit backoff, error mapping). Shapes stay Google's here;
 * the calendar feature turns them into the contract's.
 */
@Injectable()
export class GoogleCalendarApi {
  private readonly calendar: calendar_v3.Calendar;

  constructor(
    private readonly google: GoogleApiClient,
    config: WebhookApiConfig,
  ) {
    this.calendar = googleCalendar({ version: 'v3', rootUrl: config.GOOGLE_API_ROOT_URL });
  }

  /** Every calendar of the account (all pages). */
  async listCalendars(calendarId: string): Promise<CalendarSummaryDto[]> {
    const calendars: CalendarSummaryDto[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.google.request(calendarId, 'calendarList.list', ({ auth, options }) =>
        this.calendar.calendarList.list(
          { auth, maxResults: CALENDAR_LIST_PAGE_SIZE, ...(pageToken ? { pageToken } : {}) },
          options,
        ),
      );
      for (const item of page.items ?? []) {
        calendars.push({
          id: item.id ?? '',
          summary: item.summary ?? '',
          primary: item.primary === true,
          ...(item.timeZone ? { timeZone: item.timeZone } : {}),
          ...(item.accessRole ? { accessRole: item.accessRole } : {}),
        });
      }
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return calendars;
  }

  /**
   * One freeBusy.query (at most 50 calendars; the caller splits), keyed by the ids asked for.
   * `connection`: the connection as the caller just read it (not read again for its token).
   */
  async freeBusy(
    calendarId: string,
    range: { timeMin: string; timeMax: string },
    googleCalendarIds: readonly string[],
    connection?: ConnectionRecord,
  ): Promise<Map<string, GoogleFreeBusyCalendar>> {
    const data = await this.google.request(
      calendarId,
      'freebusy.query',
      ({ auth, options }) =>
        this.calendar.freebusy.query(
          { auth, requestBody: { ...range, items: googleCalendarIds.map((id) => ({ id })) } },
          options,
        ),
      { connection },
    );
    const answered = data.calendars ?? {};
    const result = new Map<string, GoogleFreeBusyCalendar>();
    for (const id of googleCalendarIds) {
      const calendar = answered[id];
      const error = calendar?.errors?.[0]?.reason ?? (calendar ? undefined : 'notFound');
      result.set(id, {
        busy: (calendar?.busy ?? []).map((interval) => ({ start: interval.start ?? '', end: interval.end ?? '' })),
        ...(error ? { error } : {}),
      });
    }
    return result;
  }

  /** Single instances (recurring events expanded), ordered by start; Google's page tokens. */
  async listEvents(
    calendarId: string,
    googleCalendarId: string,
    options: ListEventsOptions,
  ): Promise<GoogleEventsPage> {
    const data = await this.google.request(calendarId, 'events.list', ({ auth, options: requestOptions }) =>
      this.calendar.events.list(
        {
          auth,
          calendarId: googleCalendarId,
          singleEvents: true,
          orderBy: 'startTime',
          ...(options.timeMin ? { timeMin: options.timeMin } : {}),
          ...(options.timeMax ? { timeMax: options.timeMax } : {}),
          ...(options.pageToken ? { pageToken: options.pageToken } : {}),
          ...(options.maxResults ? { maxResults: options.maxResults } : {}),
          ...(options.privateExtendedProperty?.length
            ? { privateExtendedProperty: options.privateExtendedProperty }
            : {}),
        },
        requestOptions,
      ),
    );
    return { items: data.items ?? [], ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}) };
  }

  /**
   * The stored events that share an iCalendar UID (not expanded, not cancelled): a recurring
   * series and the instances changed on their own (exceptions). One page of Google's largest
   * size: a series has far fewer exceptions.
   */
  async listByICalUID(calendarId: string, googleCalendarId: string, iCalUID: string): Promise<GoogleEvent[]> {
    const data = await this.google.request(calendarId, 'events.list', ({ auth, options }) =>
      this.calendar.events.list({ auth, calendarId: googleCalendarId, iCalUID, maxResults: SYNC_PAGE_SIZE }, options),
    );
    return data.items ?? [];
  }

  /** calendars.get: the calendar's IANA time zone (what a recurring event without one repeats in). */
  async calendarTimeZone(calendarId: string, googleCalendarId: string): Promise<string | undefined> {
    const data = await this.google.request(calendarId, 'calendars.get', ({ auth, options }) =>
      this.calendar.calendars.get({ auth, calendarId: googleCalendarId }, options),
    );
    return data.timeZone ?? undefined;
  }

  getEvent(calendarId: string, googleCalendarId: string, eventId: string): Promise<GoogleEvent> {
    return this.google.request(calendarId, 'events.get', ({ auth, options }) =>
      this.calendar.events.get({ auth, calendarId: googleCalendarId, eventId }, options),
    );
  }

  /** events.insert; `conferenceDataVersion=1` so a Meet createRequest is honoured. */
  insertEvent(
    calendarId: string,
    googleCalendarId: string,
    event: GoogleEvent,
    sendUpdates: GoogleSendUpdates,
  ): Promise<GoogleEvent> {
    return this.google.request(calendarId, 'events.insert', ({ auth, options }) =>
      this.calendar.events.insert(
        { auth, calendarId: googleCalendarId, requestBody: event, conferenceDataVersion: 1, sendUpdates },
        options,
      ),
    );
  }

  /** events.patch: only the given fields change. */
  patchEvent(
    calendarId: string,
    googleCalendarId: string,
    eventId: string,
    changes: GoogleEvent,
    sendUpdates: GoogleSendUpdates,
  ): Promise<GoogleEvent> {
    return this.google.request(calendarId, 'events.patch', ({ auth, options }) =>
      this.calendar.events.patch(
        { auth, calendarId: googleCalendarId, eventId, requestBody: changes, conferenceDataVersion: 1, sendUpdates },
        options,
      ),
    );
  }

  async deleteEvent(
    calendarId: string,
    googleCalendarId: string,
    eventId: string,
    sendUpdates: GoogleSendUpdates,
  ): Promise<void> {
    await this.google.request(calendarId, 'events.delete', ({ auth, options }) =>
      this.calendar.events.delete({ auth, calendarId: googleCalendarId, eventId, sendUpdates }, options),
    );
  }

  /**
   * events.list for sync: with `syncToken`, the changes since it (cancelled events included);
   * without, the whole calendar (the page ending it carries the first token). `connection`:
   * as the sync just read it (its token is used without reading it again). Recurring series
   * come as their stored events, not expanded. A token Google no longer takes is a
   * GoogleApiException whose failure has status 410.
   */
  async listChanges(
    connection: ConnectionRecord,
    googleCalendarId: string,
    options: { syncToken?: string; pageToken?: string },
  ): Promise<GoogleSyncPage> {
    const data = await this.google.request(
      connection._id.toString(),
      'events.list',
      ({ auth, options: requestOptions }) =>
        this.calendar.events.list(
          {
            auth,
            calendarId: googleCalendarId,
            maxResults: SYNC_PAGE_SIZE,
            ...(options.syncToken ? { syncToken: options.syncToken } : {}),
            ...(options.pageToken ? { pageToken: options.pageToken } : {}),
          },
          requestOptions,
        ),
      { connection, background: true },
    );
    return {
      items: data.items ?? [],
      ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
      ...(data.nextSyncToken ? { nextSyncToken: data.nextSyncToken } : {}),
    };
  }

  /** events.watch: a push channel to `address` for the calendar's events (background work: it waits for the budget). */
  async watchEvents(
    calendarId: string,
    googleCalendarId: string,
    channel: { id: string; token: string; address: string },
  ): Promise<OpenedGoogleChannel> {
    const data = await this.google.request(
      calendarId,
      'events.watch',
      ({ auth, options }) =>
        this.calendar.events.watch(
          { auth, calendarId: googleCalendarId, requestBody: { ...channel, type: 'web_hook' } },
          options,
        ),
      { background: true },
    );
    const expiration = Number(data.expiration);
    return {
      resourceId: data.resourceId ?? '',
      // Google always answers one; without it, assume its default lifetime of a week.
      expiration: new Date(Number.isFinite(expiration) && expiration > 0 ? expiration : Date.now() + 7 * 86_400_000),
    };
  }

  /** channels.stop: Google pushes to the channel no more. `background`: for a renewal, not a platform's request. */
  async stopChannel(
    calendarId: string,
    channel: { id: string; resourceId: string },
    background: boolean,
  ): Promise<void> {
    await this.google.request(
      calendarId,
      'channels.stop',
      ({ auth, options }) => this.calendar.channels.stop({ auth, requestBody: channel }, options),
      { background },
    );
  }
}
