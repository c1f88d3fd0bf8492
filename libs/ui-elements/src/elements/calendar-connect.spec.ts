import type { Locator } from 'playwright-core';
import {
  BrowserHarness,
  ComponentPage,
  JWT,
  SUBACCOUNT_ID,
  deferred,
  fail,
  ok,
  type FakeApiHandler,
} from '../testing/browser-harness';

const CONNECTORS_PATH = `/api/connectors/${SUBACCOUNT_ID}`;
const CONNECTOR_PATH = `${CONNECTORS_PATH}/google-calendar`;
const CONNECTED = {
  calendarId: '68cf06a160d294db17c06871',
  userEmail: 'user@example.com',
  googleEmail: 'googleuser@gmail.com',
  connectedAt: '2026-12-05T12:00:00.000Z',
  isConnected: true,
  status: 'connected',
  lastError: null,
  disconnectedAt: null,
};
/** Short pauses so a test waits for the "callback" in a second, not minutes; the logic is the default's. */
const FAST_POLLING = { initialDelayMs: 150, factor: 1.5, maxDelayMs: 600, maxDurationMs: 60000 };

/**
 * A database-api with one subaccount's google-calendar connector (or none), answering the
 * routes the connect element uses with the contract's envelopes.
 */
class FakeConnectorRoutes {
  metadata: Record<string, unknown> | undefined;

  constructor(metadata: Record<string, unknown> | undefined) {
    this.metadata = metadata;
  }

  readonly handle: FakeApiHandler = (request) => {
    const key = `${request.method} ${request.path}`;
    if (key === `GET ${CONNECTORS_PATH}`) return ok(this.metadata ? [this.connector()] : []);
    if (key === `POST ${CONNECTORS_PATH}`) {
      if (this.metadata) return fail(409, 'CONNECTOR_EXISTS', 'The connector exists');
      this.metadata = {};
      return ok(this.connector(), 201);
    }
    if (key === `POST /api/connectors/${SUBACCOUNT_ID}/handlegooglecalendar`) {
      const { userEmail } = request.body as { userEmail: string };
      return ok(
        { authUrl: `${origin}/consent?state=s1`, userEmail, subaccountId: SUBACCOUNT_ID, emailSent: true },
        200,
        `Authorization link sent to ${userEmail}`,
      );
    }
    if (key === `DELETE ${CONNECTOR_PATH}/connection`) {
      if (this.metadata?.['status'] !== 'connected') return fail(409, 'NOT_CONNECTED', 'Not connected');
      this.metadata = { ...this.metadata, isConnected: false, status: 'disconnected' };
      return ok({ calendarId: CONNECTED.calendarId, status: 'disconnected', revokedAtGoogle: true, changed: true });
    }
    return fail(404, 'NOT_FOUND', `No route ${key}`);
  };

  private connector() {
    return {
      subaccountId: SUBACCOUNT_ID,
      connectorId: 'google-calendar',
      name: 'Google Calendar',
      metadata: this.metadata,
      createdAt: '2026-12-01T08:00:00.000Z',
      updatedAt: '2026-12-01T08:00:00.000Z',
    };
  }
}

let origin = '';

describe('<calendar-connect> in Chromium', () => {
  let harness: BrowserHarness;
  let ui: ComponentPage;

  beforeAll(async () => {
    harness = await BrowserHarness.start(['calendar-connect-change']);
    origin = harness.origin;
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    ui = await harness.newPage();
  });
  afterEach(async () => {
    const errors = ui.errors;
    await ui.context.close();
    expect(errors).toEqual([]);
  });

  function status(): Locator {
    return ui.page.getByRole('status');
  }

  async function mountConnect(backend: FakeConnectorRoutes, attributes: Record<string, string> = {}): Promise<Locator> {
    ui.handler = backend.handle;
    return ui.mount(
      'calendar-connect',
      { 'api-base-url': origin, 'subaccount-id': SUBACCOUNT_ID, ...attributes },
      { pollSchedule: FAST_POLLING },
    );
  }

  it('shows that it is loading, then adds the missing google-calendar connector and offers to connect', async () => {
    const backend = new FakeConnectorRoutes(undefined);
    const held = deferred();
    ui.handler = async (request) => {
      if (request.method === 'GET') await held.promise;
      return backend.handle(request);
    };
    const element = await ui.mount('calendar-connect', { 'api-base-url': origin, 'subaccount-id': SUBACCOUNT_ID });

    await status().filter({ hasText: 'Checking Google Calendar…' }).waitFor();
    held.resolve();
    await ui.page.getByRole('button', { name: 'Connect Google Calendar', exact: true }).waitFor();

    await status().filter({ hasText: 'Not connected' }).waitFor();
    expect(ui.requests('POST', `/api/connectors/${SUBACCOUNT_ID}`)[0]?.body).toEqual({
      connectorId: 'google-calendar',
      name: 'Google Calendar',
    });
    // The token came from the function property, and sits nowhere in the DOM.
    expect(ui.seen.every((request) => request.headers['authorization'] === `Bearer ${JWT}`)).toBe(true);
    await expect(element.getAttribute('token')).resolves.toBeNull();
    await expect(ui.page.content()).resolves.not.toContain(JWT);
    await expect(ui.events('calendar-connect-change')).resolves.toEqual([
      { status: 'not_connected', subaccountId: SUBACCOUNT_ID },
    ]);
  });

  it('says what went wrong when database-api fails, and tries again on request', async () => {
    const backend = new FakeConnectorRoutes(CONNECTED);
    let failures = 1;
    ui.handler = (request) =>
      failures-- > 0 ? fail(502, 'UPSTREAM_UNAVAILABLE', 'webhook-api could not be reached') : backend.handle(request);
    await ui.mount('calendar-connect', { 'api-base-url': origin, 'subaccount-id': SUBACCOUNT_ID });

    await ui.page.getByRole('alert').filter({ hasText: 'webhook-api could not be reached' }).waitFor();
    await ui.page.getByRole('button', { name: 'Try again' }).click();

    await status().filter({ hasText: 'Connected as googleuser@gmail.com' }).waitFor();
    await ui.page.getByRole('button', { name: 'Disconnect' }).waitFor();
    expect(await ui.page.getByRole('alert').count()).toBe(0);
  });

  it('opens the consent page in a new window and turns Connected, without a reload, once the callback landed', async () => {
    const backend = new FakeConnectorRoutes({});
    await mountConnect(backend, { 'user-email': 'user@example.com' });
    await status().filter({ hasText: 'Not connected' }).waitFor();
    await ui.page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));

    // Keyboard only: Tab to the button, Enter.
    const popupOpened = ui.page.waitForEvent('popup');
    await ui.tabTo(/^Connect Google Calendar$/);
    await ui.page.keyboard.press('Enter');
    const popup = await popupOpened;
    await popup.waitForURL(`${origin}/consent?state=s1`);
    expect(await popup.evaluate(() => window.opener)).toBeNull();
    expect(ui.requests('POST', '/handlegooglecalendar')[0]?.body).toEqual({ userEmail: 'user@example.com' });
    await status().filter({ hasText: 'Waiting for you to allow access' }).waitFor();
    await ui.page.getByText('The consent link was also e-mailed to user@example.com.').waitFor();

    // Google's callback landed: webhook-api's metadata update reached database-api.
    const pollsBefore = ui.requests('GET', CONNECTORS_PATH).length;
    backend.metadata = CONNECTED;
    await status().filter({ hasText: 'Connected as googleuser@gmail.com' }).waitFor();
    expect(ui.requests('GET', CONNECTORS_PATH).length).toBeGreaterThan(pollsBefore);
    expect(await ui.page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same document');
    // Focus was on Connect, which is gone: it moved to the new action instead of the page's body.
    expect(await ui.focusedName()).toBe('Disconnect');

    // Polling stopped once connected.
    const pollsWhenConnected = ui.requests('GET', CONNECTORS_PATH).length;
    await ui.page.waitForTimeout(1500);
    expect(ui.requests('GET', CONNECTORS_PATH).length).toBe(pollsWhenConnected);
    await expect(ui.events('calendar-connect-change')).resolves.toEqual([
      { status: 'not_connected', subaccountId: SUBACCOUNT_ID },
      expect.objectContaining({
        status: 'connected',
        googleEmail: 'googleuser@gmail.com',
        subaccountId: SUBACCOUNT_ID,
      }),
    ]);
  });

  it('asks for the e-mail address in a labelled field when none was given, and opens no window for an invalid one', async () => {
    const backend = new FakeConnectorRoutes({});
    await mountConnect(backend);
    const connect = ui.page.getByRole('button', { name: 'Connect Google Calendar', exact: true });
    await connect.waitFor();

    let popups = 0;
    ui.page.on('popup', () => popups++);
    await ui.page.getByLabel('Your e-mail address').fill('not an address');
    await connect.click();
    await ui.page.getByRole('alert').filter({ hasText: 'Enter your e-mail address' }).waitFor();
    expect(await ui.isFocused(ui.page.getByLabel('Your e-mail address'))).toBe(true);
    expect(popups).toBe(0);
    expect(ui.requests('POST', '/handlegooglecalendar')).toEqual([]);

    const popupOpened = ui.page.waitForEvent('popup');
    await ui.page.getByLabel('Your e-mail address').fill('typed@example.com');
    await connect.click();
    await (await popupOpened).waitForURL(/\/consent\?state=s1$/);
    expect(ui.requests('POST', '/handlegooglecalendar')[0]?.body).toEqual({ userEmail: 'typed@example.com' });
  });

  it('offers the consent page as a link when the browser blocked the new window', async () => {
    const backend = new FakeConnectorRoutes({});
    await mountConnect(backend, { 'user-email': 'user@example.com' });
    // What a popup blocker does: window.open answers null.
    await ui.page.evaluate(() => (window.open = () => null));

    await ui.page.getByRole('button', { name: 'Connect Google Calendar' }).click();

    const link = ui.page.getByRole('link', { name: 'Open the Google consent page' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${origin}/consent?state=s1`);
    expect(await link.getAttribute('target')).toBe('_blank');
    backend.metadata = CONNECTED;
    await status().filter({ hasText: 'Connected as googleuser@gmail.com' }).waitFor();
    expect(await link.count()).toBe(0);
  });

  it('offers Reconnect when access was lost, and starts the flow again with it', async () => {
    const backend = new FakeConnectorRoutes({
      ...CONNECTED,
      isConnected: false,
      status: 'reauth_required',
      lastError: 'invalid_grant',
    });
    await mountConnect(backend, { 'user-email': 'user@example.com' });

    await status().filter({ hasText: 'Access to Google Calendar (googleuser@gmail.com) was lost' }).waitFor();
    expect(await ui.page.getByRole('button', { name: 'Connect Google Calendar' }).count()).toBe(0);
    const popupOpened = ui.page.waitForEvent('popup');
    await ui.page.getByRole('button', { name: 'Reconnect' }).click();
    await (await popupOpened).waitForURL(/\/consent/);

    backend.metadata = CONNECTED;
    await status().filter({ hasText: 'Connected as googleuser@gmail.com' }).waitFor();
    await expect(ui.events('calendar-connect-change')).resolves.toEqual([
      expect.objectContaining({ status: 'reauth_required' }),
      expect.objectContaining({ status: 'connected' }),
    ]);
  });

  it('disconnects by keyboard and then offers to connect again', async () => {
    const backend = new FakeConnectorRoutes(CONNECTED);
    await mountConnect(backend);
    await status().filter({ hasText: 'Connected as googleuser@gmail.com' }).waitFor();

    await ui.tabTo(/^Disconnect$/);
    await ui.page.keyboard.press('Space');

    await status().filter({ hasText: 'Not connected' }).waitFor();
    expect(ui.requests('DELETE', `${CONNECTOR_PATH}/connection`)).toHaveLength(1);
    expect(await ui.focusedName()).toBe('Connect Google Calendar');
    await expect(ui.events('calendar-connect-change')).resolves.toEqual([
      expect.objectContaining({ status: 'connected' }),
      expect.objectContaining({ status: 'not_connected' }),
    ]);
  });

  it('stops polling once it is taken out of the DOM', async () => {
    const backend = new FakeConnectorRoutes({});
    const element = await mountConnect(backend, { 'user-email': 'user@example.com' });
    const popupOpened = ui.page.waitForEvent('popup');
    await ui.page.getByRole('button', { name: 'Connect Google Calendar' }).click();
    await popupOpened;
    await status().filter({ hasText: 'Waiting for you to allow access' }).waitFor();
    await ui.page.waitForTimeout(400);

    await element.evaluate((node) => node.remove());
    // A poll already on its way when the element left may still arrive; none may start after.
    await ui.page.waitForTimeout(100);
    const pollsWhenRemoved = ui.requests('GET', CONNECTORS_PATH).length;
    await ui.page.waitForTimeout(1500);
    expect(ui.requests('GET', CONNECTORS_PATH).length).toBe(pollsWhenRemoved);
  });
});
