/** A Google account the sandbox knows. Unknown e-mails (login_hint, setNextConsent) are added on the fly. */
export interface SandboxAccount {
  email: string;
  /** Google's numeric account id (`sub`). Default: 21 digits derived from the e-mail, stable across runs. */
  id?: string;
  name?: string;
  /** Time zone of the primary calendar. Default 'UTC'. */
  timeZone?: string;
  /** Secondary calendars the account has from the start (as addCalendar adds them). */
  calendars?: SandboxCalendarInput[];
}

/** The account's access to a calendar, as calendarList reports it. */
export type SandboxCalendarAccessRole = 'owner' | 'writer' | 'reader' | 'freeBusyReader';

/** A secondary calendar of an account (GoogleSandbox.addCalendar, SandboxAccount.calendars). */
export interface SandboxCalendarInput {
  /** Default: `c_<64 hex digits>@group.calendar.google.com`, the shape of Google's new secondary calendars. */
  id?: string;
  summary: string;
  description?: string;
  /** IANA zone; all-day events are busy from midnight to midnight there. Default: the primary calendar's. */
  timeZone?: string;
  /**
   * Default 'owner'. 'reader' and 'freeBusyReader' cannot change events (403 requiredAccessLevel);
   * 'freeBusyReader' cannot read them either, only freeBusy.
   */
  accessRole?: SandboxCalendarAccessRole;
}

export interface GoogleSandboxOptions {
  /** Default 0: a free port picked by the OS. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'sandbox-client-id'. */
  clientId?: string;
  /** Default 'sandbox-client-secret'. */
  clientSecret?: string;
  /**
   * true: GET on the auth URL answers 302 to redirect_uri with a code at once (tests).
   * false (default): an HTML consent page with Allow and Deny (local development).
   */
  autoConsent?: boolean;
  /** Accounts offered on the consent page; a login_hint that is not listed is added. */
  accounts?: SandboxAccount[];
  /** expires_in of issued access tokens. Default 3599, like Google. */
  accessTokenTtlSeconds?: number;
  /** One line per request handled. Token values are never part of a line. */
  log?: (line: string) => void;
}

/** What the next consent (auto-consent or consent-page submission) decides, overriding the user. */
export interface SandboxConsentDecision {
  /** The user clicks Deny: redirect with error=access_denied. */
  deny?: boolean;
  /**
   * Granular consent: of the requested scopes only these are granted (openid, email and
   * profile, when requested, are always granted: Google does not let users untick them).
   */
  grantedScopes?: string[];
  /** The account the user picks (default: login_hint, else the first account). */
  email?: string;
  /**
   * The code's exchange answers no `refresh_token`, as Google does at times (e.g. for an
   * account that granted offline access before): its access token works but cannot be
   * refreshed.
   */
  withoutRefreshToken?: boolean;
}

export interface SandboxTokenFailure {
  status: number;
  /** Sent as JSON unless it is a string (sent as is). */
  body: unknown;
}

/**
 * How the next matching Calendar v3 or userinfo call fails (failApiRequests), in Google's wire format.
 * - rateLimit: 403 PERMISSION_DENIED, domain usageLimits (Calendar's per-project and per-user limits).
 * - tooManyRequests: 429 RESOURCE_EXHAUSTED, reason rateLimitExceeded; `Retry-After` when given.
 * - serverError: 500 INTERNAL / 503 UNAVAILABLE JSON envelopes (reason backendError); 502 is
 *   Google's front end's HTML error page, as Google sends it. Default 500.
 * - hang: no answer for `ms`, then the call is handled normally; without `ms`, never answered
 *   (the connection closes when the client gives up or the sandbox stops).
 */
export type SandboxApiFailure =
  | { kind: 'rateLimit'; reason: 'rateLimitExceeded' | 'userRateLimitExceeded' }
  | { kind: 'tooManyRequests'; retryAfterSeconds?: number }
  | { kind: 'serverError'; status?: 500 | 502 | 503 }
  | { kind: 'hang'; ms?: number };

/** Which API calls a queued failure applies to; every field left out matches all. */
export interface SandboxApiFailureMatch {
  /** HTTP method, any case: 'POST'. */
  method?: string;
  /** The request path without the query string: exactly this string, or matching this RegExp. */
  path?: string | RegExp;
  /** The query string (without `?`) matching this RegExp: `/pageToken=/` fails only the later pages of a listing. */
  query?: RegExp;
}

export interface SandboxRequestLog {
  method: string;
  /** Path without the query string. */
  path: string;
  at: Date;
  /** Status of the answer; absent while the request is still being handled, or when never answered. */
  status?: number;
  /** The connection closed before an answer was sent (the client gave up, or the sandbox stopped). */
  aborted?: true;
  /** Query string parameters (last value wins), when there are any. */
  query?: Record<string, string>;
  /** Form body of token, revoke and consent-decision requests. Holds secrets: tests only. */
  form?: Record<string, string>;
  /** JSON body of API calls (events.insert, freeBusy.query, ...). */
  json?: unknown;
  /**
   * Calendar v3 and userinfo calls: the e-mail of the account whose access token the call
   * carried (any token the sandbox issued, expired or not), so a log can be split by calendar
   * when every call names `primary`. Absent without a token the sandbox knows.
   */
  account?: string;
}

export interface SandboxEventDateTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

/** A Calendar v3 event resource as the sandbox stores and returns it. */
export interface SandboxEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  htmlLink: string;
  created: string;
  updated: string;
  summary?: string;
  description?: string;
  location?: string;
  creator: { email: string; self?: boolean };
  /** `self: true` when the account organizes it; absent on an invitation (GoogleSandbox.addInvitation). */
  organizer: { email: string; displayName?: string; self?: boolean };
  start: SandboxEventDateTime;
  end: SandboxEventDateTime;
  iCalUID: string;
  sequence: number;
  transparency?: 'opaque' | 'transparent';
  reminders: { useDefault: boolean; overrides?: unknown[] };
  eventType: string;
  /** A recurring event (the series): its RRULE / EXRULE / RDATE / EXDATE lines. */
  recurrence?: string[];
  /** An instance of a recurring event: the series' id. */
  recurringEventId?: string;
  /** An instance: the start the series gives it (kept when a patch moves the instance). */
  originalStartTime?: SandboxEventDateTime;
  /** Each with a responseStatus; `self` on the account's entry, `organizer` on the organizer's (Google sets both). */
  attendees?: SandboxAttendee[];
  /** Kept per key: a patch merges them, a key patched to null is removed. */
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  /** The Meet link of `conferenceData` (set by Google, never by the client). */
  hangoutLink?: string;
  conferenceData?: SandboxConferenceData;
  /** Any other field the client sent (attendees, extendedProperties, ...) is kept as sent. */
  [field: string]: unknown;
}

/** An attendee of an event (Calendar v3 EventAttendee). */
export interface SandboxAttendee {
  email: string;
  displayName?: string;
  optional?: boolean;
  /** needsAction (the default), declined, tentative or accepted. */
  responseStatus?: string;
  comment?: string;
  /** Set by Google: the entry is the account whose calendar holds this copy. */
  self?: boolean;
  /** Set by Google: the entry is the event's organizer. */
  organizer?: boolean;
  [field: string]: unknown;
}

/** Conference data of an event (Calendar v3 ConferenceData); a created Meet has all of these fields. */
export interface SandboxConferenceData {
  createRequest?: {
    requestId: string;
    conferenceSolutionKey: { type: string };
    status: { statusCode: 'pending' | 'success' | 'failure' };
  };
  entryPoints?: { entryPointType: string; uri: string; label?: string; [field: string]: unknown }[];
  conferenceSolution?: { key: { type: string }; name?: string; iconUri?: string };
  /** For Meet: the meeting code, `abc-defg-hij`. */
  conferenceId?: string;
  [field: string]: unknown;
}

/** Fields a test may give to seed an event straight into a calendar (addCalendarEvent). */
export type SandboxEventInput = Partial<Omit<SandboxEvent, 'start' | 'end'>> & {
  start: SandboxEventDateTime;
  end: SandboxEventDateTime;
};

/**
 * An invitation to seed into the account's calendar (GoogleSandbox.addInvitation): an event
 * someone else organizes, with the account among its attendees (added when not listed).
 */
export type SandboxInvitationInput = Omit<SandboxEventInput, 'organizer'> & {
  organizer: { email: string; displayName?: string };
};

/** A push channel opened with events.watch, as GoogleSandbox.channels() reports it. */
export interface SandboxChannel {
  id: string;
  /** Google's id of the watched calendar's events (the same for every channel on that calendar). */
  resourceId: string;
  resourceUri: string;
  address: string;
  token?: string;
  /** When the channel expires, in ms since epoch (the watch answer's `expiration`, as a number). */
  expiration: number;
  /** The account that opened it. */
  email: string;
  /** The watched calendar's own id (the account's e-mail for `primary`). */
  calendarId: string;
  /** Stopped with channels.stop. */
  stopped: boolean;
  /** Its expiration has passed: no more pushes, channels.stop answers 404. */
  expired: boolean;
}

/** One push the sandbox sent to a channel's address (GoogleSandbox.pushesSent()). */
export interface SandboxPush {
  channelId: string;
  resourceId: string;
  address: string;
  /** `sync` right after events.watch, `exists` after a change. */
  state: 'sync' | 'exists';
  messageNumber: number;
  /** The headers sent (the body is empty). Holds the channel token: tests only. */
  headers: Record<string, string>;
  at: Date;
  /** The receiver's answer, once it came. */
  status?: number;
  /** Why the push failed (connection refused, timeout after 10 s, sandbox stopped); never retried. */
  error?: string;
}
