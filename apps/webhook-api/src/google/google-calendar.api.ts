import { Injectable } from '@nestjs/common';
import type { OAuth2Client } from 'google-auth-library';
// Only the Calendar API's definitions: `googleapis`' index loads all ~300 Google APIs (+100 MB RSS).
import { calendar as googleCalendar } from 'googleapis/build/src/apis/calendar';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { callGoogle } from './google-oauth.client';

export interface CalendarSummary {
  id: string;
  summary: string;
  primary: boolean;
  timeZone?: string;
  accessRole?: string;
}

/** The one way to Google Calendar v3 (under GOOGLE_API_ROOT_URL), with an authorized client. */
@Injectable()
export class GoogleCalendarApiClient {
  constructor(private readonly config: WebhookApiConfig) {}

  async listCalendars(auth: OAuth2Client): Promise<CalendarSummary[]> {
    const calendar = googleCalendar({ version: 'v3', auth, rootUrl: this.config.GOOGLE_API_ROOT_URL });
    const { data } = await callGoogle(() =>
      calendar.calendarList.list({ maxResults: 250 }, { timeout: this.config.OUTBOUND_TIMEOUT_MS }),
    );
    return (data.items ?? []).map((item) => ({
      id: item.id ?? '',
      summary: item.summary ?? '',
      primary: item.primary === true,
      ...(item.timeZone ? { timeZone: item.timeZone } : {}),
      ...(item.accessRole ? { accessRole: item.accessRole } : {}),
    }));
  }
}
