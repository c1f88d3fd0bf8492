import { Injectable } from '@nestjs/common';
import { CalendarSummaryDto } from '@connector-service/contracts';
// Only the Calendar API's definitions: `googleapis`' index loads all ~300 Google APIs (+100 MB RSS).
import { calendar as googleCalendar } from 'googleapis/build/src/apis/calendar';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { GoogleApiClient } from './google-api.client';

const CALENDAR_LIST_PAGE_SIZE = 250;

/** Google Calendar v3 (under GOOGLE_API_ROOT_URL) on a connection, through the one Google client. */
@Injectable()
export class GoogleCalendarApi {
  private readonly calendar;

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
}
