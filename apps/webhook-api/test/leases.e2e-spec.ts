import { getFreePort } from '@connector-service/testing';
import { LeaseRepository } from '../src/leases/lease.repository';
import { WebhookApiUnderTest, startWebhookApi } from './support/webhook-api-app';

describe('LeaseRepository (e2e, real database)', () => {
  let api: WebhookApiUnderTest;
  let leases: LeaseRepository;

  beforeAll(async () => {
    api = await startWebhookApi({ SMTP_URL: `smtp://127.0.0.1:${await getFreePort()}` });
    leases = api.app.get(LeaseRepository);
  });
  afterAll(() => api.close());

  it('gives a lease to exactly one of many concurrent takers', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => `owner-${i}`);
    const taken = await Promise.all(owners.map((owner) => leases.tryAcquire('work:a', owner, 10_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    const holder = owners[taken.indexOf(true)];
    expect(await leases.tryAcquire('work:a', 'late-owner', 10_000)).toBe(false);
    await leases.release('work:a', 'late-owner'); // not the holder: changes nothing
    expect(await leases.tryAcquire('work:a', 'late-owner', 10_000)).toBe(false);
    await leases.release('work:a', holder);
    expect(await leases.tryAcquire('work:a', 'late-owner', 10_000)).toBe(true);
  });

  it('lets another owner take over a lease whose holder let it expire', async () => {
    expect(await leases.tryAcquire('work:b', 'crashed', 50)).toBe(true);
    expect(await leases.tryAcquire('work:b', 'survivor', 10_000)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await leases.tryAcquire('work:b', 'survivor', 10_000)).toBe(true);
    expect(await leases.tryAcquire('work:b', 'crashed', 50)).toBe(false);
  });
});
