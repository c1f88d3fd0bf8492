import { getFreePort } from '@connector-service/testing';
import { MongoClient } from 'mongodb';
import { Claim, ClaimLostError } from '../src/leases/claim';
import { LeaseRepository } from '../src/leases/lease.repository';
import { LeaseService } from '../src/leases/lease.service';
import { WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';
import { setTimeout as sleep } from 'node:timers/promises';

/** Short, so the work outlasts it several times; long enough that a loaded machine's pauses do not let it lapse. */
const CLAIM_TTL_MS = 3000;

describe('Leases and claims (e2e, real database)', () => {
  let api: WebhookApiUnderTest;
  let leases: LeaseRepository;
  let service: LeaseService;
  let mongo: MongoClient;

  beforeAll(async () => {
    api = await startWebhookApi({
      SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}`,
      CLAIM_TTL_MS: String(CLAIM_TTL_MS),
    });
    leases = api.app.get(LeaseRepository);
    service = api.app.get(LeaseService);
    mongo = await MongoClient.connect(api.mongoUri);
  });
  afterAll(async () => {
    await mongo.close();
    await api.close();
  });

  const leaseDocuments = () => mongo.db().collection<{ _id: string; token: string; until: Date }>('leases');

  it('gives a lease to exactly one of many concurrent takers, and only its own token releases it', async () => {
    const tokens = Array.from({ length: 8 }, (_, i) => `token-${i}`);
    const taken = await Promise.all(tokens.map((token) => leases.tryAcquire('work:a', token, 10_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    const holder = tokens[taken.indexOf(true)] as string;
    expect(await leases.tryAcquire('work:a', 'late', 10_000)).toBe(false);
    await leases.release('work:a', 'late'); // not the holder: changes nothing
    expect(await leases.renew('work:a', 'late', 10_000)).toBe(false);
    expect(await leases.tryAcquire('work:a', 'late', 10_000)).toBe(false);
    await leases.release('work:a', holder);
    expect(await leases.tryAcquire('work:a', 'late', 10_000)).toBe(true);
  });

  it('lets another taker take over a lease its holder let lapse; the old token then neither renews nor releases it', async () => {
    // Long enough that the second take comes before it lapses, on a loaded machine too.
    expect(await leases.tryAcquire('work:b', 'crashed', 1000)).toBe(true);
    expect(await leases.tryAcquire('work:b', 'survivor', 10_000)).toBe(false);
    await sleep(1100);
    expect(await leases.tryAcquire('work:b', 'survivor', 10_000)).toBe(true);
    expect(await leases.renew('work:b', 'crashed', 10_000)).toBe(false);
    await leases.release('work:b', 'crashed');
    expect(await leases.tryAcquire('work:b', 'third', 10_000)).toBe(false);
  });

  it('keeps work exclusive for as long as it runs, far past one lease duration, by renewing its claim', async () => {
    let intruders = 0;
    let others: Promise<void> | undefined;
    let stop = false;
    // Whether the holder's work is running: another work that runs meanwhile is an intruder
    // (one that gets the lease after the holder released it is not).
    let holding = false;
    const outcome = await service.runExclusive('work:long', async (claim) => {
      holding = true;
      others = (async () => {
        while (!stop) {
          await service.runExclusive('work:long', () => {
            if (holding) intruders += 1;
            return Promise.resolve();
          });
          await sleep(40);
        }
      })();
      await sleep(3 * CLAIM_TTL_MS);
      holding = false;
      return claim.held;
    });
    stop = true;
    await others;
    expect(outcome).toEqual({ ran: true, value: true });
    expect(intruders).toBe(0);
    // Released by its holder at the end: free at once.
    expect((await service.runExclusive('work:long', () => Promise.resolve('next'))).ran).toBe(true);
  });

  it('loses a claim that was taken over: held turns false, its signal aborts, assertHeld throws, and its release frees nothing', async () => {
    let seen: Claim | undefined;
    const running = service.runExclusive('work:stolen', async (claim) => {
      seen = claim;
      // Another acquisition takes the lease (as after a stall past its duration).
      await leaseDocuments().updateOne({ _id: 'work:stolen' }, { $set: { token: 'thief' } });
      await sleep(CLAIM_TTL_MS);
      return { held: claim.held, aborted: claim.signal.aborted };
    });
    expect(await running).toEqual({ ran: true, value: { held: false, aborted: true } });
    expect(() => seen?.assertHeld()).toThrow(ClaimLostError);
    expect(await leaseDocuments().findOne({ _id: 'work:stolen' })).toMatchObject({ token: 'thief' });
  });

  it('loses a claim whose lease lapsed before it was renewed (the process stalled)', async () => {
    const outcome = await service.runExclusive('work:stalled', (claim) => {
      const until = Date.now() + CLAIM_TTL_MS + 50;
      while (Date.now() < until) {
        // Busy: no timer (no renewal) can run meanwhile.
      }
      return Promise.resolve(claim.held);
    });
    expect(outcome).toEqual({ ran: true, value: false });
  });
});
