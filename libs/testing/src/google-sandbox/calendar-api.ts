import { randomBytes } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { sendApiError, sendInsufficientScopes, sendNotFound } from './api-errors';
import { busyBlocks, changeEvent, deleteEvent, eventRange, insertEvent } from './calendar-events';
import { SandboxContext } from './context';
import { SandboxHttpRequest, parseJsonBody, sendJson, sendNoContent } from './http-io';
import { newEtag } from './ids';
import { CALENDAR_SCOPES } from './scopes';
import { AccountRecord } from './store';
import { parseRfc3339 } from './time';
import { SandboxEvent } from './types';
import { authenticate } from './userinfo';

export const CALENDAR_PREFIX = '/calendar/v3/';

interface CalendarCall {
  req: SandboxHttpRequest;
  res: ServerResponse;
  account: AccountRecord;
  /** The calendar named in the path ('primary' or the account's e-mail), if any. */
  calendarId?: string;
  eventId?: string;
  body: Record<string, unknown>;
}

interface Route {
  method: string;
  /** Path segments after /calendar/v3/; `:calendarId` and `:eventId` match one segment. */
  pattern: string[];
  scopes: ReadonlySet<string>;
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
    handle: listEvents,
  },
  {
    method: 'POST',
    pattern: ['calendars', ':calendarId', 'events'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    handle: insert,
  },
  {
    method: 'GET',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsRead,
    handle: getEvent,
  },
  {
    method: 'PATCH',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    handle: (c) => change(c, 'patch'),
  },
  {
    method: 'PUT',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsWrite,
    handle: (c) => change(c, 'update'),
  },
  {
    method: 'DELETE',
    pattern: ['calendars', ':calendarId', 'events', ':eventId'],
    scopes: CALENDAR_SCOPES.eventsWrite,
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

/** Everything under /calendar/v3/: route, authenticate, check scopes and calendar, then handle. */
export function handleCalendar(req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext): void {
  const segments = req.url.pathname.slice(CALENDAR_PREFIX.length).split('/').filter(Boolean).map(decodeSegment);
  const found = findRoute(req.method, segments);
  if (!found) return sendNotFound(res);
  const access = authenticate(req, res, ctx, true);
  if (!access) return;
  if (!access.scopes.some((s) => found.route.scopes.has(s))) return sendInsufficientScopes(res, found.route.scopes);
  const account = ctx.store.ensureAccount(access.grant.email);
  const calendarId = found.params['calendarId'];
  if (
    calendarId !== undefined &&
    calendarId !== 'primary' &&
    calendarId.toLowerCase() !== account.email.toLowerCase()
  ) {
    return sendNotFound(res);
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
    ...(calendarId === undefined ? {} : { calendarId }),
    ...(found.params['eventId'] === undefined ? {} : { eventId: found.params['eventId'] }),
    body,
  });
}

function syncToken(): string {
  return randomBytes(12).toString('base64');
}

function calendarListEntry(account: AccountRecord): Record<string, unknown> {
  return {
    kind: 'calendar#calendarListEntry',
    etag: newEtag(),
    id: account.email,
    summary: account.email,
    timeZone: account.timeZone,
    colorId: '14',
    backgroundColor: '#9fe1e7',
    foregroundColor: '#000000',
    selected: true,
    accessRole: 'owner',
    defaultReminders: [{ method: 'popup', minutes: 10 }],
    notificationSettings: {
      notifications: [
        { type: 'eventCreation', method: 'email' },
        { type: 'eventChange', method: 'email' },
        { type: 'eventCancellation', method: 'email' },
        { type: 'eventResponse', method: 'email' },
      ],
    },
    primary: true,
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  };
}

function listCalendars({ res, account }: CalendarCall): void {
  sendJson(res, 200, {
    kind: 'calendar#calendarList',
    etag: newEtag(),
    nextSyncToken: syncToken(),
    items: [calendarListEntry(account)],
  });
}

function getCalendarListEntry({ res, account }: CalendarCall): void {
  sendJson(res, 200, calendarListEntry(account));
}

function getCalendar({ res, account }: CalendarCall): void {
  sendJson(res, 200, {
    kind: 'calendar#calendar',
    etag: newEtag(),
    id: account.email,
    summary: account.email,
    timeZone: account.timeZone,
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  });
}

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
  const items = Array.isArray(body['items']) ? (body['items'] as unknown[]) : [];
  const calendars: Record<string, unknown> = {};
  for (const item of items) {
    const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['id'] : undefined;
    if (typeof id !== 'string') continue;
    const own = id === 'primary' || id.toLowerCase() === account.email.toLowerCase();
    calendars[id] = own
      ? { busy: busyBlocks(account, timeMin, timeMax) }
      : { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
  }
  sendJson(res, 200, {
    kind: 'calendar#freeBusy',
    timeMin: new Date(timeMin).toISOString(),
    timeMax: new Date(timeMax).toISOString(),
    calendars,
  });
}

function extendedPropertyFilter(event: SandboxEvent, kind: 'private' | 'shared', filters: string[]): boolean {
  const props =
    (event['extendedProperties'] as Record<string, Record<string, string> | undefined> | undefined)?.[kind] ?? {};
  return filters.every((filter) => {
    const eq = filter.indexOf('=');
    return eq > 0 && props[filter.slice(0, eq)] === filter.slice(eq + 1);
  });
}

function listEvents({ req, res, account }: CalendarCall): void {
  const q = req.url.searchParams;
  const timeMinText = q.get('timeMin');
  const timeMaxText = q.get('timeMax');
  const timeMin = timeMinText === null ? undefined : parseRfc3339(timeMinText);
  const timeMax = timeMaxText === null ? undefined : parseRfc3339(timeMaxText);
  if ((timeMinText !== null && timeMin === undefined) || (timeMaxText !== null && timeMax === undefined)) {
    return sendApiError(res, 400, 'Bad Request', { reason: 'badRequest' });
  }
  const orderBy = q.get('orderBy');
  if (orderBy === 'startTime' && q.get('singleEvents') !== 'true') {
    return sendApiError(res, 400, 'The requested ordering is not available for the particular query.', {
      reason: 'badRequest',
    });
  }
  if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') {
    return sendApiError(res, 400, `Invalid value for orderBy: ${orderBy}`, { reason: 'invalidParameter' });
  }
  const maxResults = Math.min(Number(q.get('maxResults') ?? 250) || 250, 2500);
  const offset = Number(Buffer.from(q.get('pageToken') ?? '', 'base64url').toString() || 0) || 0;
  const text = q.get('q')?.toLowerCase();
  const showDeleted = q.get('showDeleted') === 'true';
  const iCalUID = q.get('iCalUID');

  const events = [...account.events.values()].filter((e) => {
    if (!showDeleted && e.status === 'cancelled') return false;
    if (iCalUID !== null && e.iCalUID !== iCalUID) return false;
    const range = eventRange(e, account);
    if (timeMin !== undefined && range.end <= timeMin) return false;
    if (timeMax !== undefined && range.start >= timeMax) return false;
    if (text && ![e.summary, e.description, e.location].some((f) => f?.toLowerCase().includes(text))) return false;
    return (
      extendedPropertyFilter(e, 'private', q.getAll('privateExtendedProperty')) &&
      extendedPropertyFilter(e, 'shared', q.getAll('sharedExtendedProperty'))
    );
  });
  if (orderBy === 'startTime') events.sort((a, b) => eventRange(a, account).start - eventRange(b, account).start);
  if (orderBy === 'updated') events.sort((a, b) => a.updated.localeCompare(b.updated));
  const more = offset + maxResults < events.length;
  sendJson(res, 200, {
    kind: 'calendar#events',
    etag: newEtag(),
    summary: account.email,
    description: '',
    updated: new Date().toISOString(),
    timeZone: account.timeZone,
    accessRole: 'owner',
    defaultReminders: [{ method: 'popup', minutes: 10 }],
    ...(more
      ? { nextPageToken: Buffer.from(String(offset + maxResults)).toString('base64url') }
      : { nextSyncToken: syncToken() }),
    items: events.slice(offset, offset + maxResults),
  });
}

function insert({ res, account, body }: CalendarCall): void {
  const result = insertEvent(account, body);
  if (!result.ok) return sendApiError(res, result.error.code, result.error.message, { reason: result.error.reason });
  sendJson(res, 200, result.event);
}

function getEvent({ res, account, eventId }: CalendarCall): void {
  const event = eventId === undefined ? undefined : account.events.get(eventId);
  if (!event) return sendNotFound(res);
  sendJson(res, 200, event);
}

function change({ res, account, eventId, body }: CalendarCall, mode: 'patch' | 'update'): void {
  const result = changeEvent(account, eventId ?? '', body, mode);
  if (!result.ok) return sendApiError(res, result.error.code, result.error.message, { reason: result.error.reason });
  sendJson(res, 200, result.event);
}

function remove({ res, account, eventId }: CalendarCall): void {
  const error = deleteEvent(account, eventId ?? '');
  if (error) return sendApiError(res, error.code, error.message, { reason: error.reason });
  sendNoContent(res);
}
