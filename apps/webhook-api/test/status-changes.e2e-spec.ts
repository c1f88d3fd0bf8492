import { WebhookReceiver, statusChangesOf, newSubaccountId } from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import {
  WebhookApiWithGoogle,
  eventually,
  newEmail,
  sleep,
  platformWebhookEnv,
} from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('what a status transition owes (e2e: sandbox Google, real database, signed deliveries)', () => {
  let stack: WebhookApiWithGoogle;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await WebhookApiWithGoogle.start({
      pushes: true,
      env: platformWebhookEnv(receiver, secret),
    });
  });

  afterEach(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const statusDeliveries = (calendarId: string) => statusChangesOf(receiver.delivered, calendarId);
  const watches = () => stack.google.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events/watch'));
  const listings = () => stack.google.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));

  it('a channel Google fails to open holds back neither the status webhook nor the metadata, and its retry redoes neither them nor the baseline', async () => {
    // Google fails every watch for now: the channel `connected` owes cannot be opened.
    stack.google.failApiRequests(
      100,
      { kind: 'serverError', status: 503 },
      { method: 'POST', path: /\/events\/watch$/ },
    );
    const subaccountId = newSubaccountId();
    const email = newEmail('unwatched');
    const { calendarId } = await stack.connect(subaccountId, email);

    await eventually(() => (statusDeliveries(calendarId).length === 1 ? true : undefined));
    expect(statusDeliveries(calendarId)).toEqual([[null, 'connected']]);
    const update = await eventually(() =>
      stack.receiver.requestsFor(subaccountId).find((r) => r.body.metadata['status'] === 'connected'),
    );
    expect(update.body.metadata).toMatchObject({ calendarId, isConnected: true });
    // The channel has been retried, and is still owed; what else the transition owed is recorded done.
    await eventually(() => (watches().length >= 2 ? true : undefined), 10_000);
    expect(stack.google.channels(email)).toEqual([]);
    expect((await stack.connectionOf(subaccountId))?.['statusChanges']).toEqual([
      expect.objectContaining({
        status: 'connected',
        webhookEnqueued: true,
        syncSettled: true,
        channelsSettled: false,
      }),
    ]);

    // Google is back: a retry opens the channel and the transition is worked off.
    stack.google.clearApiFailures();
    await eventually(
      async () => ((await stack.connectionOf(subaccountId))?.['statusChanges']?.length === 0 ? true : undefined),
      15_000,
    );
    expect(stack.google.channels(email)).toHaveLength(1);
    await sleep(500);
    expect(statusDeliveries(calendarId)).toEqual([[null, 'connected']]);
    expect(
      await stack.mongo.db().collection('deliveries').countDocuments({ calendarId, type: 'connection.status_changed' }),
    ).toBe(1);
    // The baseline was listed once: no retry asked for it again.
    expect(listings()).toHaveLength(1);
  });
});
