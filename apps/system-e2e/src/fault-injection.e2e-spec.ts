import { newSubaccountId } from '@connector-service/testing';
import { MongoClient } from 'mongodb';
import { AppProcess } from './support/app-process';
import { Stack, eventually } from './support/stack';
import { setTimeout as sleep } from 'node:timers/promises';

const FLOWS = 100;
const RECONNECTS = 20;
const CONCURRENCY = 8;

/**
 * 100 complete connect flows (20 of them connecting a second Google account afterwards)
 * while database-api is SIGKILLed and restarted twice and webhook-api once. A user whose
 * request fails simply tries again, as a person would; the system must end consistent.
 */
describe('fault injection: connect flows while the apps are killed (system e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(() => stack?.stop());

  it('ends with every connector connected to the right calendarId, one connection each, newest values kept', async () => {
    const subaccounts = Array.from({ length: FLOWS }, () => newSubaccountId());
    let flowsDone = 0;
    const chaos = (async () => {
      const killAndRestart = async (app: AppProcess) => {
        await app.stop('SIGKILL');
        await sleep(400);
        await app.start();
      };
      const when = async (done: number) => {
        while (flowsDone < done) await sleep(20);
      };
      await when(10);
      await killAndRestart(stack.databaseApi);
      await when(35);
      await killAndRestart(stack.webhookApi);
      await when(60);
      await killAndRestart(stack.databaseApi);
    })();

    const expectedGoogleEmail = new Map<string, string>();
    await runPool(subaccounts, CONCURRENCY, async (subaccountId, index) => {
      await retrying(() => addConnector(subaccountId));
      const first = `first-${index}@example.com`;
      await connectOnce(subaccountId, first, first);
      expectedGoogleEmail.set(subaccountId, first);
      if (index < RECONNECTS) {
        const second = `second-${index}@gmail.test`;
        await connectOnce(subaccountId, first, second);
        expectedGoogleEmail.set(subaccountId, second);
      }
      flowsDone += 1;
    });
    await chaos;

    const mongo = await MongoClient.connect(stack.webhookMongoUri);
    const dbApi = await MongoClient.connect(stack.databaseMongoUri);
    try {
      const connections = mongo.db().collection('googlecalendarconnections');
      expect(await connections.countDocuments({ subaccountId: { $in: subaccounts } })).toBe(FLOWS);
      await eventually(
        async () => (await connections.countDocuments({ 'metadataUpdate.pending': true })) === 0,
        30000,
        250,
      );

      const connectors = dbApi.db().collection('connectorsubaccount');
      for (const subaccountId of subaccounts) {
        const connection = await connections.findOne({ subaccountId });
        const connector = await connectors.findOne({ subaccountId, connectorId: 'google-calendar' });
        expect(connector?.['metadata']).toMatchObject({
          calendarId: connection?._id.toHexString(),
          isConnected: true,
          status: 'connected',
          googleEmail: expectedGoogleEmail.get(subaccountId),
        });
        // The last update applied is the newest state: nothing older overwrote it.
        expect(connector?.['metadataVersion']).toBe(connection?.['stateVersion']);
      }
    } finally {
      await mongo.close();
      await dbApi.close();
    }
  }, 240000);

  async function addConnector(subaccountId: string): Promise<void> {
    const res = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, {
      connectorId: 'google-calendar',
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`add connector answered ${res.status}`);
  }

  /** One user's connect, retried from the start whenever a step fails (the link is then dead). */
  async function connectOnce(subaccountId: string, userEmail: string, googleEmail: string): Promise<void> {
    await retrying(async () => {
      const answer = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
        userEmail,
      });
      if (answer.status !== 200) throw new Error(`handlegooglecalendar answered ${answer.status}`);
      const authUrl = new URL(answer.body.data.authUrl);
      if (googleEmail !== userEmail) authUrl.searchParams.set('login_hint', googleEmail); // the user picks another account
      const callbackUrl = await stack.consent(authUrl.toString());
      const page = await stack.openCallback(callbackUrl);
      if (page.status !== 200) throw new Error(`callback answered ${page.status}`);
    });
  }
});

async function retrying<T>(step: () => Promise<T>, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(150);
    }
  }
}

async function runPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
