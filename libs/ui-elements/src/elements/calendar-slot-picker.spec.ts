import { DateTime } from 'luxon';
import type { Locator } from 'playwright-core';
import {
  BrowserHarness,
  ComponentPage,
  SUBACCOUNT_ID,
  deferred,
  fail,
  ok,
  type FakeAnswer,
  type SeenRequest,
} from '../testing/browser-harness';

const CALENDAR_PATH = `/api/connectors/${SUBACCOUNT_ID}/google-calendar`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BERLIN = 'Europe/Berlin';

/** Tomorrow at hh:mm on Berlin's wall clock (the test browser's time zone), as an instant. */
function berlinTomorrowAt(hour: number, minute: number, daysAhead = 1): DateTime {
  return DateTime.now().setZone(BERLIN).plus({ days: daysAhead }).set({ hour, minute, second: 0, millisecond: 0 });
}

interface AvailabilityBody {
  timeMin: string;
  timeMax: string;
  timeZone: string;
  durationMinutes: number;
  workingHours: unknown;
}

interface EventBody {
  summary: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  requireFree: boolean;
  conference?: { type: string };
}

/**
 * A database-api for the slot picker: availability answers the free slots (in the asked time
 * zone's offset, as the contract says), and event creation is answered by `onBook`.
 */
class FakeCalendarRoutes {
  /** The free slots, as instants; formatted in the requested time zone when answered. */
  free: DateTime[] = [
    berlinTomorrowAt(9, 0),
    berlinTomorrowAt(9, 30),
    berlinTomorrowAt(10, 0),
    berlinTomorrowAt(14, 0, 2),
  ];
  availabilityAnswer: ((request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>) | undefined;
  onBook: (request: SeenRequest, attempt: number) => FakeAnswer = (request) =>
    ok(eventFor(request.body as EventBody), 201);
  private bookings = 0;

  readonly handle = async (request: SeenRequest): Promise<FakeAnswer> => {
    if (request.method === 'POST' && request.path === `${CALENDAR_PATH}/availability`) {
      if (this.availabilityAnswer) return this.availabilityAnswer(request);
      const { timeZone } = request.body as AvailabilityBody;
      return ok({
        timeZone,
        slots: this.free.map((start) => ({
          start: start.setZone(timeZone).toISO({ suppressMilliseconds: true }),
          end: start.plus({ minutes: 30 }).setZone(timeZone).toISO({ suppressMilliseconds: true }),
        })),
      });
    }
    if (request.method === 'POST' && request.path === `${CALENDAR_PATH}/events`) {
      return this.onBook(request, ++this.bookings);
    }
    return fail(404, 'NOT_FOUND', `No route ${request.method} ${request.path}`);
  };
}

/** The event database-api answers for a create request (Meet link only when a conference was asked for). */
function eventFor(body: EventBody): Record<string, unknown> {
  return {
    id: 'evt1a2b3c',
    googleCalendarId: 'primary',
    status: 'confirmed',
    summary: body.summary,
    start: body.start,
    end: body.end,
    attendees: [],
    htmlLink: 'https://www.google.com/calendar/event?eid=evt1a2b3c',
    ...(body.conference ? { meetLink: 'https://meet.google.com/abc-defg-hij' } : {}),
    tags: {},
    created: '2026-12-06T10:00:00.000Z',
    updated: '2026-12-06T10:00:00.000Z',
  };
}

describe('<calendar-slot-picker> in Chromium', () => {
  let harness: BrowserHarness;
  let ui: ComponentPage;
  let backend: FakeCalendarRoutes;

  beforeAll(async () => {
    harness = await BrowserHarness.start(['slot-picker-booked']);
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    ui = await harness.newPage();
    backend = new FakeCalendarRoutes();
    ui.handler = backend.handle;
  });
  afterEach(async () => {
    const errors = ui.errors;
    await ui.context.close();
    expect(errors).toEqual([]);
  });

  function mountPicker(attributes: Record<string, string> = {}): Promise<Locator> {
    return ui.mount('calendar-slot-picker', {
      'api-base-url': harness.origin,
      'subaccount-id': SUBACCOUNT_ID,
      summary: 'Intro call',
      ...attributes,
    });
  }

  function slot(name: RegExp): Locator {
    return ui.page.getByRole('button', { name });
  }

  function availabilityRequests(): AvailabilityBody[] {
    return ui.requests('POST', `${CALENDAR_PATH}/availability`).map((request) => request.body as AvailabilityBody);
  }

  function bookings(): SeenRequest[] {
    return ui.requests('POST', `${CALENDAR_PATH}/events`);
  }

  it("shows a loading state, then the coming week's slots in the browser's time zone, grouped by day", async () => {
    const held = deferred();
    backend.availabilityAnswer = async (request) => {
      await held.promise;
      backend.availabilityAnswer = undefined;
      return backend.handle(request);
    };
    const before = Date.now();
    await mountPicker();

    await ui.page.getByRole('status').filter({ hasText: 'Loading free slots…' }).waitFor();
    held.resolve();
    await slot(/^09:30/).waitFor();

    const [asked] = availabilityRequests();
    expect(asked).toMatchObject({
      timeZone: BERLIN,
      durationMinutes: 30,
      workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
    });
    expect(Date.parse(asked.timeMin)).toBeGreaterThan(before - 60000);
    expect(Date.parse(asked.timeMin)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(asked.timeMax) - Date.parse(asked.timeMin)).toBe(7 * 24 * 60 * 60 * 1000);

    const tomorrow = berlinTomorrowAt(9, 0).setLocale('en-GB').toFormat('cccc d MMMM');
    const dayAfter = berlinTomorrowAt(14, 0, 2).setLocale('en-GB').toFormat('cccc d MMMM');
    const headings = await ui.page.getByRole('heading', { level: 3 }).allInnerTexts();
    expect(headings.map((text) => text.replace(',', ''))).toEqual([tomorrow, dayAfter]);
    const tomorrowSlots = ui.page.getByRole('region', { name: new RegExp(tomorrow.split(' ')[0]) }).getByRole('button');
    expect(await tomorrowSlots.allInnerTexts()).toEqual(['09:00', '09:30', '10:00']);
    expect(await slot(/^09:30 to 10:00, /).count()).toBe(1);
    await ui.page.getByRole('status').filter({ hasText: '4 free slots in this range.' }).waitFor();
  });

  it('says when no slot is free in the range, and moves on to the next 7 days: where the first ended, minutes later too', async () => {
    await ui.page.clock.install();
    backend.free = [];
    await mountPicker();

    await ui.page.getByRole('status').filter({ hasText: 'No free slots in this range' }).waitFor();
    await ui.page.clock.fastForward('03:00');
    await ui.page.getByRole('button', { name: 'Next 7 days' }).click();
    await ui.page.getByRole('status').filter({ hasText: 'No free slots in this range' }).waitFor();

    const [first, second] = availabilityRequests();
    expect(second?.timeMin).toBe(first?.timeMax);
  });

  it("shows the error envelope's message when slots cannot be loaded, and loads again on request", async () => {
    backend.availabilityAnswer = () => {
      backend.availabilityAnswer = undefined;
      return fail(502, 'GOOGLE_UNAVAILABLE', 'Google Calendar did not answer');
    };
    await mountPicker();

    await ui.page.getByRole('alert').filter({ hasText: 'Google Calendar did not answer' }).waitFor();
    await ui.page.getByRole('button', { name: 'Try again' }).click();
    await slot(/^09:30/).waitFor();
    expect(await ui.page.getByRole('alert').count()).toBe(0);
  });

  it.each([
    ['NOT_CONNECTED', 'Google Calendar is not connected'],
    ['REAUTH_REQUIRED', 'Access to Google Calendar was lost'],
  ])('says to reconnect Google Calendar on %s, and reloads once the connect element connected', async (code, says) => {
    backend.availabilityAnswer = () => fail(409, code, 'Google Calendar is not usable for this subaccount');
    await mountPicker();

    const alert = ui.page.getByRole('alert').filter({ hasText: says });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('reconnect Google Calendar');

    backend.availabilityAnswer = undefined;
    await ui.page.evaluate((subaccountId) => {
      const detail = { status: 'connected', subaccountId };
      document.body.dispatchEvent(
        new CustomEvent('calendar-connect-change', { detail, bubbles: true, composed: true }),
      );
    }, SUBACCOUNT_ID);
    await slot(/^09:30/).waitFor();
  });

  it('shows the slots in another time zone chosen in the labelled select', async () => {
    await mountPicker();
    await slot(/^09:30/).waitFor();

    await ui.page.getByLabel('Time zone').selectOption('Asia/Tokyo');

    const inTokyo = berlinTomorrowAt(9, 30).setZone('Asia/Tokyo').toFormat('HH:mm');
    await slot(new RegExp(`^${inTokyo} to `)).waitFor();
    expect(availabilityRequests().map((body) => body.timeZone)).toEqual([BERLIN, 'Asia/Tokyo']);
  });

  it('books a slot by keyboard alone, with a Meet link, under a fresh Idempotency-Key, and shows the event', async () => {
    await mountPicker();
    await slot(/^09:30/).waitFor();

    await ui.tabTo(/^Add a Google Meet link$/);
    await ui.page.keyboard.press('Space');
    await ui.tabTo(/^09:30 to 10:00/);
    await ui.page.keyboard.press('Enter');
    expect(await slot(/^09:30/).getAttribute('aria-pressed')).toBe('true');
    await ui.tabTo(/^Book$/);
    await ui.page.keyboard.press('Enter');

    const confirmation = ui.page.getByRole('heading', { name: 'Booked: Intro call' });
    await confirmation.waitFor();
    const [booking] = bookings();
    const chosen = berlinTomorrowAt(9, 30);
    expect(booking?.headers['idempotency-key']).toMatch(UUID);
    expect(booking?.body).toEqual({
      summary: 'Intro call',
      start: { dateTime: chosen.toISO({ suppressMilliseconds: true }), timeZone: BERLIN },
      end: { dateTime: chosen.plus({ minutes: 30 }).toISO({ suppressMilliseconds: true }), timeZone: BERLIN },
      requireFree: true,
      conference: { type: 'google_meet' },
    });
    // Focus moved to the confirmation, which names the time and the Meet link.
    expect(await ui.focusedName()).toBe('Booked: Intro call');
    const shown = ui.page.locator('calendar-slot-picker').locator('#confirmation');
    expect(await shown.innerText()).toContain('09:30–10:00 (Europe/Berlin)');
    expect(await ui.page.getByRole('link', { name: 'Join with Google Meet' }).getAttribute('href')).toBe(
      'https://meet.google.com/abc-defg-hij',
    );
    await expect(ui.events('slot-picker-booked')).resolves.toEqual([
      {
        event: expect.objectContaining({ id: 'evt1a2b3c', meetLink: 'https://meet.google.com/abc-defg-hij' }),
        replayed: false,
      },
    ]);
    // The list is asked for again after the booking (the booked time is no longer free).
    await ui.until(() => availabilityRequests().length === 2);
  });

  it('says a slot taken meanwhile was taken, refreshes the list, and puts the focus on the message', async () => {
    await mountPicker();
    await slot(/^09:30/).click();
    backend.onBook = () => {
      backend.free = backend.free.filter((start) => !start.equals(berlinTomorrowAt(9, 30)));
      return fail(409, 'SLOT_TAKEN', 'The time is no longer free');
    };

    await ui.page.getByRole('button', { name: 'Book', exact: true }).click();

    const taken = ui.page.getByRole('alert').filter({ hasText: 'That time was taken meanwhile' });
    await taken.waitFor();
    await slot(/^10:00/).waitFor();
    expect(await slot(/^09:30/).count()).toBe(0);
    expect(availabilityRequests()).toHaveLength(2);
    expect(await ui.isFocused(taken)).toBe(true);
    expect(await ui.page.getByRole('button', { name: 'Book', exact: true }).count()).toBe(0);
  });

  it('keeps the Idempotency-Key across retries (network error, 429 with Retry-After) and makes a new one for another slot', async () => {
    await mountPicker();
    await slot(/^09:30/).click();
    backend.onBook = (request, attempt) => {
      if (attempt === 1) return 'abort';
      if (attempt === 2) return fail(429, 'RATE_LIMITED', 'Google rate-limited the request', { 'Retry-After': '30' });
      return ok(eventFor(request.body as EventBody), 201);
    };
    const book = ui.page.getByRole('button', { name: 'Book', exact: true });

    await book.click();
    await ui.page.getByRole('alert').filter({ hasText: 'The server could not be reached' }).waitFor();
    expect(await ui.isFocused(book)).toBe(true);

    await book.click();
    await ui.page.getByRole('alert').filter({ hasText: 'Please wait 30 seconds, then try again.' }).waitFor();
    expect(await ui.isFocused(book)).toBe(true);

    // Another slot is another booking: a new key. Back to the first one: a new key too.
    await slot(/^10:00/).click();
    await ui.page.getByRole('button', { name: 'Book', exact: true }).click();
    await ui.page.getByRole('heading', { name: 'Booked: Intro call' }).waitFor();

    const keys = bookings().map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(UUID);
    expect(keys[2]).not.toBe(keys[0]);
    expect(bookings()[1]?.body).toEqual(bookings()[0]?.body);
    // No Meet link was asked for, and none is shown.
    expect((bookings()[2]?.body as EventBody).conference).toBeUndefined();
    expect(await ui.page.getByRole('link', { name: 'Join with Google Meet' }).count()).toBe(0);
  });

  it("takes its theme from CSS custom properties, and neither the page's CSS nor its own crosses the shadow boundary", async () => {
    await ui.page.addStyleTag({
      content: `
        calendar-slot-picker { --calendar-accent: rgb(1, 2, 3); --calendar-radius: 3px; }
        button { color: rgb(255, 0, 0); border-radius: 17px; }
      `,
    });
    await ui.page.evaluate(() => {
      const outside = document.createElement('button');
      outside.id = 'page-button';
      outside.textContent = 'A button of the page';
      document.body.append(outside);
    });
    await mountPicker();
    const style = (locator: Locator) =>
      locator.evaluate((element) => {
        const computed = getComputedStyle(element);
        return { color: computed.color, radius: computed.borderTopLeftRadius, cursor: computed.cursor };
      });

    // The element's buttons: the theme's accent and radius, not the page's button rule.
    expect(await style(slot(/^09:30/))).toEqual({ color: 'rgb(1, 2, 3)', radius: '3px', cursor: 'pointer' });
    // The page's button: its own rule, nothing of the element's (whose buttons have cursor: pointer).
    expect(await style(ui.page.locator('#page-button'))).toEqual({
      color: 'rgb(255, 0, 0)',
      radius: '17px',
      cursor: 'default',
    });
  });

  it.each([
    ['REAUTH_REQUIRED', 409, 'Please reconnect Google Calendar'],
    ['GOOGLE_REJECTED_REQUEST', 400, 'Google refused the event: invalid summary'],
  ])('answers %s on booking with what to do', async (code, status, says) => {
    await mountPicker();
    await slot(/^09:30/).click();
    backend.onBook = () => fail(status, code, 'Google refused the event: invalid summary');

    await ui.page.getByRole('button', { name: 'Book', exact: true }).click();

    await ui.page.getByRole('alert').filter({ hasText: says }).waitFor();
    expect(await slot(/^09:30/).getAttribute('aria-pressed')).toBe('true');
  });
});
