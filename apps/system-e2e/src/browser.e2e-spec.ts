import { launchChromium, newSubaccountId } from '@connector-service/testing';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { Stack, eventually } from './support/stack';

const root = join(__dirname, '../../..');
const ARTIFACTS = join(root, 'dist/test-artifacts/browser');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What one page did on the network and in its console; kept in browser-log.json for diagnosis. */
interface PageLog {
  test: string;
  requests: { url: string; status?: number; failure?: string }[];
  console: string[];
  pageErrors: string[];
}

/**
 * A real browser (Debian's Chromium, driven by playwright-core) against the running
 * system: Swagger UI of both apps, and a person's way through the e-mailed consent link.
 * Screenshots are kept in dist/test-artifacts/browser.
 */
describe('in a real browser (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: PageLog;
  const logs: PageLog[] = [];

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    // Playwright gives the browser a fresh temporary profile (--user-data-dir) and removes it on close.
    // Both start at once; each is kept as soon as it is up so afterAll can stop it if the other fails.
    await Promise.all([
      Stack.start().then((started) => (stack = started)),
      launchChromium().then((launched) => (browser = launched)),
    ]);
  }, 300000);

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15000);
    page = await context.newPage();
    log = { test: expect.getState().currentTestName ?? '', requests: [], console: [], pageErrors: [] };
    logs.push(log);
    const entry = log;
    page.on('response', (response) => entry.requests.push({ url: response.url(), status: response.status() }));
    page.on('requestfailed', (request) =>
      entry.requests.push({ url: request.url(), failure: request.failure()?.errorText ?? 'failed' }),
    );
    page.on('console', (message) =>
      entry.console.push(`${message.type()}: ${message.text()} (${message.location().url})`),
    );
    page.on('pageerror', (error) => entry.pageErrors.push(error.message));
  });
  afterEach(() => context?.close());

  afterAll(async () => {
    writeFileSync(join(ARTIFACTS, 'browser-log.json'), `${JSON.stringify(logs, null, 2)}\n`);
    await browser?.close();
    await stack?.stop();
  });

  /** A full-page screenshot kept as an artifact; asserts it was written as a non-empty PNG. */
  async function screenshot(name: string): Promise<void> {
    const path = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(1000);
    expect(readFileSync(path).subarray(0, PNG_SIGNATURE.length)).toEqual(PNG_SIGNATURE);
  }

  it.each([
    [
      'database-api',
      () => stack.databaseApi.url,
      ['/api/connectors/{subaccountId}', '/api/connectors/{subaccountId}/handlegooglecalendar'],
    ],
    [
      'webhook-api',
      () => stack.webhookApi.url,
      ['/api/google-calendar/connect', '/api/google-calendar/connections/{calendarId}'],
    ],
  ])('renders Swagger UI of %s with its routes', async (name, url, paths) => {
    const origin = url();
    await page.goto(`${origin}/api/docs`);
    await page.locator('.opblock').first().waitFor();
    await expect(page.locator('.info .title').innerText()).resolves.toContain(name);
    const rendered = await page.locator('.opblock .opblock-summary-path').allInnerTexts();
    // Swagger UI puts zero-width spaces after the slashes so long paths can wrap.
    const normalized = rendered.map((text) => text.replace(/\u200b/g, '').trim());
    expect(normalized).toEqual(expect.arrayContaining(paths));
    await page.waitForLoadState('networkidle');
    await screenshot(`swagger-${name}`);

    // Everything came from the app itself (works offline), and all of it loaded.
    expect(log.requests.length).toBeGreaterThan(3);
    expect(log.requests.filter((r) => !r.url.startsWith(`${origin}/`))).toEqual([]);
    expect(log.requests.filter((r) => r.failure !== undefined || (r.status ?? 0) >= 400)).toEqual([]);
    expect(log.pageErrors).toEqual([]);
  });

  /** Adds the connector, asks handlegooglecalendar, and returns the link of the e-mail. */
  async function emailedLink(subaccountId: string, userEmail: string): Promise<string> {
    const created = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, {
      connectorId: 'google-calendar',
    });
    expect(created.status).toBe(201);
    const answer = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail,
    });
    expect(answer.status).toBe(200);
    const mail = await stack.smtp.waitForMessage((m) => m.to.includes(userEmail));
    const link = /https?:\/\/\S+/.exec(mail.text)?.[0];
    expect(link).toBe(answer.body.data.authUrl);
    return link as string;
  }

  /** Opens the e-mailed link with the sandbox's consent page shown (no auto-consent). */
  async function openConsentPage(link: string, userEmail: string): Promise<void> {
    await page.goto(link);
    await page.locator('#allow').waitFor();
    expect(page.url().startsWith(`${stack.google.endpoints.authUrl}?`)).toBe(true);
    await expect(page.locator('h1').innerText()).resolves.toBe('Sign in with Google');
    await expect(page.locator(`input[name="account"][value="${userEmail}"]`).isChecked()).resolves.toBe(true);
  }

  it('follows the e-mailed link, clicks Allow on the consent page, and the connector is connected', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = 'browser.user@example.com';
    const link = await emailedLink(subaccountId, userEmail);
    stack.google.setAutoConsent(false);
    try {
      await openConsentPage(link, userEmail);
      await screenshot('connect-1-consent-page');
      await page.click('#allow');
      await page.locator('#result[data-result="success"]').waitFor();
      expect(page.url().startsWith(`${stack.webhookApi.url}/api/google-calendar/callback?`)).toBe(true);
      await expect(page.locator('#result').innerText()).resolves.toBe('Google Calendar connected');
      await expect(page.locator('body').innerText()).resolves.toContain(userEmail);
      await screenshot('connect-2-success-page');
    } finally {
      stack.google.setAutoConsent(true);
    }
    const metadata = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['isConnected'] === true ? m : undefined;
    });
    expect(metadata).toMatchObject({ status: 'connected', userEmail, googleEmail: userEmail });
  });

  it('shows the failure page with access_denied when the person clicks Deny', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = 'says.no@example.com';
    const link = await emailedLink(subaccountId, userEmail);
    stack.google.setAutoConsent(false);
    try {
      await openConsentPage(link, userEmail);
      await page.click('#deny');
      await page.locator('#result[data-result="failure"]').waitFor();
      await expect(page.locator('#result').innerText()).resolves.toBe('Google Calendar not connected');
      await expect(page.locator('#reason').innerText()).resolves.toBe('access_denied');
      await screenshot('deny-failure-page');
    } finally {
      stack.google.setAutoConsent(true);
    }
    expect(await stack.metadata(subaccountId)).toEqual({});
  });
});
