const AUTH = 'https://www.googleapis.com/auth/';

export const SCOPE_EMAIL = `${AUTH}userinfo.email`;
export const SCOPE_PROFILE = `${AUTH}userinfo.profile`;
export const SCOPE_OPENID = 'openid';

/** Google answers with full URLs for the short names. */
const ALIASES: Record<string, string> = {
  email: SCOPE_EMAIL,
  profile: SCOPE_PROFILE,
};

/** Scopes Google always grants when asked (the consent screen has no checkbox for them). */
const BASIC = new Set([SCOPE_OPENID, SCOPE_EMAIL, SCOPE_PROFILE]);

const DESCRIPTIONS: Record<string, string> = {
  [SCOPE_OPENID]: 'Associate you with your personal info on Google',
  [SCOPE_EMAIL]: 'See your primary Google Account email address',
  [SCOPE_PROFILE]: "See your personal info, including any personal info you've made publicly available",
  [`${AUTH}calendar`]:
    'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
  [`${AUTH}calendar.readonly`]: 'See and download any calendar you can access using your Google Calendar',
  [`${AUTH}calendar.events`]: 'View and edit events on all your calendars',
  [`${AUTH}calendar.events.readonly`]: 'View events on all your calendars',
  [`${AUTH}calendar.events.owned`]: 'See, create, change, and delete events on Google calendars you own',
  [`${AUTH}calendar.events.owned.readonly`]: 'See the events on Google calendars you own',
  [`${AUTH}calendar.freebusy`]: 'See the availability on Google Calendars you have access to',
  [`${AUTH}calendar.events.freebusy`]: 'See the availability on Google Calendars you have access to',
  [`${AUTH}calendar.calendarlist.readonly`]: "See the list of Google calendars you're subscribed to",
  [`${AUTH}calendar.calendarlist`]: "See, add, and remove Google calendars you're subscribed to",
  [`${AUTH}calendar.calendars.readonly`]:
    'See the title, description, default time zone, and other properties of Google calendars you have access to',
  [`${AUTH}calendar.settings.readonly`]: 'View your Calendar settings',
};

export function normalizeScope(scope: string): string {
  return ALIASES[scope] ?? scope;
}

/** Space-separated scope parameter to a de-duplicated list of full scope names, in order. */
export function parseScopeParam(scope: string): string[] {
  return dedupe(scope.split(/\s+/).filter(Boolean).map(normalizeScope));
}

export function dedupe(scopes: string[]): string[] {
  return [...new Set(scopes)];
}

/** Scopes Google would call invalid: neither an OpenID scope nor a googleapis.com/auth URL. */
export function invalidScopes(scopes: string[]): string[] {
  return scopes.filter((s) => !BASIC.has(s) && !(s.startsWith(AUTH) && s.length > AUTH.length));
}

export function isBasicScope(scope: string): boolean {
  return BASIC.has(scope);
}

export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? scope;
}

/** Which granted scopes let a Calendar v3 method through (Google's per-method lists, trimmed). */
export const CALENDAR_SCOPES = {
  calendarListRead: scopeSet([
    'calendar',
    'calendar.readonly',
    'calendar.calendarlist',
    'calendar.calendarlist.readonly',
  ]),
  calendarRead: scopeSet(['calendar', 'calendar.readonly', 'calendar.calendars', 'calendar.calendars.readonly']),
  freeBusy: scopeSet(['calendar', 'calendar.readonly', 'calendar.freebusy', 'calendar.events.freebusy']),
  eventsRead: scopeSet([
    'calendar',
    'calendar.readonly',
    'calendar.events',
    'calendar.events.readonly',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
  ]),
  eventsWrite: scopeSet(['calendar', 'calendar.events', 'calendar.events.owned']),
  /** channels.stop: any Calendar scope will do. */
  channels: scopeSet([
    'calendar',
    'calendar.readonly',
    'calendar.events',
    'calendar.events.readonly',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
    'calendar.calendarlist',
    'calendar.calendarlist.readonly',
    'calendar.calendars',
    'calendar.calendars.readonly',
    'calendar.freebusy',
    'calendar.events.freebusy',
    'calendar.settings.readonly',
  ]),
} as const;

function scopeSet(names: string[]): ReadonlySet<string> {
  return new Set(names.map((n) => `${AUTH}${n}`));
}
