import {
  EventsChangedDelivery,
  WebhookReceiver,
  eventSlot as slot,
  notificationOf,
  newSubaccountId,
} from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import { WebhookApiWithGoogle, eventually, newEmail, platformWebhookEnv } from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Connections made before change notifications existed (connected, with no sync state and
 * no push channel) are adopted at start: a baseline, and a push channel like any other.
 */
describe('connections adopted at start (e2e)', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  afterEach(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const watches = () => stack.google.requests.filter((r) => r.path.endsWith('/events/watch'));

  it('gives a connection adopted at start a push channel (retried after a pause while Google fails), and its changes arrive by push', async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({
      pushes: true,
      env: platformWebhookEnv(receiver, secret),
    });
    const subaccountId = newSubaccountId();
    const email = newEmail('adopted');
    const { calendarId } = await stack.connect(subaccountId, email);
    await eventually(async () =>
      (await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined,
    );
    const [before] = stack.google.channels(email);
    expect(before).toBeDefined();

    // As a connection made before change notifications: no sync state, no channel.
    await stack.restart(async () => {
      await stack.mongo.db().collection('pushchannels').deleteMany({ calendarId });
      await stack.mongo.db().collection('calendarsyncstates').deleteMany({ calendarId });
      stack.google.failApiRequests(
        2,
        { kind: 'serverError', status: 503 },
        { method: 'POST', path: /\/events\/watch$/ },
      );
    });
    const restartedAt = Date.now();

    const opened = await eventually(async () => {
      const stored = await stack.mongo.db().collection('pushchannels').find({ calendarId }).toArray();
      const live = stack.google.channels(email).filter((c) => c.id !== before?.id);
      return stored.length === 1 && stored[0]?.['resourceId'] && live.length === 1 ? live[0] : undefined;
    }, 15_000);
    expect(
      await stack.mongo
        .db()
        .collection('pushchannels')
        .findOne({ _id: opened?.id } as object),
    ).toMatchObject({
      resourceId: opened?.resourceId,
    });
    // Two failures, then the channel: three tries, not one a second until it works.
    const attempts = watches()
      .filter((r) => r.at.getTime() >= restartedAt)
      .map((r) => r.at.getTime());
    expect(attempts).toHaveLength(3);

    const synced = await eventually(
      async () => (await stack.mongo.db().collection('calendarsyncstates').findOne({ calendarId })) ?? undefined,
    );
    expect(synced).toBeDefined();
    await eventually(async () => {
      const state = await stack.mongo.db().collection('calendarsyncstates').findOne({ calendarId });
      return state?.['syncToken'] ? true : undefined;
    }, 10_000);

    const added = stack.google.addCalendarEvent(email, { summary: 'After adoption', ...slot(10) });
    const startedAt = Date.now();
    await receiver.waitFor((r) => {
      const p = notificationOf(r) as EventsChangedDelivery | undefined;
      return (
        p?.type === 'calendar.events.changed' &&
        p.data.calendarId === calendarId &&
        p.data.events.some((e) => e.id === added.id)
      );
    });
    // By push: the periodic sync (CALENDAR_SYNC_INTERVAL_SECONDS, 300 s) would take minutes.
    expect(Date.now() - startedAt).toBeLessThan(3000);
  }, 40_000);
});
