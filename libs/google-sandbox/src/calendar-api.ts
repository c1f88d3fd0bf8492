import { ServerResponse } from 'node:http';
import { sendApiError, sendInsufficientScopes, sendNotFound } from './api-errors';
import { CalendarCall, page, pageOffset, pageSize } from './calendar-call';
import { NOT_FOUND, calendarError, sendCalendarError } from './calendar-error';
import { busyBlocks } from './calendar-events';
import { watchEvents, stopChannel } from './channels-api';
import { SandboxContext } from './context';
import { change, getEvent, insert, listEvents, listInstances, remove } from './events-api';
import { SandboxHttpRequest, parseJsonBody, sendJson } from './http-io';
import { newEtag } from './ids';
import { CALENDAR_SCOPES } from './scopes';
import { AccountRecord, CalendarRecord, accessRank, findCalendar } from './store';
import { formatInZone, formatUtc, isTimeZone, parseRfc3339 } from './time';
import { authenticate } from './userinfo';

export const CALENDAR_PREFIX = '/calendar/v3/';

/** Google's limit on calendars in one freeBusy query (calendarExpansionMax may lower it). */
export const FREE_BUSY_MAX_CALENDARS = 50;

interface Route {
  method: string;
  /** Path segments after /calendar/v3/; `:calendarId` and `:eventId` match one segment. */
  pattern: string[];
  scopes: ReadonlySet<string>;
  /** The least access role the call needs on the calendar of the path. */
  role?: 'reader' | 'writer';
  handle: (call: CalendarCall) => void;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: ['users', 'me', 'calendarList'],
    scopes: CALENDAR_SCOPES.calendarListRead,
    handle: listCalendars,
  },
  {
    method: 'GET',
    pattern: ['users', 'me', 'calendarList', ':calendarId'],
    scopes: CALENDAR_SCOPES.calendarListRead,
    handle: getCalendarListEntry,
  },
  { method: 'GET', pattern: ['calendars', ':calendarId'], scopes: CALENDAR_SCOPES.calendarRead, handle: getCalendar },
  { method: 'POST', pattern: ['freeBusy'], scopes: CALENDAR_SCOPES.freeBusy, handle: freeBusy },
  {
    method: 'GET',
    pattern: ['calendars', ':calendarId', 'events'],
    scopes: CALENDAR_SCOPES.eventsRead,
    role: 'reader',
    handle: listEvents,
  },
  {
    method: 'POST',
    pattern: ['calendars', ':calendarId', 'events'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    role: 'writer',
    handle: insert,
  },
  {
    method: 'POST',
    pattern: ['calendars', ':calendarId', 'events', 'watch'],
    scopes: CALENDAR_SCOPES.eventsRead,
    role: 'reader',
    handle: watchEvents,
  },
  { method: 'POST', pattern: ['channels', 'stop'], scopes: CALENDAR_SCOPES.channels, handle: stopChannel },
  {
    method: 'GET',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsRead,
    role: 'reader',
    handle: getEvent,
  },
  {
    method: 'GET',
    pattern: ['calendars', ':calendarId', 'events', ':eventId', 'instances'],
    scopes: CALENDAR_SCOPES.eventsRead,
    role: 'reader',
    handle: listInstances,
  },
  {
    method: 'PATCH',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    role: 'writer',
    handle: (c) => change(c, 'patch'),
  },
  {
    method: 'PUT',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    role: 'writer',
    handle: (c) => change(c, 'update'),
  },
  {
    method: 'DELETE',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    role: 'writer',
    handle: remove,
  },
];

function match(route: Route, method: string, segments: string[]): Record<string, string> | undefined {
  if (route.method !== method || route.pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of route.pattern.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

function findRoute(method: string, segments: string[]): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const params = match(route, method, segments);
    if (params) return { route, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Everything under /calendar/v3/: route, authenticate, check scopes, calendar and access role, then handle. */
export function handleCalendar(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): void {
  const segments = req.url.pathname.slice(CALENDAR_PREFIX.length).split('/').filter(Boolean).map(decodeSegment);
  const found = findRoute(req.method, segments);
  if (!found) return sendNotFound(res);
  const access = authenticate(req, res, ctx, true);
  if (!access) return;
  if (!access.scopes.some((s) => found.route.scopes.has(s))) return sendInsufficientScopes(res, found.route.scopes);
  const account = ctx.store.ensureAccount(access.grant.email);
  const calendarId = found.params['calendarId'];
  const calendar = calendarId === undefined ? undefined : findCalendar(account, calendarId);
  if (calendarId !== undefined && !calendar) return sendNotFound(res);
  if (calendar && found.route.role && accessRank(calendar.accessRole) < accessRank(found.route.role)) {
    return sendCalendarError(
      res,
      calendarError(403, `You need to have ${found.route.role} access to this calendar.`, 'requiredAccessLevel'),
    );
  }
  let body: Record<string, unknown> = {};
  if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') {
    const parsed = parseJsonBody(req);
    if (
      !parsed.ok ||
      (parsed.value !== undefined &&
        (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)))
    ) {
      return sendApiError(res, 400, 'Parse Error', { reason: 'parseError' });
    }
    body = (parsed.value ?? {}) as Record<string, unknown>;
  }
  found.route.handle({
    req,
    res,
    account,
    ...(calendar === undefined || calendarId === undefined ? {} : { calendar, calendarId }),
    ...(found.params['eventId'] === undefined ? {} : { eventId: found.params['eventId'] }),
    body,
    ctx,
  });
}

const CONFERENCE_PROPERTIES = { allowedConferenceSolutionTypes: ['hangoutsMeet'] };
/** Google's calendar colours (colorId → background), the primary calendar's first. */
const COLORS: [string, string][] = [
  ['14', '#9fe1e7'],
  ['7', '#42d692'],
  ['9', '#7bd148'],
  ['15', '#9fc6e7'],
  ['4', '#fa573c'],
  ['17', '#9a9cff'],
];

function calendarListEntry(account: AccountRecord, calendar: CalendarRecord, index: number): Record<string, unknown> {
  const [colorId, backgroundColor] = COLORS[index % COLORS.length] ?? ['14', '#9fe1e7'];
  return {
    kind: 'calendar#calendarListEntry',
    etag: newEtag(),
    id: calendar.id,
    summary: calendar.summary,
    ...(calendar.description === undefined ? {} : { description: calendar.description }),
    timeZone: calendar.timeZone,
    ...(!calendar.primary && calendar.accessRole === 'owner' ? { dataOwner: account.email } : {}),
    colorId,
    backgroundColor,
    foregroundColor: '#000000',
    selected: true,
    accessRole: calendar.accessRole,
    defaultReminders: calendar.primary ? [{ method: 'popup', minutes: 10 }] : [],
    ...(calendar.primary
      ? {
          notificationSettings: {
            notifications: [
              { type: 'eventCreation', method: 'email' },
              { type: 'eventChange', method: 'email' },
              { type: 'eventCancellation', method: 'email' },
              { type: 'eventResponse', method: 'email' },
            ],
          },
          primary: true,
        }
      : {}),
    conferenceProperties: CONFERENCE_PROPERTIES,
  };
}

/** calendarList.list: the primary calendar first, then the others in the order they were added. */
function listCalendars({ req, res, account }: CalendarCall): void {
  const q = req.url.searchParams;
  const size = pageSize(q.get('maxResults'), 100, 250);
  if (typeof size !== 'number') return sendCalendarError(res, size);
  const offset = pageOffset(q.get('pageToken'));
  if (typeof offset !== 'number') return sendCalendarError(res, offset);
  const minAccessRole = q.get('minAccessRole');
  if (minAccessRole !== null && accessRank(minAccessRole) < 0) {
    return sendCalendarError(
      res,
      calendarError(400, `Invalid value for minAccessRole: ${minAccessRole}`, 'invalidParameter'),
    );
  }
  const entries = [...account.calendars.values()]
    .map((calendar, index) => ({ calendar, index }))
    .filter(({ calendar }) => minAccessRole === null || accessRank(calendar.accessRole) >= accessRank(minAccessRole))
    .map(({ calendar, index }) => calendarListEntry(account, calendar, index));
  sendJson(res, 200, { kind: 'calendar#calendarList', etag: newEtag(), ...page(entries, offset, size) });
}

function getCalendarListEntry({ res, account, calendar }: CalendarCall): void {
  if (!calendar) return sendCalendarError(res, NOT_FOUND);
  sendJson(res, 200, calendarListEntry(account, calendar, [...account.calendars.values()].indexOf(calendar)));
}

function getCalendar({ res, calendar }: CalendarCall): void {
  if (!calendar) return sendCalendarError(res, NOT_FOUND);
  sendJson(res, 200, {
    kind: 'calendar#calendar',
    etag: newEtag(),
    id: calendar.id,
    summary: calendar.summary,
    ...(calendar.description === undefined ? {} : { description: calendar.description }),
    timeZone: calendar.timeZone,
    conferenceProperties: CONFERENCE_PROPERTIES,
  });
}

/** An optional integer field of a freeBusy body within [1, max]; undefined when absent, null when invalid. */
function optionalLimit(body: Record<string, unknown>, name: string, max: number): number | undefined | null {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max ? value : null;
}

/**
 * freeBusy.query over the account's calendars. As in Google, a calendar the account does not
 * have answers `errors: [notFound]` beside the others' busy lists, and calendars past the limit
 * (50, or calendarExpansionMax) answer `errors: [tooManyCalendarsRequested]` instead of busy times.
 */
function freeBusy({ res, account, body }: CalendarCall): void {
  const timeMinText = body['timeMin'];
  const timeMaxText = body['timeMax'];
  if (typeof timeMinText !== 'string' || typeof timeMaxText !== 'string') {
    return sendApiError(res, 400, 'Required', { reason: 'required' });
  }
  const timeMin = parseRfc3339(timeMinText);
  const timeMax = parseRfc3339(timeMaxText);
  if (timeMin === undefined || timeMax === undefined)
    return sendApiError(res, 400, 'Bad Request', { reason: 'badRequest' });
  if (timeMax < timeMin)
    return sendApiError(res, 400, 'The specified time range is empty.', { reason: 'timeRangeEmpty' });
  const timeZone = body['timeZone'];
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isTimeZone(timeZone))) {
    return sendApiError(res, 400, 'Invalid time zone definition.', { reason: 'invalid' });
  }
  const calendarLimit = optionalLimit(body, 'calendarExpansionMax', FREE_BUSY_MAX_CALENDARS);
  const groupLimit = optionalLimit(body, 'groupExpansionMax', 100);
  if (calendarLimit === null || groupLimit === null) {
    return sendApiError(res, 400, 'Invalid expansion limit.', { reason: 'invalid' });
  }
  const format = (ms: number): string => (typeof timeZone === 'string' ? formatInZone(ms, timeZone) : formatUtc(ms));
  const limit = calendarLimit ?? FREE_BUSY_MAX_CALENDARS;
  const items = Array.isArray(body['items']) ? (body['items'] as unknown[]) : [];
  // A Map, so ids such as `__proto__` or `constructor` are plain keys.
  const calendars = new Map<string, unknown>();
  let answered = 0;
  for (const item of items) {
    const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['id'] : undefined;
    if (typeof id !== 'string' || calendars.has(id)) continue;
    if (answered >= limit) {
      calendars.set(id, { errors: [{ domain: 'global', reason: 'tooManyCalendarsRequested' }], busy: [] });
      continue;
    }
    answered += 1;
    const calendar = findCalendar(account, id);
    calendars.set(
      id,
      calendar
        ? { busy: busyBlocks(calendar, timeMin, timeMax).map((b) => ({ start: format(b.start), end: format(b.end) })) }
        : { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] },
    );
  }
  sendJson(res, 200, {
    kind: 'calendar#freeBusy',
    timeMin: new Date(timeMin).toISOString(),
    timeMax: new Date(timeMax).toISOString(),
    calendars: Object.fromEntries(calendars),
  });
}
