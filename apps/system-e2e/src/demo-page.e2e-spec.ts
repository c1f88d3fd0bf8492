/// <reference lib="dom" />
// The DOM types: page.evaluate callbacks run in the browser.
import {
  EventsChangedDelivery,
  StatusChangedDelivery,
  getFreePort,
  launchChromium,
  newSubaccountId,
} from '@connector-service/testing';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, ConsoleMessage, Locator, Page } from 'playwright-core';
// What `npm start` runs (tools/ is no project of its own): the demo page and the local platform receiver.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { DemoPage, startDemoPage } from '../../../tools/dev/demo-page';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { PlatformReceiver, VerifiedDelivery, startPlatformReceiver } from '../../../tools/dev/platform-receiver';
import { JsonBody, Stack, eventually } from './support/stack';

const root = join(__dirname, '../../..');
const ARTIFACTS = join(root, 'dist/test-artifacts/browser');
/**
 * The screenshot the README shows: refreshed by a booking test that passed, only when asked
 * (`UPDATE_README_SCREENSHOT=1`), so a test run never changes a committed file.
 */
const README_SCREENSHOT = join(root, 'docs/demo-page.png');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The browser's zone: slots are named by their local start time in it. */
const TIME_ZONE = 'Europe/Berlin';
/** A push, a sync and a delivery, on a busy 2-core machine. */
const WEBHOOK_TIMEOUT_MS = 20_000;

/** What the pages of one test did; kept in demo-page-log.json for diagnosis. */
interface PageLog {
  test: string;
  requests: { url: string; status?: number; failure?: string }[];
  console: string[];
  consoleErrors: { text: string; url: string }[];
  pageErrors: string[];
  /** Main-frame navigations of the demo page after it first loaded (a reload would be one). */
  navigations: string[];
}

/**
 * The demo page of `npm start` (tools/dev/demo-page.ts) in a real browser (Debian's Chromium,
 * driven by playwright-core) against the running system: the SPA kit's elements connect a
 * fresh subaccount through the sandbox's consent page in a popup, book a slot with a Meet link
 * (by mouse and by keyboard alone), and the page's panel shows the signed webhook of that
 * booking, which the sandbox pushed, webhook-api synced and delivered to the local platform
 * receiver (verified with standardwebhooks), streamed to the page as Server-Sent Events.
 */
describe('the demo page in a real browser (Chromium)', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const webhooksDir = mkdtempSync(join(tmpdir(), 'demo-page-webhooks-'));
  let stack: Stack;
  let receiver: PlatformReceiver;
  let browser: Browser;
  let demoPort: number;
  let demoOrigin: string;
  /** Every verified delivery the receiver took, as the page's server was told of them. */
  const delivered: VerifiedDelivery[] = [];
  const logs: PageLog[] = [];

  let context: BrowserContext | undefined;
  let demo: DemoPage | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    receiver = await startPlatformReceiver({ port: 0, secret, dir: webhooksDir, log: () => undefined });
    receiver.onDelivery((delivery) => delivered.push(delivery));
    // The page's origin is fixed before database-api starts: its CORS_ORIGINS lists it (and only it).
    demoPort = await getFreePort();
    demoOrigin = `http://localhost:${demoPort}`;
    await Promise.all([
      Stack.start({
        googlePush: true,
        databaseEnv: { CORS_ORIGINS: demoOrigin },
        webhookEnv: {
          PLATFORM_WEBHOOK_URL: receiver.url,
          PLATFORM_WEBHOOK_SECRET: secret,
          DELIVERY_POLL_INTERVAL_MS: '100',
          DELIVERY_RETRY_BASE_MS: '200',
        },
      }).then((started) => (stack = started)),
      launchChromium().then((launched) => (browser = launched)),
    ]);
  }, 300000);

  afterEach(async () => {
    await context?.close();
    context = undefined;
    await demo?.close();
    demo = undefined;
    stack?.google.setAutoConsent(true);
  });

  afterAll(async () => {
    writeFileSync(join(ARTIFACTS, 'demo-page-log.json'), `${JSON.stringify(logs, null, 2)}\n`);
    await browser?.close();
    await stack?.stop();
    await receiver?.close();
    rmSync(webhooksDir, { recursive: true, force: true });
  });

  /** The demo page for `subaccountId` (its JWT), on the origin database-api allows, opened in a fresh browser context. */
  async function openDemo(subaccountId: string): Promise<{ page: Page; log: PageLog }> {
    demo = await startDemoPage({
      port: demoPort,
      databaseApiUrl: stack.databaseApi.url,
      token: stack.userToken([subaccountId]),
      subaccountId,
      webhooks: { receiver },
    });
    expect(demo.url).toBe(demoOrigin);
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, timezoneId: TIME_ZONE });
    context.setDefaultTimeout(15000);
    const log = newPageLog();
    // Every page of the context: the demo page and the consent popup.
    context.on('page', (opened) => watch(opened, log));
    const page = await context.newPage();
    await page.goto(`${demoOrigin}/`);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) log.navigations.push(frame.url());
    });
    return { page, log };
  }

  function watch(page: Page, log: PageLog): void {
    page.on('response', (response) => log.requests.push({ url: response.url(), status: response.status() }));
    page.on('requestfailed', (request) =>
      log.requests.push({ url: request.url(), failure: request.failure()?.errorText ?? 'failed' }),
    );
    page.on('console', (message: ConsoleMessage) => {
      const line = `${message.type()}: ${message.text()} (${message.location().url})`;
      log.console.push(line);
      if (message.type() === 'error') log.consoleErrors.push({ text: message.text(), url: message.location().url });
    });
    page.on('pageerror', (error) => log.pageErrors.push(error.message));
  }

  /**
   * (d): no script error and no console error in any page of the test (the demo page and the
   * consent popup), and the demo page was never reloaded. Chromium logs every answer >= 400 as a
   * console error ("Failed to load resource"); one such answer is no one's error and is let
   * through, by URL only: the favicon Chromium asks of the popup's pages (the sandbox's and
   * webhook-api's, which name none).
   */
  /** A fresh log for the running test, kept in `logs` for browser-log.json. */
  function newPageLog(): PageLog {
    const log: PageLog = {
      test: expect.getState().currentTestName ?? '',
      requests: [],
      console: [],
      consoleErrors: [],
      pageErrors: [],
      navigations: [],
    };
    logs.push(log);
    return log;
  }

  function expectCleanRun(log: PageLog): void {
    expect(log.pageErrors).toEqual([]);
    const browsersOwn = (error: { text: string; url: string }) =>
      error.text.startsWith('Failed to load resource:') &&
      new URL(error.url).pathname === '/favicon.ico' &&
      !error.url.startsWith(`${demoOrigin}/`);
    expect(log.consoleErrors.filter((error) => !browsersOwn(error))).toEqual([]);
    expect(log.navigations).toEqual([]);
  }

  /** A full-page screenshot kept as an artifact; asserts it was written as a non-empty PNG. */
  async function screenshot(page: Page, name: string): Promise<void> {
    const path = join(ARTIFACTS, `demo-page-${name}.png`);
    await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    expect(statSync(path).size).toBeGreaterThan(1000);
    expect(readFileSync(path).subarray(0, PNG_SIGNATURE.length)).toEqual(PNG_SIGNATURE);
  }

  /** Connected through the API (auto-consent), with its push channel open: a change from now on is delivered. */
  async function connectedSubaccount(
    prefix: string,
  ): Promise<{ subaccountId: string; email: string; calendarId: string }> {
    const subaccountId = newSubaccountId();
    const email = `${prefix}-${subaccountId.slice(0, 8)}@example.com`;
    const metadata = await stack.connect(subaccountId, email);
    const calendarId = String(metadata['calendarId']);
    await eventually(async () => stack.google.channels(email).length === 1);
    await eventually(async () => statusDelivery(calendarId) !== undefined);
    return { subaccountId, email, calendarId };
  }

  function statusDelivery(calendarId: string): VerifiedDelivery | undefined {
    return delivered.find((d) => {
      const payload = d.payload as StatusChangedDelivery;
      return payload.type === 'connection.status_changed' && payload.data.calendarId === calendarId;
    });
  }

  /** The verified calendar.events.changed delivery that carries `eventId`. */
  function eventDelivery(calendarId: string, eventId: string): VerifiedDelivery | undefined {
    return delivered.find((d) => {
      const payload = d.payload as EventsChangedDelivery;
      return (
        payload.type === 'calendar.events.changed' &&
        payload.data.calendarId === calendarId &&
        payload.data.events.some((e) => e.id === eventId)
      );
    });
  }

  /** The panel's entry of one verified delivery (by its webhook-id). */
  function panelEntry(page: Page, delivery: VerifiedDelivery): Locator {
    return page.locator(`#webhooks > li[data-webhook-id="${delivery.id ?? ''}"]`).first();
  }

  /** Resolves with the event of `slot-picker-booked` (its detail's `event`) once the picker booked. */
  async function bookedDetail(page: Page): Promise<() => Promise<JsonBody>> {
    await page.evaluate(() => {
      const w = window as unknown as { bookedEvents: unknown[] };
      w.bookedEvents = [];
      // It bubbles out of the picker (composed), which the page adds once the calendar is connected.
      document.addEventListener('slot-picker-booked', (event) => w.bookedEvents.push((event as CustomEvent).detail));
    });
    return async () => {
      await page.waitForFunction(() => (window as unknown as { bookedEvents: unknown[] }).bookedEvents.length > 0);
      const details = await page.evaluate(() => (window as unknown as { bookedEvents: unknown[] }).bookedEvents);
      expect(details).toEqual([{ event: expect.any(Object), replayed: false }]);
      return (details[0] as JsonBody).event;
    };
  }

  /** The slot buttons: each named by its local start time ("09:30"). */
  function slotButtons(page: Page): Locator {
    return page.locator('calendar-slot-picker').getByRole('button', { name: /\b\d{2}:\d{2}\b/ });
  }

  /**
   * The booked event is real (read back through the API, at the chosen time, with its Meet link),
   * shown by the picker with that link, and its webhook reaches the panel live.
   */
  async function expectBookedAndDelivered(
    page: Page,
    booking: { subaccountId: string; calendarId: string; slotName: string; booked: JsonBody },
  ): Promise<void> {
    const { subaccountId, calendarId, booked } = booking;
    expect(booked).toMatchObject({ id: expect.any(String), meetLink: expect.stringMatching(/^https:\/\//) });
    const read = await stack.asUser(
      subaccountId,
      'GET',
      `/api/connectors/${subaccountId}/google-calendar/events/${encodeURIComponent(booked.id)}`,
    );
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: booked.id, status: 'confirmed', meetLink: booked.meetLink });
    const localStart = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(read.body.data.start.dateTime));
    expect(booking.slotName).toContain(localStart);

    // The picker shows the event with its Meet link.
    const link = page.locator('calendar-slot-picker').getByRole('link', { name: 'Join with Google Meet' });
    await expect(link.getAttribute('href')).resolves.toBe(booked.meetLink);

    // The sandbox pushes, webhook-api syncs and delivers; the page's panel shows that very delivery.
    const delivery = await eventually(async () => eventDelivery(calendarId, booked.id), WEBHOOK_TIMEOUT_MS);
    const entry = panelEntry(page, delivery);
    await entry.waitFor({ timeout: WEBHOOK_TIMEOUT_MS });
    await expect(entry.getAttribute('data-type')).resolves.toBe('calendar.events.changed');
    await expect(entry.getAttribute('data-calendar-id')).resolves.toBe(calendarId);
    const text = await entry.innerText();
    const payload = delivery.payload as EventsChangedDelivery;
    expect(text).toContain(`sequence ${payload.data.sequence}`);
    expect(text).toContain(`“${String(read.body.data.summary)}”`);
    expect(text).toContain('confirmed');
    // Newest first: nothing the receiver took after it is listed below it.
    const firstId = await page.locator('#webhooks > li').first().getAttribute('data-webhook-id');
    const newer = delivered.slice(delivered.indexOf(delivery) + 1).map((d) => d.id);
    expect([delivery.id, ...newer]).toContain(firstId);
  }

  it('serves the page with its CSP, the elements as JavaScript, and the webhooks as an event stream; only on a loopback host', async () => {
    demo = await startDemoPage({
      port: demoPort,
      databaseApiUrl: stack.databaseApi.url,
      token: stack.userToken([newSubaccountId()]),
      subaccountId: newSubaccountId(),
      webhooks: { receiver },
    });
    const page = await fetch(`${demo.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${stack.databaseApi.url}`);
    expect(csp).toContain("default-src 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/ui-elements.js"></script>');
    expect(html).not.toContain('{{config}}');

    const bundle = await fetch(`${demo.url}/ui-elements.js`);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await bundle.text();
    expect(code).toContain('calendar-connect');
    expect(code).toContain('calendar-slot-picker');

    const events = await fetch(`${demo.url}/events`);
    expect(events.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await events.body?.cancel();

    // A name that is not loopback (as DNS rebinding would send) gets nothing, the JWT least of all.
    const rebound = await getWithHost(demoPort, `attacker.example:${demoPort}`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('eyJ');
    await expect(getWithHost(demoPort, `127.0.0.1:${demoPort}`)).resolves.toMatchObject({ status: 200 });
    expect((await fetch(`${demo.url}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${demo.url}/nothing-here`)).status).toBe(404);
  });

  it('connects a fresh subaccount: adds the connector, consent in a popup, "Connected" with the Google account without a reload', async () => {
    const subaccountId = newSubaccountId();
    const email = `demo-connect-${subaccountId.slice(0, 8)}@example.com`;
    stack.google.setAutoConsent(false);
    const { page, log } = await openDemo(subaccountId);
    const connect = page.locator('calendar-connect');
    const button = connect.getByRole('button', { name: 'Connect Google Calendar' });
    await button.waitFor();
    // The element added the missing connector.
    const connector = await stack.asUser(subaccountId, 'GET', `/api/connectors/${subaccountId}/google-calendar`);
    expect(connector.status).toBe(200);
    expect(connector.body.data).toMatchObject({ connectorId: 'google-calendar', metadata: {} });
    await screenshot(page, 'connect-1-not-connected');

    await connect.getByLabel('Your e-mail address').fill(email);
    const [popup] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
    await popup.locator('#allow').waitFor();
    expect(popup.url().startsWith(`${stack.google.endpoints.authUrl}?`)).toBe(true);
    await expect(popup.locator('h1').innerText()).resolves.toBe('Sign in with Google');
    // The e-mail given is Google's login hint: the sandbox offers that account, chosen.
    const googleEmail = email;
    await expect(popup.locator(`input[name="account"][value="${googleEmail}"]`).isChecked()).resolves.toBe(true);
    await popup.screenshot({ path: join(ARTIFACTS, 'demo-page-connect-2-consent-popup.png') });
    await popup.locator('#allow').click();
    await popup.locator('#result[data-result="success"]').waitFor();

    // The demo page learns it by itself, without a reload.
    await connect.getByRole('status').getByText(`Connected as ${googleEmail}`).waitFor();
    await connect.getByRole('button', { name: 'Disconnect' }).waitFor();
    await expect(connect.getByRole('button', { name: 'Connect Google Calendar' }).count()).resolves.toBe(0);
    const metadata = await stack.metadata(subaccountId);
    expect(metadata).toMatchObject({ isConnected: true, status: 'connected', googleEmail });

    // connection.status_changed of this connection reaches the panel live.
    const calendarId = String(metadata['calendarId']);
    const delivery = await eventually(async () => statusDelivery(calendarId), WEBHOOK_TIMEOUT_MS);
    const entry = panelEntry(page, delivery);
    await entry.waitFor({ timeout: WEBHOOK_TIMEOUT_MS });
    await expect(entry.innerText()).resolves.toContain('status connected');
    // Connected, the page shows the slot picker with the coming week's slots.
    await slotButtons(page).first().waitFor();
    await screenshot(page, 'connect-3-connected');
    // The connector was missing, and the element learned it from the subaccount's list (no 404 logged).
    expectCleanRun(log);
  });

  it('books a slot with a Google Meet link by mouse; the booking and its webhook show up live', async () => {
    const { subaccountId, calendarId } = await connectedSubaccount('demo-book');
    const { page, log } = await openDemo(subaccountId);
    await page.locator('calendar-connect').getByRole('status').getByText('Connected as ').waitFor();
    const booked = await bookedDetail(page);
    const slot = slotButtons(page).first();
    await slot.waitFor();
    expect(await slotButtons(page).count()).toBeGreaterThan(1);
    const slotName = (await slot.innerText()).trim();
    await slot.click();
    const meet = page.locator('calendar-slot-picker').getByRole('checkbox', { name: 'Add a Google Meet link' });
    await meet.check();
    await page.locator('calendar-slot-picker').getByRole('button', { name: 'Book' }).click();
    const event = await booked();
    expect(event.summary).toEqual(expect.any(String));
    await expectBookedAndDelivered(page, { subaccountId, calendarId, slotName, booked: event });
    await screenshot(page, 'book-by-mouse');
    expectCleanRun(log);
    // Everything above held: this is the picture the README shows (the first screenful, animations settled).
    const shot = join(ARTIFACTS, 'demo-page-readme.png');
    await page.setViewportSize({ width: 1280, height: 1160 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, animations: 'disabled' });
    if (process.env['UPDATE_README_SCREENSHOT'] === '1') copyFileSync(shot, README_SCREENSHOT);
  });

  it('books a slot with a Google Meet link by keyboard alone (Tab, Enter, Space)', async () => {
    const { subaccountId, calendarId } = await connectedSubaccount('demo-keys');
    const { page, log } = await openDemo(subaccountId);
    const booked = await bookedDetail(page);
    await slotButtons(page).first().waitFor();

    /** The focused element, looked up through shadow roots, with its accessible-ish name. */
    const focused = () =>
      page.evaluate(() => {
        let element = document.activeElement;
        while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
        if (element === null) return { tag: '', name: '', checked: false };
        const labels = element instanceof HTMLInputElement ? [...(element.labels ?? [])] : [];
        const name =
          element.getAttribute('aria-label') ??
          (labels.length > 0 ? labels.map((label) => label.textContent ?? '').join(' ') : (element.textContent ?? ''));
        return {
          tag: element.tagName.toLowerCase(),
          name: name.replace(/\s+/g, ' ').trim(),
          checked: element instanceof HTMLInputElement && element.checked,
        };
      });
    /** Presses Tab until the focused element matches (at most 200 times). */
    async function tabTo(what: string, matches: (f: Awaited<ReturnType<typeof focused>>) => boolean) {
      for (let i = 0; i < 200; i += 1) {
        await page.keyboard.press('Tab');
        const now = await focused();
        if (matches(now)) return now;
      }
      throw new Error(`Tab never reached ${what}`);
    }

    // In the page's order: the Meet checkbox (above the slots), a slot, then Book (below the chosen slot's day).
    const meet = await tabTo(
      'the Meet checkbox',
      (f) => f.tag === 'input' && f.name.includes('Add a Google Meet link'),
    );
    expect(meet.checked).toBe(false);
    await page.keyboard.press('Space');
    await expect(focused()).resolves.toMatchObject({ checked: true });
    const slot = await tabTo('a slot', (f) => f.tag === 'button' && /\b\d{2}:\d{2}\b/.test(f.name));
    await page.keyboard.press('Enter');
    await expect(focused()).resolves.toMatchObject({ name: slot.name });
    await tabTo('Book', (f) => f.tag === 'button' && f.name === 'Book');
    await page.keyboard.press('Enter');
    const event = await booked();
    await expectBookedAndDelivered(page, { subaccountId, calendarId, slotName: slot.name, booked: event });
    await screenshot(page, 'book-by-keyboard');
    expectCleanRun(log);
  });

  it('says where the webhooks go when they do not come to the local receiver (PLATFORM_WEBHOOK_URL set)', async () => {
    const subaccountId = newSubaccountId();
    demo = await startDemoPage({
      port: demoPort,
      databaseApiUrl: stack.databaseApi.url,
      token: stack.userToken([subaccountId]),
      subaccountId,
      webhooks: { elsewhere: 'https://platform.example/webhooks' },
    });
    expect((await fetch(`${demo.url}/events`)).status).toBe(404);
    context = await browser.newContext({ timezoneId: TIME_ZONE });
    const log = newPageLog();
    const page = await context.newPage();
    watch(page, log);
    await page.goto(`${demoOrigin}/`);
    await page.locator('calendar-connect').getByRole('button', { name: 'Connect Google Calendar' }).waitFor();
    await expect(page.locator('#webhooks-note').innerText()).resolves.toContain(
      'Webhooks go elsewhere: PLATFORM_WEBHOOK_URL is set (https://platform.example/webhooks)',
    );
    await expect(page.locator('#webhooks > li').count()).resolves.toBe(0);
    expect(log.requests.filter((r) => r.url.endsWith('/events'))).toEqual([]);
    expectCleanRun(log);
  });

  it("lets the demo page's origin call database-api (Authorization, Idempotency-Key), and no other origin", async () => {
    const subaccountId = newSubaccountId();
    const url = `${stack.databaseApi.url}/api/connectors/${subaccountId}/google-calendar/events`;
    const preflight = (origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
        },
      });
    const allowed = await preflight(demoOrigin);
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(demoOrigin);
    const allowedHeaders = (allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'idempotency-key', 'content-type']));
    expect(allowed.headers.get('access-control-allow-methods') ?? '').toContain('POST');

    for (const other of [`http://localhost:${demoPort + 1}`, `http://127.0.0.1:${demoPort}`, 'https://evil.example']) {
      const refused = await preflight(other);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }

    // And in the browser: the same call from the page's origin goes through, from another origin it is blocked.
    demo = await startDemoPage({
      port: demoPort,
      databaseApiUrl: stack.databaseApi.url,
      token: stack.userToken([subaccountId]),
      subaccountId,
      webhooks: { receiver },
    });
    context = await browser.newContext();
    const page = await context.newPage();
    const call = (token: string) =>
      page.evaluate(
        async ({ target, token: jwt }) => {
          try {
            const answer = await fetch(target, {
              headers: { Authorization: `Bearer ${jwt}`, 'Idempotency-Key': 'k-1' },
            });
            return `status ${answer.status}`;
          } catch (error) {
            return `blocked: ${(error as Error).name}`;
          }
        },
        { target: `${stack.databaseApi.url}/api/connectors/${subaccountId}`, token },
      );
    const token = stack.userToken([subaccountId]);
    await page.goto(`${demoOrigin}/`);
    await expect(call(token)).resolves.toBe('status 200');
    await page.goto(`http://127.0.0.1:${demoPort}/`);
    await expect(call(token)).resolves.toBe('blocked: TypeError');
  });
});

/** GET / with a Host header of our choosing (fetch sets its own). */
function getWithHost(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
