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

/** A change at the sandbox as its owner would make it: an event added to the account's primary calendar. */
export interface AddEvent {
  email: string;
  summary: string;
}

export type InfraRequest =
  | { type: 'stats' }
  | ({ type: 'seedCalendars'; requestId: number } & SeedCalendars)
  | ({ type: 'addEvent'; requestId: number } & AddEvent);

/** Sandbox requests by kind (`events.list`, `events.watch`, `channels.stop`, `freeBusy`, `token`, `other`). */
export type SandboxCalls = Record<string, number>;

export type InfraMessage =
  | {
      type: 'ready';
      smtpUrl: string;
      google: { endpoints: InfraEndpoints; clientId: string; clientSecret: string };
    }
  | { type: 'stats'; mails: number; sandboxRequests: number; sandboxCalls: SandboxCalls }
  /** The ids of the added calendars, in the order asked, and how many events were stored. */
  | { type: 'calendarsSeeded'; requestId: number; calendarIds: string[]; events: number }
  | { type: 'eventAdded'; requestId: number; eventId: string }
  | { type: 'failed'; requestId: number; message: string };
