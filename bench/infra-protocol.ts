/** IPC between the bench and infra-server.ts. */
export interface InfraEndpoints {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiRootUrl: string;
}

/** A busy time to seed: an event from `start` to `end` (RFC 3339). */
export interface SeedBusy {
  start: string;
  end: string;
}

/** Calendars and busy times to give an account at the sandbox before a load. */
export interface SeedCalendars {
  email: string;
  /** Busy times on the account's primary calendar. */
  primaryBusy: SeedBusy[];
  /** Secondary calendars to add, each with its busy times. */
  added: { summary: string; timeZone: string; busy: SeedBusy[] }[];
}

export type InfraRequest = { type: 'stats' } | ({ type: 'seedCalendars'; requestId: number } & SeedCalendars);

export type InfraMessage =
  | {
      type: 'ready';
      smtpUrl: string;
      google: { endpoints: InfraEndpoints; clientId: string; clientSecret: string };
    }
  | { type: 'stats'; mails: number; sandboxRequests: number }
  /** The ids of the added calendars, in the order asked, and how many events were stored. */
  | { type: 'calendarsSeeded'; requestId: number; calendarIds: string[]; events: number }
  | { type: 'failed'; requestId: number; message: string };
