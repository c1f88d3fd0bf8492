import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { Stack, eventually, newSubaccountId } from './support/stack';

const root = join(__dirname, '../../..');
const ARTIFACTS = join(root, 'dist/test-artifacts/browser');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/**
 * A real browser (Debian's Chromium, driven by playwright-core) against the running
 * system: Swagger UI of both apps, and a person's way through the e-mailed consent link.
 * Screenshots are kept in dist/test-artifacts/browser.
 */
describe('in a real browser (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const executablePath = execFileSync('bash', [join(root, 'tools/browser/setup.sh')], { encoding: 'utf8' }).trim();
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await Stack.start();
    browser = await chromium.launch({
      executablePath,
      // The closed network refuses Chromium's own background connections; keep it quiet.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 300000);
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterEach(() => page?.close());
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function screenshot(name: string): Promise<void> {
    const path = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(1000);
    expect(readFileSync(path).subarray(0, 4)).toEqual(PNG_SIGNATURE);
  }

  it.each([
    ['database-api', () => stack.databaseApi.url, ['/api/connectors/{subaccountId}', '/api/connectors/{subaccountId}/handlegooglecalendar']],
    ['webhook-api', () => stack.webhookApi.url, ['/api/google-calendar/connect', '/api/google-calendar/connections/{calendarId}']],
  ])('renders Swagger UI of %s with its routes', async (name, url, paths) => {
    await page.goto(`${url()}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 15000 });
    const rendered = await page.locator('.opblock-summary-path').allInnerTexts();
    const normalized = rendered.map((text) => text.replace(/\u200b/g, '').trim());
    expect(normalized).toEqual(expect.arrayContaining(paths));
    await screenshot(`swagger-${name}`);
  });

  async function emailedLink(subaccountId: string, userEmail: string): Promise<string> {
    await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' });
    const answer = await stack.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, { userEmail });
    expect(answer.status).toBe(200);
    const mail = await stack.smtp.waitForMessage((m) => m.to.includes(userEmail));
    const link = /https?:\/\/\S+/.exec(mail.text)?.[0];
    expect(link).toBe(answer.body.data.authUrl);
    return link as string;
  }

  it('follows the e-mailed link, clicks Allow on the consent page, and the connector is connected', async () => {
    const subaccountId = newSubaccountId();
    const userEmail = 'browser.user@example.com';
    const link = await emailedLink(subaccountId, userEmail);
    stack.google.setAutoConsent(false);
    try {
      await page.goto(link);
      await page.locator('#allow').waitFor();
      expect(await page.locator(`input[name="account"][value="${userEmail}"]`).isChecked()).toBe(true);
      await screenshot('consent-page');
      await page.click('#allow');
      await page.locator('#result').waitFor();
      expect(await page.locator('#result').getAttribute('data-result')).toBe('success');
      expect(await page.textContent('body')).toContain(userEmail);
      await screenshot('connected-page');
    } finally {
      stack.google.setAutoConsent(true);
    }
    const metadata = await eventually(async () => {
      const m = await stack.metadata(subaccountId);
      return m['isConnected'] === true ? m : undefined;
    });
    expect(metadata).toMatchObject({ status: 'connected', googleEmail: userEmail });
  });

  it('shows the failure page with access_denied when the person clicks Deny', async () => {
    const subaccountId = newSubaccountId();
    const link = await emailedLink(subaccountId, 'says.no@example.com');
    stack.google.setAutoConsent(false);
    try {
      await page.goto(link);
      await page.click('#deny');
      await page.locator('#result').waitFor();
      expect(await page.locator('#result').getAttribute('data-result')).toBe('failure');
      expect(await page.textContent('#reason')).toBe('access_denied');
      await screenshot('denied-page');
    } finally {
      stack.google.setAutoConsent(true);
    }
    expect(await stack.metadata(subaccountId)).toEqual({});
  });
});
