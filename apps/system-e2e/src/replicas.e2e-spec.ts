import {
  ReceivedWebhook,
  WebhookReceiver,
  eventSlot as slot,
  notificationOf,
  scrapeSeries,
  seriesSum,
  newSubaccountId,
} from '@connector-service/testing';
import { SandboxRequestLog } from '@connector-service/google-sandbox';
import { randomBytes } from 'node:crypto';
import { AppProcess } from './support/app-process';
import { Stack, eventually } from './support/stack';
import { setTimeout as sleep } from 'node:timers/promises';

// Three webhook-api replicas on one database, polling only (no GOOGLE_PUSH_URL): each due
// sync is done once, by whichever replica claims it, and a replica killed mid-load loses
// nothing and doubles nothing (CONTRACT.md, "Running at scale").

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const CALENDARS = 30;
const INTERVAL_S = 5;
const CLAIM_TTL_MS = 3000;
const WINDOW_MS = 20_000;
/** Phase 2: one change every CHANGE_EVERY_MS, round-robin over the calendars; the kill after KILL_AFTER of them. */
const CHANGES = 48;
const CHANGE_EVERY_MS = 250;
const KILL_AFTER = 16;
/** A change reaches the platform within one interval, a lapsed claim and its hidden row (2 × CLAIM_TTL_MS), and slack. */
const DELIVERY_BOUND_MS = INTERVAL_S * 1000 + 2 * CLAIM_TTL_MS + 8000;

const isListing = (r: SandboxRequestLog) =>
  r.method === 'GET' && /^\/calendar\/v3\/calendars\/[^/]+\/events$/.test(r.path);

/** Successful syncs a replica has counted (every kind). */
async function syncsOf(app: AppProcess): Promise<number> {
  return seriesSum(await scrapeSeries(app.url), 'calendar_syncs_total', { outcome: 'ok' });
}

/** Syncs that met another's work (a token saved meanwhile, a claim lost) or failed, by outcome. */
async function contendedOf(app: AppProcess): Promise<Record<string, number>> {
  const series = await scrapeSeries(app.url);
  return Object.fromEntries(
    ['superseded', 'claim_lost', 'failed'].map((outcome) => [
      outcome,
      seriesSum(series, 'calendar_syncs_total', { outcome }),
    ]),
  );
}

describe('three webhook-api replicas on one database (system e2e, polling)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  let replicas: AppProcess[];
  /** Google account e-mail → connection id (`calendarId`). */
  const calendars = new Map<string, string>();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(secret);
    stack = await Stack.start({
      webhookEnv: {
        PLATFORM_WEBHOOK_URL: receiver.url,
        PLATFORM_WEBHOOK_SECRET: secret,
        CALENDAR_SYNC_INTERVAL_SECONDS: String(INTERVAL_S),
        CLAIM_TTL_MS: String(CLAIM_TTL_MS),
        DELIVERY_POLL_INTERVAL_MS: '100',
        DELIVERY_RETRY_BASE_MS: '200',
      },
    });
    replicas = [stack.webhookApi, await stack.startWebhookReplica(), await stack.startWebhookReplica()];

    const emails = Array.from(
      { length: CALENDARS },
      (_, i) => `replicas-${i}-${randomBytes(3).toString('hex')}@example.com`,
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < emails.length) {
          const email = emails[next++] as string;
          // On a busy machine a consent link can time out at database-api (504): again, afresh.
          for (let attempt = 1; ; attempt++) {
            try {
              const metadata = await stack.connect(newSubaccountId(), email);
              calendars.set(email, String(metadata['calendarId']));
              break;
            } catch (error) {
              if (attempt === 3) throw error;
            }
          }
        }
      }),
    );
    // Every baseline taken (one listing answered per calendar).
    await eventually(
      async () => {
        const listed = new Set(
          stack.google.requests.filter((r) => isListing(r) && r.status === 200).map((r) => r.account),
        );
        return emails.every((email) => listed.has(email));
      },
      20_000,
      200,
    );
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('syncs each calendar once per due time, the syncs spread over all three replicas', async () => {
    const before = await Promise.all(replicas.map(syncsOf));
    const contendedBefore = await Promise.all(replicas.map(contendedOf));
    const from = stack.google.requests.length;
    const startedAt = Date.now();
    await sleep(WINDOW_MS);
    const windowMs = Date.now() - startedAt;
    const listings = stack.google.requests.slice(from).filter((r) => isListing(r) && calendars.has(r.account ?? ''));
    const perReplica = (await Promise.all(replicas.map(syncsOf))).map((n, i) => n - (before[i] as number));
    const contended = (await Promise.all(replicas.map(contendedOf))).map((after, i) =>
      Object.fromEntries(
        Object.entries(after)
          .map(([outcome, n]) => [outcome, n - ((contendedBefore[i] as Record<string, number>)[outcome] ?? 0)])
          .filter(([, n]) => n !== 0),
      ),
    );

    // No calendar listed twice for one due time: its listings at least half an interval apart.
    const gaps: { email: string; gapMs: number }[] = [];
    for (const email of calendars.keys()) {
      const times = listings.filter((r) => r.account === email).map((r) => r.at.getTime());
      for (let i = 1; i < times.length; i++)
        gaps.push({ email, gapMs: (times[i] as number) - (times[i - 1] as number) });
    }
    expect(gaps.filter((g) => g.gapMs < (INTERVAL_S * 1000) / 2)).toEqual([]);
    expect(listings.every((r) => r.status === 200)).toBe(true);

    // About one listing per calendar per interval.
    const expected = (CALENDARS * windowMs) / (INTERVAL_S * 1000);
    expect(listings.length).toBeGreaterThanOrEqual(Math.floor(expected * 0.7));
    expect(listings.length).toBeLessThanOrEqual(Math.ceil(expected * 1.3));

    // Every replica took a share, and the syncs they counted are the listings Google saw.
    const total = perReplica.reduce((a, b) => a + b, 0);
    for (const share of perReplica) expect(share).toBeGreaterThan(0);
    expect(Math.abs(total - listings.length)).toBeLessThanOrEqual(replicas.length * 3); // in flight (or counted late) at the edges
    expect(contended).toEqual([{}, {}, {}]);
  }, 60_000);

  it('loses nothing and doubles nothing when a replica is killed mid-load', async () => {
    const emails = [...calendars.keys()];
    /** `${eventId}|${updated}` (one change) → the webhook-ids of the deliveries that carried it. */
    const webhookIdsOf = new Map<string, Set<string>>();
    const firstDeliveredAt = new Map<string, number>();
    /** webhook-id → the delivery (its calendar and sequence), for every events delivery taken. */
    const deliveryOf = new Map<string, { calendarId: string; sequence: number; at: string }>();
    let indexed = 0;
    const index = (): void => {
      const delivered = receiver.delivered;
      for (; indexed < delivered.length; indexed++) {
        const r = delivered[indexed] as ReceivedWebhook;
        const payload = notificationOf(r);
        if (payload?.type !== 'calendar.events.changed') continue;
        const { calendarId, sequence } = payload.data;
        deliveryOf.set(r.id ?? '', { calendarId, sequence, at: r.at.toISOString() });
        for (const event of payload.data.events) {
          const key = `${event.id}|${event.updated ?? ''}`;
          webhookIdsOf.set(key, (webhookIdsOf.get(key) ?? new Set()).add(r.id ?? ''));
          if (!firstDeliveredAt.has(key)) firstDeliveredAt.set(key, r.at.getTime());
        }
      }
    };

    interface Change {
      email: string;
      key: string;
      madeAt: number;
    }
    const changes: Change[] = [];
    /** Per calendar, its events not cancelled and the key of each one's last change. */
    const live = new Map<string, { id: string; key: string }[]>(emails.map((email) => [email, []]));
    const killed = replicas[1] as AppProcess;
    let killedAt = 0;
    const startedAt = Date.now();

    for (let k = 0; k < CHANGES; k++) {
      const wait = startedAt + k * CHANGE_EVERY_MS - Date.now();
      if (wait > 0) await sleep(wait);
      if (k === KILL_AFTER) {
        killedAt = Date.now();
        await killed.kill();
      }
      const email = emails[k % emails.length] as string;
      const events = live.get(email) as { id: string; key: string }[];
      index();
      // Move or cancel only an event whose last change has arrived, so no two changes of one
      // event can be folded into one sync: each change below is owed a delivery of its own.
      const settled = events.findIndex((e) => webhookIdsOf.has(e.key));
      const hour = 8 + (k % 10);
      let key: string;
      if (k % 3 === 1 && settled >= 0) {
        const target = events[settled] as { id: string; key: string };
        const moved = stack.google.patchCalendarEvent(email, target.id, slot(hour + 1));
        key = `${moved.id}|${moved.updated}`;
        target.key = key;
      } else if (k % 3 === 2 && settled >= 0) {
        const [target] = events.splice(settled, 1) as [{ id: string; key: string }];
        stack.google.deleteCalendarEvent(email, target.id);
        // Google lists a deleted event without `updated`: its cancellation is delivered without one.
        key = `${target.id}|`;
      } else {
        const created = stack.google.addCalendarEvent(email, { summary: `Replicas ${k}`, ...slot(hour) });
        key = `${created.id}|${created.updated}`;
        events.push({ id: created.id, key });
      }
      changes.push({ email, key, madeAt: Date.now() });
    }

    // What has not arrived by then shows below as late, beside the other problems.
    await eventually(
      async () => {
        index();
        return changes.every((c) => webhookIdsOf.has(c.key));
      },
      DELIVERY_BOUND_MS + 10_000,
      200,
    ).catch(() => undefined);
    await sleep(1000); // anything doubled would arrive now
    index();

    expect(killedAt).toBeGreaterThan(0);
    expect(killed.running).toBe(false);
    // Every change delivered, each within the bound (those the killed replica owed too).
    const late = changes
      .map((c) => ({ ...c, afterMs: (firstDeliveredAt.get(c.key) as number) - c.madeAt }))
      .filter((c) => !(c.afterMs <= DELIVERY_BOUND_MS));
    // No change in two deliveries (a retry of one delivery keeps its webhook-id; these are two).
    const doubled = [...webhookIdsOf]
      .filter(([, ids]) => ids.size > 1)
      .map(([change, ids]) => ({ change, deliveries: [...ids].map((id) => deliveryOf.get(id)) }));
    // Per calendar: its deliveries (by webhook-id) numbered 1..n, no sequence under two ids.
    const sequenceProblems: { calendarId: string; sequences: number[] }[] = [];
    for (const calendarId of calendars.values()) {
      const sequences = [...deliveryOf.values()]
        .filter((d) => d.calendarId === calendarId)
        .map((d) => d.sequence)
        .sort((a, b) => a - b);
      if (sequences.some((sequence, i) => sequence !== i + 1)) sequenceProblems.push({ calendarId, sequences });
    }
    const problems = {
      late,
      doubled,
      sequenceProblems,
      unverified: receiver.requests.filter((r) => !r.verified).length,
    };
    if (doubled.length + sequenceProblems.length > 0) {
      // What the replicas said about those calendars (claims lost, failed syncs), for the report.
      const ids = [...doubled.map((d) => d.deliveries[0]?.calendarId), ...sequenceProblems.map((p) => p.calendarId)];
      const said = replicas.flatMap((app, i) =>
        app
          .logs()
          .split('\n')
          .filter((line) => ids.some((id) => id !== undefined && line.includes(id)))
          .map((line) => `replica ${i}: ${line}`),
      );
      console.warn(`killed replica 1 at ${new Date(killedAt).toISOString()}\n${said.join('\n')}`);
    }
    expect(problems).toEqual({ late: [], doubled: [], sequenceProblems: [], unverified: 0 });

    // The survivors carried on.
    for (const app of replicas.filter((r) => r !== killed)) expect(await syncsOf(app)).toBeGreaterThan(0);
  }, 60_000);
});
