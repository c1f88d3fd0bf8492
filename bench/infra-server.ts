/**
 * The outside world of webhook-api, in its own process so that parsing e-mails and
 * playing Google never steals event-loop time from the load generator (autocannon's
 * latencies are measured on the bench process's loop): the Google sandbox with
 * auto-consent and the SMTP capture. Talks to the bench over IPC.
 */
import { GoogleSandbox, SandboxRequestLog } from '@connector-service/google-sandbox';
import { startSmtpCapture } from '@connector-service/testing';
import type { InfraMessage, InfraRequest, SandboxCalls, SeedCalendars } from './infra-protocol';

/** Calendars and busy events as asked; the added calendars' ids in the order given. */
function seedCalendars(google: GoogleSandbox, seed: SeedCalendars): { calendarIds: string[]; events: number } {
  let events = 0;
  const addBusy = (busy: SeedCalendars['primaryBusy'], calendarId: string, summary: string): void => {
    for (const [i, interval] of busy.entries()) {
      google.addCalendarEvent(
        seed.email,
        { summary: `${summary} busy ${i + 1}`, start: { dateTime: interval.start }, end: { dateTime: interval.end } },
        calendarId,
      );
      events += 1;
    }
  };
  addBusy(seed.primaryBusy, 'primary', 'Primary');
  const calendarIds = seed.added.map((calendar) => {
    const id = google.addCalendar(seed.email, { summary: calendar.summary, timeZone: calendar.timeZone });
    addBusy(calendar.busy, id, calendar.summary);
    return id;
  });
  return { calendarIds, events };
}

/** What kind of call a sandbox request is (the Calendar v3 paths our connector uses, and OAuth). */
function callKind({ method, path }: SandboxRequestLog): string {
  if (path.startsWith('/calendar/v3/')) {
    if (method === 'GET' && path.endsWith('/events')) return 'events.list';
    if (method === 'POST' && path.endsWith('/events/watch')) return 'events.watch';
    if (path.endsWith('/channels/stop')) return 'channels.stop';
    if (method === 'POST' && path === '/calendar/v3/freeBusy') return 'freeBusy';
    return `calendar ${method}`;
  }
  if (path === '/token') return 'token';
  return 'other';
}

function countCalls(into: SandboxCalls, requests: readonly SandboxRequestLog[]): SandboxCalls {
  for (const request of requests) {
    const kind = callKind(request);
    into[kind] = (into[kind] ?? 0) + 1;
  }
  return into;
}

async function main(): Promise<void> {
  let mails = 0;
  const smtp = await startSmtpCapture({
    onMessage: () => {
      mails += 1;
    },
  });
  const google = await GoogleSandbox.start({ autoConsent: true });
  // Only the counts matter here; keep memory flat however long the load runs (the sandbox
  // logs every request, body included: tens of thousands under the calendar loads).
  let trimmedRequests = 0;
  const trimmedCalls: SandboxCalls = {};
  const trim = setInterval(() => {
    smtp.clear();
    trimmedRequests += google.requests.length;
    countCalls(trimmedCalls, google.requests);
    google.requests.splice(0);
  }, 1_000);

  const send = (message: InfraMessage): void => {
    process.send?.(message);
  };
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(trim);
    setTimeout(() => process.exit(0), 3_000).unref();
    void Promise.allSettled([smtp.close(), google.stop()]).then(() => process.exit(0));
  };

  process.on('message', (request: InfraRequest) => {
    if (request.type === 'stats') {
      send({
        type: 'stats',
        mails,
        sandboxRequests: trimmedRequests + google.requests.length,
        sandboxCalls: countCalls({ ...trimmedCalls }, google.requests),
      });
    } else if (request.type === 'seedCalendars') {
      try {
        send({ type: 'calendarsSeeded', requestId: request.requestId, ...seedCalendars(google, request) });
      } catch (error) {
        send({ type: 'failed', requestId: request.requestId, message: (error as Error).message });
      }
    } else if (request.type === 'addEvent') {
      try {
        // An hour a year ahead: never in a week the calendar loads read.
        const start = new Date(Date.now() + 365 * 86_400_000);
        const event = google.addCalendarEvent(request.email, {
          summary: request.summary,
          start: { dateTime: start.toISOString() },
          end: { dateTime: new Date(start.getTime() + 3_600_000).toISOString() },
        });
        send({ type: 'eventAdded', requestId: request.requestId, eventId: event.id });
      } catch (error) {
        send({ type: 'failed', requestId: request.requestId, message: (error as Error).message });
      }
    }
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  send({
    type: 'ready',
    smtpUrl: smtp.url,
    google: { endpoints: google.endpoints, clientId: google.clientId, clientSecret: google.clientSecret },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`infra-server failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
