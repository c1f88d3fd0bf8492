import {
  EventsChangedDelivery,
  ReceivedWebhook,
  WebhookReceiver,
  eventSlot as slot,
  notificationOf as payloadOf,
  statusChangesOf,
  newSubaccountId,
} from '@connector-service/testing';
import { SandboxChannel } from '@connector-service/google-sandbox';
import { randomBytes } from 'node:crypto';
import { Stack, eventually, googlePushUrl } from './support/stack';
import { setTimeout as sleep } from 'node:timers/promises';

// Change notifications through both built apps: the sandbox pushes to webhook-api's real
// notifications route, webhook-api syncs and delivers signed webhooks to a real receiver.

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** The receiver's view of one calendar. */
function calendarView(receiver: WebhookReceiver, calendarId: string) {
  const isEvents = (r: ReceivedWebhook) => {
    const p = payloadOf(r);
    return p?.type === 'calendar.events.changed' && p.data.calendarId === calendarId;
  };
  return {
    /** Every verified calendar.events.changed request for the calendar, whatever was answered. */
    attempts: () => receiver.requests.filter((r) => r.verified && isEvents(r)),
    /** The ones answered 2xx, in arrival order. */
    delivered: () => receiver.delivered.filter(isEvents),
    events: () =>
      receiver.delivered
        .filter(isEvents)
        .map((r) => (r.payload as EventsChangedDelivery).data)
        .sort((a, b) => a.sequence - b.sequence),
    statuses: () => statusChangesOf(receiver.delivered, calendarId),
    waitForEvent: (match: (e: EventsChangedDelivery['data']['events'][number]) => boolean, timeoutMs = 5000) =>
      receiver.waitFor(
        (r) =>
          isEvents(r) &&
          r.status >= 200 &&
          r.status < 300 &&
          (r.payload as EventsChangedDelivery).data.events.some(match),
        timeoutMs,
      ),
  };
}

describe('change notifications (system e2e: sandbox pushes to the built webhook-api)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await Stack.start({
      googlePush: true,
      webhookEnv: {
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        DELIVERY_POLL_INTERVAL_MS: '100',
        DELIVERY_RETRY_BASE_MS: '200',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  /** Connects through database-api and waits for what `connected` owes: the status delivery, the baseline and the channel. */
  async function connected(
    prefix: string,
    before?: (email: string) => void,
  ): Promise<{ subaccountId: string; calendarId: string; email: string }> {
    const subaccountId = newSubaccountId();
    const email = `${prefix}-${subaccountId.slice(0, 8)}@example.com`;
    before?.(email);
    const metadata = await stack.connect(subaccountId, email);
    const calendarId = String(metadata['calendarId']);
    // The channel is opened after the baseline, so a change from now on is not part of it.
    await eventually(async () => stack.google.channels(email).length === 1);
    await eventually(async () => calendarView(receiver, calendarId).statuses().length === 1);
    return { subaccountId, calendarId, email };
  }

  it('delivers create, move and cancel, signed and in order, each within a second of the change', async () => {
    const existing: string[] = [];
    const { calendarId, email } = await connected('flow', (e) => {
      existing.push(stack.google.addCalendarEvent(e, { summary: 'Before connecting', ...slot(8) }).id);
    });
    const view = calendarView(receiver, calendarId);
    expect(view.statuses()).toEqual([[null, 'connected']]);
    const [channel] = stack.google.channels(email);
    expect(channel?.address).toBe(googlePushUrl(stack.webhookApi.port ?? 0));

    let changedAt = Date.now();
    const created = stack.google.addCalendarEvent(email, { summary: 'Intro call', ...slot(10) });
    const first = await view.waitForEvent((e) => e.id === created.id);
    expect(first.at.getTime() - changedAt).toBeLessThan(1000);

    await sleep(1100);
    changedAt = Date.now();
    stack.google.patchCalendarEvent(email, created.id, slot(11));
    const moved = await view.waitForEvent((e) => e.id === created.id && (e.start.dateTime ?? '').includes('T11:00'));
    expect(moved.at.getTime() - changedAt).toBeLessThan(1000);

    await sleep(1100);
    changedAt = Date.now();
    stack.google.deleteCalendarEvent(email, created.id);
    const cancelled = await view.waitForEvent((e) => e.id === created.id && e.status === 'cancelled');
    expect(cancelled.at.getTime() - changedAt).toBeLessThan(1000);

    await sleep(500); // nothing more is owed
    const delivered = view.delivered();
    expect(delivered.every((r) => r.verified)).toBe(true);
    expect(delivered.map((r) => (r.payload as EventsChangedDelivery).data.sequence)).toEqual([1, 2, 3]);
    expect(
      delivered.map((r) =>
        (r.payload as EventsChangedDelivery).data.events.map((e) => [e.id, e.status, e.start.dateTime]),
      ),
    ).toEqual([
      [[created.id, 'confirmed', slot(10).start.dateTime]],
      [[created.id, 'confirmed', slot(11).start.dateTime]],
      [[created.id, 'cancelled', expect.anything()]],
    ]);
    expect(delivered.map((r) => (r.payload as EventsChangedDelivery).data.googleCalendarId)).toEqual([
      email,
      email,
      email,
    ]);
    // The baseline's event was never delivered.
    expect(view.events().flatMap((d) => d.events.map((e) => e.id))).not.toContain(existing[0]);
  });

  it('tells the platform which booking an event is when it is moved and then deleted at Google: its tags, and its last times once cancelled', async () => {
    const { subaccountId, calendarId, email } = await connected('tagged');
    const view = calendarView(receiver, calendarId);
    const booked = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/google-calendar/events`, {
      summary: 'Booking bk_7',
      ...slot(9),
      tags: { bookingId: 'bk_7', kind: 'intro' },
    });
    expect(booked.status).toBe(201);
    const id = String((booked.body as { data: { id: string } }).data.id);
    await view.waitForEvent((e) => e.id === id);

    // Moved in Google Calendar's own UI, not through this service.
    stack.google.patchCalendarEvent(email, id, slot(15));
    const moved = await view.waitForEvent((e) => e.id === id && (e.start.dateTime ?? '').includes('T15:00'));
    const movedEvent = (moved.payload as EventsChangedDelivery).data.events.find((e) => e.id === id);
    expect(movedEvent).toMatchObject({ tags: { bookingId: 'bk_7', kind: 'intro' } });

    // Deleted there: Google lists only its id and status; the webhook still says which booking it was and when.
    stack.google.deleteCalendarEvent(email, id);
    const cancelled = await view.waitForEvent((e) => e.id === id && e.status === 'cancelled');
    expect((cancelled.payload as EventsChangedDelivery).data.events.find((e) => e.id === id)).toMatchObject({
      status: 'cancelled',
      summary: 'Booking bk_7',
      start: slot(15).start,
      end: slot(15).end,
      tags: { bookingId: 'bk_7', kind: 'intro' },
    });
  });

  it('answers 401 to a push with a wrong channel token, 200 with the right one', async () => {
    const { email } = await connected('token');
    const [channel] = stack.google.channels(email);
    expect(channel?.token).toEqual(expect.any(String));
    const push = (token: string) =>
      fetch(googlePushUrl(stack.webhookApi.port ?? 0), {
        method: 'POST',
        headers: {
          'X-Goog-Channel-ID': channel?.id ?? '',
          'X-Goog-Channel-Token': token,
          'X-Goog-Resource-ID': channel?.resourceId ?? '',
          'X-Goog-Resource-State': 'exists',
          'X-Goog-Message-Number': '2',
        },
      });
    const wrong = await push(`${channel?.token ?? ''}x`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
    const right = await push(channel?.token ?? '');
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ success: true, data: { accepted: true } });
  });

  it('delivers every change exactly in sequence after a minute of 500s and a SIGKILL of webhook-api', async () => {
    const { calendarId, email } = await connected('outage');
    const view = calendarView(receiver, calendarId);
    const ids: string[] = [];
    const change = (hour: number) =>
      ids.push(stack.google.addCalendarEvent(email, { summary: `Outage ${hour}`, ...slot(hour) }).id);
    receiver.answer(500, { forMs: 60_000 });
    const outageEnds = Date.now() + 60_000;
    let restartedAt = 0;
    try {
      for (const hour of [9, 10, 11]) {
        change(hour);
        await sleep(1100);
      }
      await eventually(async () => view.attempts().length > 0); // the head is being refused
      await stack.webhookApi.kill();
      await sleep(500);
      restartedAt = Date.now();
      await stack.webhookApi.start();
      for (const hour of [12, 13, 14]) {
        await sleep(1100);
        change(hour);
      }
      await sleep(2000);
      expect(view.delivered()).toEqual([]);
      expect(view.attempts().every((r) => r.status === 500)).toBe(true);

      // Recovery: the head's next retry after the minute, then the rest in a row.
      await eventually(
        async () => {
          const seen = new Set(view.events().flatMap((d) => d.events.map((e) => e.id)));
          return ids.every((id) => seen.has(id));
        },
        120_000,
        250,
      );
    } finally {
      receiver.heal();
      if (!stack.webhookApi.running) await stack.webhookApi.start();
    }
    await sleep(1000); // anything still owed would arrive now

    // Refused before the kill, and retried by the restarted process; taken only after the minute.
    expect(view.attempts().some((r) => r.status === 500 && r.at.getTime() < restartedAt)).toBe(true);
    expect(view.attempts().some((r) => r.status === 500 && r.at.getTime() > restartedAt)).toBe(true);
    expect(view.delivered()[0]?.at.getTime()).toBeGreaterThanOrEqual(outageEnds);

    const delivered = view
      .delivered()
      .map((r) => ({ id: r.id, sequence: (r.payload as EventsChangedDelivery).data.sequence }));
    const distinct = delivered.map((d) => d.sequence).filter((s, i, all) => all.indexOf(s) === i);
    expect(distinct).toEqual([1, 2, 3, 4, 5, 6]);
    // Arrival order: a sequence never comes after a higher one.
    expect(delivered.map((d) => d.sequence)).toEqual([...delivered.map((d) => d.sequence)].sort((a, b) => a - b));
    // A sequence is always the same delivery (retries keep their webhook-id), refused attempts included.
    const idOf = new Map<number, Set<string | undefined>>();
    for (const r of view.attempts()) {
      const sequence = (r.payload as EventsChangedDelivery).data.sequence;
      idOf.set(sequence, (idOf.get(sequence) ?? new Set()).add(r.id));
    }
    expect([...idOf.values()].map((set) => set.size)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new Set(delivered.map((d) => d.id)).size).toBe(6);
    // One change per delivery, in the order they were made.
    expect(view.events().map((d) => d.events.map((e) => e.id))).toEqual(ids.map((id) => [id]));
  }, 150_000);

  it('lists the calendar afresh when Google answers 410 and delivers every event in it', async () => {
    const old: string[] = [];
    const { calendarId, email } = await connected('gone', (e) => {
      old.push(stack.google.addCalendarEvent(e, { summary: 'Old but in the window', ...slot(8) }).id);
    });
    const view = calendarView(receiver, calendarId);
    const requestsBefore = stack.google.requests.length;
    stack.google.expireSyncTokens(email);
    const added = stack.google.addCalendarEvent(email, { summary: 'After the 410', ...slot(9) });
    const resync = await view.waitForEvent((e) => e.id === added.id);
    const data = (resync.payload as EventsChangedDelivery).data;
    expect(data.sequence).toBe(1);
    expect(data.events.map((e) => e.id).sort()).toEqual([old[0], added.id].sort());
    expect(
      stack.google.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/events') && r.status === 410),
    ).toHaveLength(1);

    // The fresh listing's token works: the next change is incremental again.
    await sleep(1100);
    const next = stack.google.addCalendarEvent(email, { summary: 'Next', ...slot(12) });
    const incremental = await view.waitForEvent((e) => e.id === next.id);
    expect((incremental.payload as EventsChangedDelivery).data).toMatchObject({
      sequence: 2,
      events: [{ id: next.id }],
    });
  });

  it('renews a short-lived channel before it lapses and stops the old one', async () => {
    // Renewed with a quarter of its life left: 2 s before it lapses, room enough on a loaded machine.
    stack.google.setChannelLifetimeMs(8000);
    let first: SandboxChannel | undefined;
    let calendarId: string;
    let email: string;
    try {
      ({ calendarId, email } = await connected('renew'));
      [first] = stack.google.channels(email);
    } finally {
      stack.google.setChannelLifetimeMs(undefined); // the renewed channel lives 7 days
    }
    expect(first?.expiration).toBeLessThanOrEqual(Date.now() + 8000);
    const renewed = await eventually(async () => {
      const live = stack.google.channels(email);
      return live.length === 1 && live[0]?.id !== first?.id ? live[0] : undefined;
    }, 12_000);
    expect(stack.google.channels(email, { all: true }).find((c) => c.id === first?.id)).toMatchObject({
      stopped: true,
      expired: false,
    });
    const stop = stack.google.requests.find(
      (r) => r.path.endsWith('/channels/stop') && (r.json as { id?: string } | undefined)?.id === first?.id,
    );
    const watch = stack.google.requests.find(
      (r) => r.path.endsWith('/events/watch') && (r.json as { id?: string } | undefined)?.id === renewed.id,
    );
    expect(stop?.status).toBe(204);
    expect(stop?.at.getTime()).toBeLessThan(first?.expiration ?? 0);
    expect(watch?.at.getTime()).toBeLessThanOrEqual(stop?.at.getTime() ?? 0);

    // The renewed channel brings changes.
    const added = stack.google.addCalendarEvent(email, { summary: 'Through the new channel', ...slot(10) });
    await calendarView(receiver, calendarId).waitForEvent((e) => e.id === added.id);
  });

  it('stops the channel before revoking on disconnect and tells the platform', async () => {
    const { subaccountId, calendarId, email } = await connected('bye');
    const [channel] = stack.google.channels(email);
    const requestsBefore = stack.google.requests.length;
    const answer = await stack.asUser(
      subaccountId,
      'DELETE',
      `/api/connectors/${subaccountId}/google-calendar/connection`,
    );
    expect(answer.status).toBe(200);
    expect(stack.google.channels(email)).toEqual([]);
    expect(stack.google.channels(email, { all: true }).find((c) => c.id === channel?.id)).toMatchObject({
      stopped: true,
    });
    const requests = stack.google.requests.slice(requestsBefore);
    const stopAt = requests.findIndex(
      (r) => r.path.endsWith('/channels/stop') && (r.json as { id?: string } | undefined)?.id === channel?.id,
    );
    const revokeAt = requests.findIndex((r) => r.path.endsWith('/revoke'));
    expect(stopAt).toBeGreaterThan(-1);
    expect(revokeAt).toBeGreaterThan(stopAt);
    const view = calendarView(receiver, calendarId);
    await eventually(async () => view.statuses().length === 2);
    expect(view.statuses()).toEqual([
      [null, 'connected'],
      ['connected', 'disconnected'],
    ]);
  });
});

describe('change notifications without GOOGLE_PUSH_URL (system e2e: polling alone)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await Stack.start({
      webhookEnv: {
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        DELIVERY_POLL_INTERVAL_MS: '100',
        DELIVERY_RETRY_BASE_MS: '200',
        CALENDAR_SYNC_INTERVAL_SECONDS: '5',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('delivers a change by the periodic sync, with no channel at the sandbox', async () => {
    const subaccountId = newSubaccountId();
    const email = `poll-${subaccountId.slice(0, 8)}@example.com`;
    const calendarId = String((await stack.connect(subaccountId, email))['calendarId']);
    const view = calendarView(receiver, calendarId);
    await eventually(async () => view.statuses().length === 1);
    // The baseline listing has been answered.
    await eventually(async () =>
      stack.google.requests.some((r) => r.method === 'GET' && r.path.endsWith('/events') && r.status === 200),
    );
    expect(stack.google.channels(undefined, { all: true })).toEqual([]);
    const added = stack.google.addCalendarEvent(email, { summary: 'Polled', ...slot(10) });
    const polled = await view.waitForEvent((e) => e.id === added.id, 12_000);
    expect(polled.verified).toBe(true);
    expect((polled.payload as EventsChangedDelivery).data).toMatchObject({
      subaccountId,
      calendarId,
      googleCalendarId: email,
      sequence: 1,
      events: [{ id: added.id, status: 'confirmed', summary: 'Polled' }],
    });
    expect(stack.google.pushesSent()).toEqual([]);
    expect(stack.google.requests.some((r) => r.path.endsWith('/events/watch'))).toBe(false);
  });
});
