import { ChangedCalendarEvent, DeliveryStatus } from '@connector-service/contracts';
import { WebhookReceiver, ReceivedWebhook, getFreePort, newSubaccountId } from '@connector-service/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import { CommandStartedEvent, CommandSucceededEvent, Document, MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { DeliveriesService } from '../src/deliveries/deliveries.service';
import { DeliveryRepository } from '../src/deliveries/delivery.repository';
import { Delivery } from '../src/deliveries/delivery.schema';
import { DeliveryWorker, HEADS_PER_READ } from '../src/deliveries/delivery.worker';
import {
  E2E_WEBHOOK_TOKEN,
  WebhookApiUnderTest,
  monitoredDatabaseUri,
  startWebhookApi,
} from './support/webhook-api-app';
import { eventually } from './support/webhook-api-with-google';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

function newCalendarId(): string {
  return randomBytes(12).toString('hex');
}

function event(n: number): ChangedCalendarEvent {
  return {
    id: `evt${n}`,
    status: 'confirmed',
    summary: `Meeting ${n}`,
    start: { dateTime: '2026-12-07T09:00:00+01:00' },
    end: { dateTime: '2026-12-07T10:00:00+01:00' },
    updated: '2026-12-07T08:00:00.000Z',
    attendees: [{ email: 'a@example.com', responseStatus: 'accepted' }],
  };
}

interface EventsBody {
  type: string;
  timestamp: string;
  data: { subaccountId: string; calendarId: string; googleCalendarId: string; sequence: number; events: unknown[] };
}

const bodyOf = (r: ReceivedWebhook) => r.payload as EventsBody;
const ofCalendar = (calendarId: string) => (p: unknown) => (p as EventsBody).data.calendarId === calendarId;
const DAY_MS = 86_400_000;

const DELIVERY_COLLECTIONS = new Set(['deliveries', 'delivereddeliveries']);

/** What the app asked of the database about one stream, per delivery (see watchStreamCost). */
interface StreamCost {
  /** commands[k]: commands about the stream after its k-th delivery landed and before the next. */
  readonly commands: number[];
  /** documents[k]: whole deliveries (with their bodies) those commands read. */
  readonly documents: number[];
}

/**
 * Counts, with the driver's command monitoring on the app's own connection, the commands
 * about one stream's deliveries (a filter on the stream or on one of its ids, an insert of
 * one of them, a getMore of such a cursor) and the deliveries they read, by how many of the
 * stream's deliveries had landed when each started: bucket k is what finishing the k-th and
 * starting the next cost. Commands about no stream in particular (the poll) or other
 * collections (leases) are not counted; they do not depend on the backlog of one stream.
 */
function watchStreamCost(
  connection: Connection,
  stream: string,
  ids: ReadonlySet<string>,
  landed: () => number,
): StreamCost {
  const cost: StreamCost = { commands: [], documents: [] };
  const buckets = new Map<number, number>();
  const cursors = new Set<string>();
  const ours = (query: unknown) => {
    const q = query as Document | undefined;
    return q !== undefined && q !== null && (q['stream'] === stream || ids.has(q['_id'] as string));
  };
  const about = ({ commandName, command }: CommandStartedEvent): boolean => {
    if (commandName === 'getMore') return cursors.has(String(command['getMore']));
    if (!DELIVERY_COLLECTIONS.has(command[commandName] as string)) return false;
    if (commandName === 'update') return (command['updates'] as Document[]).some((u) => ours(u['q']));
    if (commandName === 'delete') return (command['deletes'] as Document[]).some((d) => ours(d['q']));
    if (commandName === 'insert') return (command['documents'] as Document[]).some((d) => d['stream'] === stream);
    return ours(command['filter'] ?? command['query']);
  };
  const client = connection.getClient();
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (!about(event)) return;
    const bucket = landed();
    buckets.set(event.requestId, bucket);
    cost.commands[bucket] = (cost.commands[bucket] ?? 0) + 1;
  });
  client.on('commandSucceeded', (event: CommandSucceededEvent) => {
    const bucket = buckets.get(event.requestId);
    if (bucket === undefined) return;
    buckets.delete(event.requestId);
    const cursor = (event.reply as Document)['cursor'] as Document | undefined;
    if (!cursor) return;
    if (String(cursor['id']) !== '0') cursors.add(String(cursor['id']));
    const batch = (cursor['firstBatch'] ?? cursor['nextBatch'] ?? []) as Document[];
    cost.documents[bucket] = (cost.documents[bucket] ?? 0) + batch.filter((d) => 'body' in d).length;
  });
  return cost;
}

/** `values[from..to)`, a missing bucket as 0. */
const perDelivery = (values: number[], from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => values[from + i] ?? 0);

describe('platform webhook deliveries (e2e, real database, real receiver)', () => {
  let receiver: WebhookReceiver;
  let api: WebhookApiUnderTest;
  let mongo: MongoClient;
  let env: Record<string, string | undefined>;
  const extraApps: WebhookApiUnderTest[] = [];

  async function start(overrides: Record<string, string | undefined> = {}): Promise<void> {
    env = {
      SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}`,
      PLATFORM_WEBHOOK_URL: receiver.url,
      PLATFORM_WEBHOOK_SECRET: secret,
      DELIVERY_POLL_INTERVAL_MS: '50',
      DELIVERY_RETRY_BASE_MS: '50',
      ...overrides,
    };
    api = await startWebhookApi(env);
    env['MONGODB_URI'] = api.mongoUri;
    mongo = await MongoClient.connect(api.mongoUri);
  }

  const service = () => api.app.get(DeliveriesService);
  /** A delivery as stored: still in `deliveries`, or archived once a later one of its stream was delivered. */
  const stored = async (id: string) => {
    const collection = (name: string) => mongo.db().collection<{ _id: string; [field: string]: unknown }>(name);
    return (
      (await collection('deliveries').findOne({ _id: id })) ??
      (await collection('delivereddeliveries').findOne({ _id: id }))
    );
  };
  const deliveredOf = (calendarId: string) =>
    receiver.delivered.filter((r) => bodyOf(r).data?.calendarId === calendarId);

  beforeEach(async () => {
    receiver = await WebhookReceiver.start(secret);
  });
  afterEach(async () => {
    await mongo?.close();
    for (const app of extraApps.splice(0)) await app.close();
    await api?.close();
    await receiver.close();
  });

  it('delivers an event change and a status change signed, with the exact contract body', async () => {
    await start();
    const subaccountId = newSubaccountId();
    const calendarId = newCalendarId();
    const before = Math.floor(Date.now() / 1000);
    const [enqueued] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'user@example.com', [
      event(1),
      event(2),
    ]);
    expect(enqueued).toEqual({ id: expect.stringMatching(/^msg_[0-9A-Z]{26}$/), sequence: 1 });
    const got = await receiver.waitFor((r) => r.id === enqueued?.id && r.verified);
    const payload = bodyOf(got);
    expect(got.body).toBe(
      JSON.stringify({
        type: 'calendar.events.changed',
        timestamp: payload.timestamp,
        data: {
          subaccountId,
          calendarId,
          googleCalendarId: 'user@example.com',
          sequence: 1,
          events: [event(1), event(2)],
        },
      }),
    );
    expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);
    expect(Number(got.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(got.timestamp)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(got.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got.status).toBe(204);

    const status = await service().enqueueStatusChanged({
      calendarId,
      subaccountId,
      status: 'connected',
      previousStatus: null,
    });
    const statusDelivery = await receiver.waitFor((r) => r.id === status?.id && r.verified);
    expect(JSON.parse(statusDelivery.body)).toEqual({
      type: 'connection.status_changed',
      timestamp: expect.any(String),
      data: { subaccountId, calendarId, status: 'connected', previousStatus: null },
    });

    const doc = await eventually(async () => {
      const found = await stored(enqueued?.id as string);
      return found?.['status'] === DeliveryStatus.Delivered ? found : undefined;
    });
    expect(doc).toMatchObject({ attempts: 1, lastStatusCode: 204, nextAttemptAt: null, sequence: 1, calendarId });
    expect(doc['deliveredAt']).toBeInstanceOf(Date);
    expect(doc['firstAttemptAt']).toBeInstanceOf(Date);
    expect(receiver.requests.filter((r) => !r.verified)).toEqual([]);
  });

  it('numbers a calendar 1..N without gaps and delivers in order while the first fails; other calendars do not wait', async () => {
    await start();
    const subaccountId = newSubaccountId();
    const slow = newCalendarId();
    const other = newCalendarId();
    receiver.answer(500, { match: (p) => ofCalendar(slow)(p) && (p as EventsBody).data.sequence === 1 });

    // Concurrent enqueues, some through a second replica on the same database.
    const replica = await startWebhookApi(env);
    extraApps.push(replica);
    const replicaService = replica.app.get(DeliveriesService);
    const enqueues = Array.from({ length: 8 }, (_, i) =>
      (i % 2 === 0 ? service() : replicaService).enqueueEventChanges({ calendarId: slow, subaccountId }, 'g@x.com', [
        event(i),
      ]),
    );
    const sequences = (await Promise.all(enqueues)).flat().map((d) => d.sequence);
    expect([...sequences].sort((a, b) => (a as number) - (b as number))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const [otherDelivery] = await service().enqueueEventChanges({ calendarId: other, subaccountId }, 'o@x.com', [
      event(99),
    ]);
    const otherGot = await receiver.waitFor((r) => r.id === otherDelivery?.id && r.status === 204);
    // The slow calendar's first keeps failing until it has failed three times and the other one landed.
    await eventually(
      () => (receiver.requests.filter((r) => r.verified && r.status === 500).length >= 3 ? true : undefined),
      10000,
    );
    receiver.heal();

    await eventually(() => (deliveredOf(slow).length >= 8 ? true : undefined), 15000);
    const slowRequests = receiver.requests.filter((r) => r.verified && ofCalendar(slow)(r.payload));
    const firstLanded = slowRequests.findIndex((r) => r.status === 204);
    expect(firstLanded).toBeGreaterThanOrEqual(3);
    // Nothing after the first was sent before it landed; it kept its webhook-id on every retry.
    const untilLanded = slowRequests.slice(0, firstLanded + 1);
    expect(untilLanded.map((r) => bodyOf(r).data.sequence)).toEqual(untilLanded.map(() => 1));
    expect(untilLanded.slice(0, -1).every((r) => r.status === 500)).toBe(true);
    expect(new Set(untilLanded.map((r) => r.id)).size).toBe(1);
    expect(deliveredOf(slow).map((r) => bodyOf(r).data.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The other calendar's delivery went out while the slow one's first was still failing.
    expect(otherGot.at.getTime()).toBeLessThan((slowRequests[firstLanded] as ReceivedWebhook).at.getTime());
  });

  it('loses nothing across a restart: pending deliveries go out in order after it', async () => {
    await start();
    const subaccountId = newSubaccountId();
    const calendarId = newCalendarId();
    receiver.answer(503);
    for (let i = 1; i <= 4; i += 1) {
      await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(i)]);
    }
    const status = await service().enqueueStatusChanged({
      calendarId,
      subaccountId,
      status: 'reauth_required',
      previousStatus: 'connected',
    });
    await receiver.waitFor((r) => r.status === 503);
    await api.close();
    const takenWhileUp = receiver.delivered.length;
    receiver.heal();
    api = await startWebhookApi(env);

    await eventually(() => (deliveredOf(calendarId).length >= 5 ? true : undefined), 15000);
    expect(takenWhileUp).toBe(0);
    const events = deliveredOf(calendarId).filter((r) => bodyOf(r).type === 'calendar.events.changed');
    expect(events.map((r) => bodyOf(r).data.sequence)).toEqual([1, 2, 3, 4]);
    expect(events.map((r) => bodyOf(r).data.events)).toEqual([[event(1)], [event(2)], [event(3)], [event(4)]]);
    expect(deliveredOf(calendarId).filter((r) => r.id === status?.id)).toHaveLength(1);
    // Every one is recorded delivered: the last one's attempt is written after the receiver's 2xx reached the worker.
    const left = () =>
      mongo
        .db()
        .collection('deliveries')
        .countDocuments({ status: { $ne: 'delivered' } });
    await eventually(async () => ((await left()) === 0 ? true : undefined));
    expect(await left()).toBe(0);
    // Each stream keeps only its latest delivery in `deliveries` (the floor of its positions); the rest are archived.
    const positions = async (name: string) =>
      (
        await mongo
          .db()
          .collection(name)
          .find({ calendarId, stream: { $regex: '^events:' } })
          .toArray()
      )
        .map((d) => d['position'] as number)
        .sort();
    // The last one's predecessor is archived right after its attempt is recorded, which may be after the receiver saw it.
    await eventually(async () => ((await positions('deliveries')).length === 1 ? true : undefined));
    expect(await positions('deliveries')).toEqual([4]);
    expect(await positions('delivereddeliveries')).toEqual([1, 2, 3]);
    const [next] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(5)]);
    expect(next?.sequence).toBe(5);
  });

  it('drains 1,000 deliveries of a calendar after an outage in order, each once, at the same cost for the last as for the first', async () => {
    await start({
      // The driver reports the app's own commands (watchStreamCost).
      MONGODB_URI: monitoredDatabaseUri(),
      // A slower poll than the other tests': on FerretDB each one reads all 1,000.
      DELIVERY_POLL_INTERVAL_MS: '1000',
    });
    const subaccountId = newSubaccountId();
    const calendarId = newCalendarId();
    const stream = `events:${calendarId}:g@x.com`;
    const total = 1000;
    // The outage: no replica delivers while the changes pile up.
    await api.app.get(DeliveryWorker).onApplicationShutdown();
    const ids: string[] = [];
    const appendCost = watchStreamCost(api.app.get<Connection>(getConnectionToken()), stream, new Set(), () => 0);
    for (let i = 1; i <= total; i += 1) {
      const [d] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [
        { id: `evt${i}`, status: 'cancelled' },
      ]);
      ids.push(d?.id as string);
    }
    // The stream's last position was read once (by the first append); each append after it is one insert.
    expect(appendCost.commands[0]).toBe(total + 1);
    await api.close();
    // A replica comes back while the platform still refuses, and counts from the first delivery that lands.
    receiver.answer(503);
    api = await startWebhookApi(env);
    const cost = watchStreamCost(
      api.app.get<Connection>(getConnectionToken()),
      stream,
      new Set(ids),
      () => receiver.delivered.length,
    );
    receiver.heal();

    // Bounded from the start: the first deliveries, with up to 999 behind them, read the next
    // HEADS_PER_READ together and one more (the ended one archived) each.
    await eventually(() => (receiver.delivered.length > 100 ? true : undefined), 120_000);
    expect(Math.max(...perDelivery(cost.documents, 1, 101))).toBeLessThanOrEqual(HEADS_PER_READ + 1);
    expect(perDelivery(cost.documents, 1, 101).reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(2 * 100);
    expect(Math.max(...perDelivery(cost.commands, 1, 101))).toBeLessThanOrEqual(6);
    await eventually(() => (receiver.delivered.length >= total ? true : undefined), 400_000);
    const landed = receiver.delivered;
    expect(landed.map((r) => bodyOf(r).data.sequence)).toEqual(ids.map((_, i) => i + 1));
    expect(landed.map((r) => r.id)).toEqual(ids);
    expect(receiver.requests.filter((r) => r.status === 503).every((r) => r.id === ids[0])).toBe(true);

    // Flat: no delivery of the last 100 costs more than the dearest of the first 100 (999 waiting
    // behind it), nor that one more than the last ones.
    const dearest = (values: number[], from: number) => Math.max(...perDelivery(values, from, from + 100));
    const first = { commands: dearest(cost.commands, 1), documents: dearest(cost.documents, 1) };
    const last = { commands: dearest(cost.commands, total - 100), documents: dearest(cost.documents, total - 100) };
    expect(last.commands).toBeLessThanOrEqual(first.commands);
    expect(last.documents).toBeLessThanOrEqual(first.documents);
    expect(first.commands).toBeLessThanOrEqual(last.commands + 1);
    expect(first.documents).toBeLessThanOrEqual(last.documents);

    // What is done was archived as it went: only the latest stays, as the floor of the positions.
    const positions = async (name: string) =>
      (await mongo.db().collection(name).find({ stream }).project({ position: 1 }).toArray()).map(
        (d) => d['position'] as number,
      );
    await eventually(async () => ((await positions('deliveries')).length === 1 ? true : undefined));
    expect(await positions('deliveries')).toEqual([total]);
    expect(await positions('delivereddeliveries')).toHaveLength(total - 1);
  }, 600_000);

  it('deletes archived deliveries after DELIVERY_ARCHIVE_RETENTION_DAYS, and nothing else', async () => {
    await start({ DELIVERY_ARCHIVE_RETENTION_DAYS: '7' });
    const archive = mongo.db().collection<{ _id: string; [field: string]: unknown }>('delivereddeliveries');
    const now = Date.now();
    await archive.insertMany([
      { _id: 'msg_old', status: 'delivered', deliveredAt: new Date(now - 8 * DAY_MS) },
      { _id: 'msg_recent', status: 'delivered', deliveredAt: new Date(now - 6 * DAY_MS) },
    ]);
    expect(await api.app.get(DeliveryWorker).pruneArchive(new Date(now))).toBe(1);
    expect((await archive.find({}).toArray()).map((d) => d._id)).toEqual(['msg_recent']);
  });

  it('lists a failed delivery until DELIVERY_ARCHIVE_RETENTION_DAYS after it failed, then prunes it; a stream keeps its latest', async () => {
    await start({ DELIVERY_RETRY_WINDOW_SECONDS: '1', DELIVERY_ARCHIVE_RETENTION_DAYS: '7' });
    const subaccountId = newSubaccountId();
    const calendarId = newCalendarId();
    const lonely = newCalendarId();
    receiver.answer(500, {
      match: (p) => ofCalendar(lonely)(p) || (ofCalendar(calendarId)(p) && (p as EventsBody).data.sequence === 1),
    });
    const [first] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(1)]);
    const [second] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(2)]);
    // The only delivery of its calendar: it stays as the floor of that calendar's sequences.
    const [only] = await service().enqueueEventChanges({ calendarId: lonely, subaccountId }, 'g@x.com', [event(3)]);
    const id = first?.id as string;
    await receiver.waitFor((r) => r.id === second?.id && r.status === 204, 10000);
    await eventually(
      async () => ((await stored(only?.id as string))?.['status'] === 'failed' ? true : undefined),
      10000,
    );
    const endedBy = Date.now();

    const auth = { Authorization: `Bearer ${E2E_WEBHOOK_TOKEN}` };
    const listed = async () =>
      (await api.http().get('/api/google-calendar/deliveries?status=failed').set(auth)).body.data.items.map(
        (d: { id: string }) => d.id,
      );
    expect(await listed()).toEqual([id, only?.id]);
    const worker = api.app.get(DeliveryWorker);
    expect(await worker.pruneArchive(new Date(endedBy + 6 * DAY_MS))).toBe(0);
    expect(await listed()).toEqual([id, only?.id]);

    expect(await worker.pruneArchive(new Date(endedBy + 8 * DAY_MS))).toBeGreaterThanOrEqual(1);
    expect(await stored(id)).toBeNull();
    expect((await api.http().post(`/api/google-calendar/deliveries/${id}/retry`).set(auth)).status).toBe(404);
    expect(await listed()).toEqual([only?.id]);
    // The next change of that calendar still follows its last sequence.
    expect(
      (await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(4)]))[0]?.sequence,
    ).toBe(3);

    // A stream's latest is kept (its position is the floor of the next), yet once past the
    // retention it is listed and retried no more.
    await mongo
      .db()
      .collection<{ _id: string }>('deliveries')
      .updateOne({ _id: only?.id as string }, { $set: { failedAt: new Date(endedBy - 8 * DAY_MS) } });
    expect(await listed()).toEqual([]);
    expect((await api.http().post(`/api/google-calendar/deliveries/${only?.id}/retry`).set(auth)).status).toBe(404);
    receiver.heal();
    const [next] = await service().enqueueEventChanges({ calendarId: lonely, subaccountId }, 'g@x.com', [event(5)]);
    expect(next?.sequence).toBe(2);
    await receiver.waitFor((r) => r.id === next?.id && r.status === 204);
  });

  it('writes an attempt only over the delivery as it was read: a writer that is behind changes nothing', async () => {
    await start();
    // Nothing is sent here: this test plays the worker.
    await api.app.get(DeliveryWorker).onApplicationShutdown();
    const calendarId = newCalendarId();
    const [d] = await service().enqueueEventChanges({ calendarId, subaccountId: newSubaccountId() }, 'g@x.com', [
      event(1),
    ]);
    const repository = api.app.get(DeliveryRepository);
    const [read] = await repository.heads(`events:${calendarId}:g@x.com`, 1);
    expect(read).toMatchObject({ _id: d?.id, attempts: 0 });
    const at = new Date();
    const retryAt = new Date(at.getTime() + 60_000);
    // Two holders read the same attempt count (one lost its claim): only the first write counts.
    expect(await repository.scheduleRetry(read as Delivery, at, retryAt, 'HTTP 500', 500)).toBe(true);
    expect(await repository.markDelivered(read as Delivery, at, new Date(), 204)).toBe(false);
    expect(await repository.markFailed(read as Delivery, at, new Date(), 'HTTP 503', 503)).toBe(false);
    expect(await stored(d?.id as string)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      nextAttemptAt: retryAt,
    });
  });

  it('gives up after the retry window (failed, listed), lets the next one go, and retries it by the route', async () => {
    await start({ DELIVERY_RETRY_WINDOW_SECONDS: '1' });
    const subaccountId = newSubaccountId();
    const calendarId = newCalendarId();
    receiver.answer(500, { match: (p) => ofCalendar(calendarId)(p) && (p as EventsBody).data.sequence === 1 });
    const [first] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(1)]);
    const [second] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(2)]);
    const id = first?.id as string;

    const failed = await eventually(async () => {
      const doc = await stored(id);
      return doc?.['status'] === DeliveryStatus.Failed ? doc : undefined;
    }, 10000);
    const attemptsOfFirst = receiver.requests.filter((r) => r.id === id);
    expect(attemptsOfFirst.length).toBe(failed['attempts']);
    expect(attemptsOfFirst.length).toBeGreaterThanOrEqual(2);
    expect(attemptsOfFirst.every((r) => r.status === 500)).toBe(true);
    const window =
      (attemptsOfFirst.at(-1) as ReceivedWebhook).at.getTime() - (attemptsOfFirst[0] as ReceivedWebhook).at.getTime();
    expect(window).toBeGreaterThanOrEqual(900);
    expect(failed).toMatchObject({ lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: null });
    // Its follower waited until it was given up, then went out.
    const next = await receiver.waitFor((r) => r.id === second?.id && r.status === 204);
    expect(next.at.getTime()).toBeGreaterThanOrEqual((attemptsOfFirst.at(-1) as ReceivedWebhook).at.getTime());

    const auth = { Authorization: `Bearer ${E2E_WEBHOOK_TOKEN}` };
    const list = await api.http().get('/api/google-calendar/deliveries?status=failed').set(auth);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual({
      items: [
        expect.objectContaining({
          id,
          status: 'failed',
          type: 'calendar.events.changed',
          calendarId,
          subaccountId,
          googleCalendarId: 'g@x.com',
          sequence: 1,
          lastStatusCode: 500,
        }),
      ],
      nextCursor: null,
    });

    receiver.heal();
    const retried = await api.http().post(`/api/google-calendar/deliveries/${id}/retry`).set(auth);
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ id, status: expect.stringMatching(/^(pending|delivered)$/) });
    const landed = await receiver.waitFor((r) => r.id === id && r.status === 204);
    expect(bodyOf(landed).data.sequence).toBe(1);
    await eventually(async () => ((await stored(id))?.['status'] === 'delivered' ? true : undefined));

    const again = await api.http().post(`/api/google-calendar/deliveries/${id}/retry`).set(auth);
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_DELIVERED']);
    const unknown = await api
      .http()
      .post('/api/google-calendar/deliveries/msg_00000000000000000000000000/retry')
      .set(auth);
    expect(unknown.status).toBe(404);
    expect((await api.http().post('/api/google-calendar/deliveries/nope/retry').set(auth)).status).toBe(400);
    expect((await api.http().post(`/api/google-calendar/deliveries/${id}/retry`)).status).toBe(401);
    expect((await api.http().get('/api/google-calendar/deliveries?status=delivered').set(auth)).status).toBe(400);
    const empty = await api.http().get('/api/google-calendar/deliveries?status=failed').set(auth);
    expect(empty.body.data).toEqual({ items: [], nextCursor: null });
  });

  it('retries a delivery the platform did not answer (timeout) with the same webhook-id', async () => {
    await start({ OUTBOUND_TIMEOUT_MS: '500' });
    const calendarId = newCalendarId();
    receiver.answer('hang', { times: 1 });
    const [d] = await service().enqueueEventChanges({ calendarId, subaccountId: newSubaccountId() }, 'g@x.com', [
      event(1),
    ]);
    await receiver.waitFor((r) => r.id === d?.id && r.status === 204, 10000);
    expect(receiver.requests.filter((r) => r.id === d?.id).map((r) => r.status)).toEqual([0, 204]);
    const doc = await eventually(async () => {
      const found = await stored(d?.id as string);
      return found?.['status'] === 'delivered' ? found : undefined;
    });
    expect(doc).toMatchObject({ attempts: 2, lastStatusCode: 204 });
  });

  it('lists pending deliveries in pages', async () => {
    await start();
    const subaccountId = newSubaccountId();
    const calendarId = newCalendarId();
    receiver.answer(500);
    const ids: string[] = [];
    for (let i = 1; i <= 3; i += 1) {
      const [d] = await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(i)]);
      ids.push(d?.id as string);
    }
    const auth = { Authorization: `Bearer ${E2E_WEBHOOK_TOKEN}` };
    const page1 = await api.http().get('/api/google-calendar/deliveries?status=pending&limit=2').set(auth);
    expect(page1.status).toBe(200);
    expect(page1.body.data.items.map((d: { id: string }) => d.id)).toEqual(ids.slice(0, 2));
    expect(page1.body.data.nextCursor).toBe(ids[1]);
    const page2 = await api
      .http()
      .get(`/api/google-calendar/deliveries?status=pending&limit=2&after=${page1.body.data.nextCursor}`)
      .set(auth);
    expect(page2.body.data).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    expect((await api.http().get('/api/google-calendar/deliveries?status=pending&limit=101').set(auth)).status).toBe(
      400,
    );
  });

  it('stores and sends nothing without PLATFORM_WEBHOOK_URL', async () => {
    await start({ PLATFORM_WEBHOOK_URL: undefined, PLATFORM_WEBHOOK_SECRET: undefined });
    const calendarId = newCalendarId();
    const subaccountId = newSubaccountId();
    expect(await service().enqueueEventChanges({ calendarId, subaccountId }, 'g@x.com', [event(1)])).toEqual([]);
    expect(
      await service().enqueueStatusChanged({ calendarId, subaccountId, status: 'connected', previousStatus: null }),
    ).toBeNull();
    expect(await mongo.db().collection('deliveries').countDocuments({})).toBe(0);
    expect(receiver.requests).toEqual([]);
  });

  it.each([
    ['a URL without a secret', { PLATFORM_WEBHOOK_SECRET: undefined }, 'PLATFORM_WEBHOOK_SECRET'],
    [
      'a secret without the whsec_ prefix',
      { PLATFORM_WEBHOOK_SECRET: randomBytes(32).toString('base64') },
      'PLATFORM_WEBHOOK_SECRET',
    ],
    [
      'a secret of 16 bytes',
      { PLATFORM_WEBHOOK_SECRET: `whsec_${randomBytes(16).toString('base64')}` },
      'PLATFORM_WEBHOOK_SECRET',
    ],
    [
      'a secret of 65 bytes',
      { PLATFORM_WEBHOOK_SECRET: `whsec_${randomBytes(65).toString('base64')}` },
      'PLATFORM_WEBHOOK_SECRET',
    ],
    [
      'a secret that is not base64',
      { PLATFORM_WEBHOOK_SECRET: 'whsec_not*base64*at*all*0123456789abcdef' },
      'PLATFORM_WEBHOOK_SECRET',
    ],
    ['a URL that is not one', { PLATFORM_WEBHOOK_URL: 'not a url' }, 'PLATFORM_WEBHOOK_URL'],
  ])('refuses to start with %s, naming the variable', async (_case, overrides, variable) => {
    const attempt = startWebhookApi({
      SMTP_URL: 'smtp://127.0.0.1:9',
      PLATFORM_WEBHOOK_URL: 'http://127.0.0.1:9/webhooks',
      PLATFORM_WEBHOOK_SECRET: secret,
      ...overrides,
    });
    // A start that wrongly succeeds is closed, so the failure is reported instead of a hang.
    const outcome = await attempt.then(
      async (app) => {
        await app.close();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(new RegExp(`Invalid configuration:[\\s\\S]*${variable} `));
  });

  it('starts with a valid secret of 24 and of 64 bytes', async () => {
    for (const size of [24, 64]) {
      const app = await startWebhookApi({
        SMTP_URL: 'smtp://127.0.0.1:9',
        PLATFORM_WEBHOOK_URL: 'http://127.0.0.1:9/webhooks',
        PLATFORM_WEBHOOK_SECRET: `whsec_${randomBytes(size).toString('base64')}`,
      });
      extraApps.push(app);
    }
  });
});
