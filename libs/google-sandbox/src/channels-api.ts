import { createHash } from 'node:crypto';
import { CalendarCall } from './calendar-call';
import { NOT_FOUND, calendarError, sendCalendarError } from './calendar-error';
import { sendJson, sendNoContent } from './http-io';

// Calendar v3 events.watch and channels.stop; the channels and their pushes live in PushChannels.

/** POST calendars/{calendarId}/events/watch: opens a channel; its `sync` push follows the answer. */
export function watchEvents({ res, account, calendar, calendarId, body, ctx }: CalendarCall): void {
  if (!calendar || calendarId === undefined) return sendCalendarError(res, NOT_FOUND);
  const channel = ctx.channels.open({ account, calendar, calendarId, body });
  if ('code' in channel) return sendCalendarError(res, channel);
  sendJson(res, 200, {
    kind: 'api#channel',
    id: channel.id,
    resourceId: channel.resourceId,
    resourceUri: channel.resourceUri,
    ...(channel.token === undefined ? {} : { token: channel.token }),
    expiration: String(channel.expiration),
  });
}

/** Google's project number for a client id, as its error messages show it (stable, 12 digits). */
function projectNumber(clientId: string): string {
  return String(BigInt(`0x${createHash('sha256').update(clientId).digest('hex').slice(0, 12)}`) % 10n ** 12n).padStart(
    12,
    '1',
  );
}

/** POST channels/stop `{ id, resourceId }`: 204, or 404 for no live channel with both. */
export function stopChannel({ res, body, ctx }: CalendarCall): void {
  const { id, resourceId } = body;
  if (typeof id !== 'string' || id === '' || typeof resourceId !== 'string' || resourceId === '') {
    return sendCalendarError(res, calendarError(400, 'Required', 'required'));
  }
  if (!ctx.channels.stop(id, resourceId)) {
    return sendCalendarError(
      res,
      calendarError(404, `Channel '${id}' not found for project '${projectNumber(ctx.clientId)}'`, 'notFound'),
    );
  }
  sendNoContent(res);
}
