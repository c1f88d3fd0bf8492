import { createConnectorApiClient, type CalendarEvent, type Slot } from '@connector-service/api-client';
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, userMessageFor, type ApiProblem } from '../lib/api-problem';
import { IdempotentBooking } from '../lib/idempotent-booking';
import { clockTime, groupSlotsByDay, rangeFrom, rangeLabel, type SlotDay, type SlotView } from '../lib/slot-days';
import {
  DEFAULT_WORKING_HOURS,
  SlotBookingClient,
  createEventRequestFor,
  type WorkingHours,
} from '../lib/slot-booking';
import { browserTimeZone, isKnownTimeZone, timeZoneChoices } from '../lib/time-zones';
import { hasToken, tokenProvider, type TokenInput } from '../lib/token-source';
import type { CalendarConnectChangeDetail } from './calendar-connect.element';
import { themeStyles } from './theme.styles';

/** `slot-picker-booked`'s detail: the created event as database-api answered it. */
export interface SlotPickerBookedDetail {
  readonly event: CalendarEvent;
  /** True when a retry got the event an earlier attempt (whose answer was lost) had created. */
  readonly replayed: boolean;
}

type SlotsView =
  | { readonly phase: 'unconfigured' }
  | { readonly phase: 'loading' }
  | { readonly phase: 'loaded'; readonly days: readonly SlotDay[]; readonly count: number }
  | { readonly phase: 'error'; readonly problem: ApiProblem };

interface PickerView {
  readonly slots: SlotsView;
  /** The chosen slot's start (its key in the list). */
  readonly selectedKey?: string;
  readonly addMeetLink: boolean;
  readonly booking: boolean;
  /** Why the last booking attempt failed (shown beside the Book button; the choice is kept for a retry). */
  readonly bookingProblem?: ApiProblem;
  /** The chosen slot was taken meanwhile: said above the refreshed list. */
  readonly takenNotice?: string;
  readonly booked?: CalendarEvent;
}

/**
 * `<calendar-slot-picker>`: the coming week's bookable slots of a subaccount's Google Calendar
 * in a time zone the person can change, one button per slot (grouped by day), and a "Book"
 * button that creates the event with `requireFree` and an Idempotency-Key kept across retries.
 * The calls live in SlotBookingClient and IdempotentBooking; this class renders and sequences.
 *
 * @fires slot-picker-booked - `detail: SlotPickerBookedDetail`, once an event was created.
 */
export class CalendarSlotPickerElement extends LitElement {
  static override styles = [
    themeStyles,
    css`
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75em 1.5em;
        align-items: end;
        margin-bottom: 0.75em;
      }
      .controls .field {
        margin: 0;
      }
      .checkbox {
        display: flex;
        gap: 0.4em;
        align-items: center;
      }
      .day {
        margin: 1em 0;
      }
      ul.slots {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.4em;
      }
      .confirm,
      .confirmation {
        margin-top: 0.75em;
        padding: 0.75em;
        border-radius: var(--calendar-radius, 8px);
        background: var(--calendar-surface, #f6f8fa);
        border: 1px solid var(--calendar-border, #d0d7de);
      }
      .confirmation {
        border-color: var(--calendar-success, #1a7f37);
      }
    `,
  ];

  static override properties = {
    apiBaseUrl: { type: String, attribute: 'api-base-url' },
    subaccountId: { type: String, attribute: 'subaccount-id' },
    timeZone: { type: String, attribute: 'time-zone' },
    durationMinutes: { type: Number, attribute: 'duration-minutes' },
    summary: { type: String },
    token: { attribute: false },
    workingHours: { attribute: false },
    view: { state: true },
    page: { state: true },
  };

  /** database-api's base URL, e.g. `http://localhost:3002`. */
  declare apiBaseUrl: string;
  declare subaccountId: string;
  /** IANA time zone of the slots and the booking; empty (or unknown): the browser's. */
  declare timeZone: string;
  /** The meeting's length (5–1440). */
  declare durationMinutes: number;
  /** The booked event's title. */
  declare summary: string;
  /** The user's JWT, or a function answering it. A property only, never an attribute. */
  declare token: TokenInput | undefined;
  /** Which local hours are bookable; default Monday–Friday 09:00–17:00. */
  declare workingHours: readonly WorkingHours[];
  declare private view: PickerView;
  /** 0: the coming 7 days; 1: the 7 after them; ... */
  declare private page: number;

  private slotClient: SlotBookingClient | undefined;
  private readonly idempotentBooking = new IdempotentBooking();
  /** Answers of an older request (or configuration) are dropped by comparing this. */
  private loadGeneration = 0;
  /** When the first range starts (set each time it loads): the next ranges follow on from it, however long the page stays open. */
  private rangeStart = new Date();

  constructor() {
    super();
    this.apiBaseUrl = '';
    this.subaccountId = '';
    this.timeZone = '';
    this.durationMinutes = 30;
    this.summary = 'Meeting';
    this.token = undefined;
    this.workingHours = DEFAULT_WORKING_HOURS;
    this.page = 0;
    this.view = { slots: { phase: 'unconfigured' }, addMeetLink: false, booking: false };
  }

  /** Loads the slots again (the SPA may call it, e.g. after a booking made elsewhere). */
  refresh(): void {
    this.loadSlots();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('calendar-connect-change', this.onConnectChange);
    if (this.hasUpdated) this.configure();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('calendar-connect-change', this.onConnectChange);
    this.loadGeneration++;
  }

  /** The time zone in effect: the attribute's when the browser knows it, else the browser's own. */
  get effectiveTimeZone(): string {
    return isKnownTimeZone(this.timeZone) ? this.timeZone : browserTimeZone();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('apiBaseUrl') || changed.has('subaccountId') || changed.has('token')) {
      this.configure();
    } else if (
      changed.has('timeZone') ||
      changed.has('durationMinutes') ||
      changed.has('workingHours') ||
      changed.has('page')
    ) {
      this.loadSlots();
    }
  }

  protected override render(): TemplateResult {
    const timeZone = this.effectiveTimeZone;
    const range = rangeFrom(this.rangeStart, this.page);
    const { slots, takenNotice, booked } = this.view;
    return html`
      <section aria-labelledby="title" aria-busy=${slots.phase === 'loading' ? 'true' : 'false'}>
        <h2 id="title">Book a time</h2>
        <div class="controls">
          <div class="field">
            <label for="time-zone">Time zone</label>
            <select id="time-zone" @change=${this.onTimeZoneChange}>
              ${timeZoneChoices(timeZone).map(
                (zone) => html`<option value=${zone} ?selected=${zone === timeZone}>${zone}</option>`,
              )}
            </select>
          </div>
          <label class="checkbox">
            <input type="checkbox" .checked=${this.view.addMeetLink} @change=${this.onMeetLinkChange} />
            Add a Google Meet link
          </label>
          <div class="row" role="group" aria-label="Range">
            <button type="button" ?disabled=${this.page === 0} @click=${this.onPreviousRange}>Previous 7 days</button>
            <span>${rangeLabel(range, timeZone)}</span>
            <button type="button" @click=${this.onNextRange}>Next 7 days</button>
          </div>
        </div>
        <p role="status" aria-live="polite">${this.statusText()}</p>
        ${booked ? this.confirmation(booked, timeZone) : nothing}
        ${takenNotice ? html`<p id="taken" role="alert" class="error" tabindex="-1">${takenNotice}</p>` : nothing}
        ${slots.phase === 'error' ? this.loadError(slots.problem) : nothing}
        ${slots.phase === 'loaded' ? slots.days.map((day) => this.day(day)) : nothing}
      </section>
    `;
  }

  private statusText(): string {
    const { slots, booking } = this.view;
    if (booking) return 'Booking…';
    switch (slots.phase) {
      case 'unconfigured':
        return 'Waiting for api-base-url, subaccount-id and token.';
      case 'loading':
        return 'Loading free slots…';
      case 'error':
        return 'Free slots could not be loaded.';
      case 'loaded':
        return slots.count === 0
          ? 'No free slots in this range'
          : `${slots.count} free slot${slots.count === 1 ? '' : 's'} in this range.`;
    }
  }

  private loadError(problem: ApiProblem): TemplateResult {
    return html`<div role="alert">
      <p class="error">${userMessageFor(problem)}</p>
      <button type="button" @click=${this.onRetryLoad}>Try again</button>
    </div>`;
  }

  private day(day: SlotDay): TemplateResult {
    const selected = day.slots.find((view) => view.key === this.view.selectedKey);
    return html`<section class="day" aria-labelledby="day-${day.key}">
      <h3 id="day-${day.key}">${day.heading}</h3>
      <ul class="slots">
        ${day.slots.map(
          (view) =>
            html`<li>
              <button
                type="button"
                aria-label=${view.accessibleName}
                aria-pressed=${view.key === this.view.selectedKey ? 'true' : 'false'}
                @click=${() => this.choose(view)}
              >
                ${view.startLabel}
              </button>
            </li>`,
        )}
      </ul>
      ${selected ? this.confirmPanel(day, selected) : nothing}
    </section>`;
  }

  private confirmPanel(day: SlotDay, view: SlotView): TemplateResult {
    const { booking, bookingProblem } = this.view;
    return html`<div class="confirm">
      <p>Selected: ${day.heading}, ${view.startLabel}–${view.endLabel}</p>
      ${bookingProblem
        ? html`<p id="booking-error" role="alert" class="error">${userMessageFor(bookingProblem)}</p>`
        : nothing}
      <button
        id="book"
        type="button"
        class="primary"
        aria-disabled=${booking ? 'true' : 'false'}
        aria-describedby=${bookingProblem ? 'booking-error' : nothing}
        @click=${this.onBookClick}
      >
        Book
      </button>
    </div>`;
  }

  private confirmation(event: CalendarEvent, timeZone: string): TemplateResult {
    return html`<div id="confirmation" class="confirmation" tabindex="-1" aria-labelledby="confirmation-title">
      <h3 id="confirmation-title">Booked: ${event.summary}</h3>
      <p>${describeEventTime(event, timeZone)}</p>
      ${event.meetLink
        ? html`<p><a href=${event.meetLink} target="_blank" rel="noopener noreferrer">Join with Google Meet</a></p>`
        : nothing}
      ${event.htmlLink
        ? html`<p><a href=${event.htmlLink} target="_blank" rel="noopener noreferrer">Open in Google Calendar</a></p>`
        : nothing}
    </div>`;
  }

  private choose(view: SlotView): void {
    if (this.view.booking) return;
    this.patch({ selectedKey: view.key, bookingProblem: undefined, takenNotice: undefined, booked: undefined });
  }

  private onBookClick(): void {
    void this.book();
  }

  /**
   * Books the chosen slot. The Idempotency-Key comes from IdempotentBooking, so pressing Book
   * again after a failure retries the same booking under the same key.
   */
  private async book(): Promise<void> {
    const client = this.slotClient;
    const chosen = this.chosenSlot();
    if (!client || !chosen || this.view.booking) return;
    const request = createEventRequestFor({
      slot: chosen,
      timeZone: this.effectiveTimeZone,
      summary: this.summary || 'Meeting',
      addMeetLink: this.view.addMeetLink,
    });
    const key = this.idempotentBooking.keyFor(request);
    this.patch({ booking: true, bookingProblem: undefined });
    try {
      const { event, replayed } = await client.book(request, key);
      this.idempotentBooking.settle();
      this.patch({ booking: false, booked: event, selectedKey: undefined });
      const detail: SlotPickerBookedDetail = { event, replayed };
      this.dispatchEvent(new CustomEvent('slot-picker-booked', { detail, bubbles: true, composed: true }));
      await this.focusAfterUpdate('#confirmation');
      this.loadSlots({ keepMessages: true });
    } catch (error) {
      const problem = problemOf(error);
      if (problem.kind === 'slot_taken') {
        this.idempotentBooking.settle();
        this.patch({ booking: false, selectedKey: undefined, takenNotice: userMessageFor(problem) });
        this.loadSlots({ keepMessages: true });
        // The chosen button is gone from the refreshed list: the message takes the focus.
        await this.focusAfterUpdate('#taken');
        return;
      }
      // Kept: the choice and the key, so Book retries this very booking. Focus stays on Book.
      this.patch({ booking: false, bookingProblem: problem });
    }
  }

  private chosenSlot(): Slot | undefined {
    const { slots, selectedKey } = this.view;
    if (slots.phase !== 'loaded' || !selectedKey) return undefined;
    for (const day of slots.days) {
      const found = day.slots.find((view) => view.key === selectedKey);
      if (found) return found.slot;
    }
    return undefined;
  }

  private onTimeZoneChange(event: Event): void {
    this.timeZone = (event.target as HTMLSelectElement).value;
  }

  private onMeetLinkChange(event: Event): void {
    this.patch({ addMeetLink: (event.target as HTMLInputElement).checked });
  }

  private onPreviousRange(): void {
    this.page = Math.max(0, this.page - 1);
  }

  private onNextRange(): void {
    this.page += 1;
  }

  private onRetryLoad(): void {
    this.loadSlots();
  }

  /** After the connect element on the page connected this subaccount, a "connect first" list reloads. */
  private readonly onConnectChange = (event: Event): void => {
    if (!(event instanceof CustomEvent)) return;
    const detail = event.detail as CalendarConnectChangeDetail;
    const { slots } = this.view;
    const waitingForConnection =
      slots.phase === 'error' && (slots.problem.kind === 'not_connected' || slots.problem.kind === 'reauth_required');
    if (detail.subaccountId === this.subaccountId && detail.status === 'connected' && waitingForConnection) {
      this.loadSlots();
    }
  };

  private configure(): void {
    if (!this.apiBaseUrl || !this.subaccountId || !hasToken(this.token)) {
      this.slotClient = undefined;
      this.loadGeneration++;
      this.patch({ slots: { phase: 'unconfigured' }, selectedKey: undefined });
      return;
    }
    const client = createConnectorApiClient({ baseUrl: this.apiBaseUrl, token: tokenProvider(this.token) });
    this.slotClient = new SlotBookingClient(client, this.subaccountId);
    this.loadSlots();
  }

  /** Asks for the current range's slots; an older request still running is ignored when it answers. */
  private loadSlots(options: { keepMessages?: boolean } = {}): void {
    const client = this.slotClient;
    if (!client) return;
    const generation = ++this.loadGeneration;
    const timeZone = this.effectiveTimeZone;
    if (this.page === 0) this.rangeStart = new Date();
    const range = rangeFrom(this.rangeStart, this.page);
    this.patch({
      slots: { phase: 'loading' },
      selectedKey: undefined,
      bookingProblem: undefined,
      ...(options.keepMessages ? {} : { takenNotice: undefined, booked: undefined }),
    });
    client
      .availableSlots({
        ...range,
        timeZone,
        durationMinutes: this.durationMinutes,
        workingHours: this.workingHours,
      })
      .then(
        (slots) => {
          if (generation !== this.loadGeneration) return;
          const days = groupSlotsByDay(slots, timeZone);
          this.patch({ slots: { phase: 'loaded', days, count: slots.length } });
        },
        (error: unknown) => {
          if (generation === this.loadGeneration) this.patch({ slots: { phase: 'error', problem: problemOf(error) } });
        },
      );
  }

  private async focusAfterUpdate(selector: string): Promise<void> {
    await this.updateComplete;
    this.shadowRoot?.querySelector<HTMLElement>(selector)?.focus();
  }

  private patch(change: Partial<PickerView>): void {
    this.view = { ...this.view, ...change };
  }
}

/** `Monday 7 December, 09:30–10:00 (Europe/Berlin)`, or the date of an all-day event. */
function describeEventTime(event: CalendarEvent, timeZone: string): string {
  if (!event.start.dateTime || !event.end.dateTime) return event.start.date ?? '';
  const start = new Date(event.start.dateTime);
  const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone });
  return `${day.format(start)}, ${clockTime(start, timeZone)}–${clockTime(new Date(event.end.dateTime), timeZone)} (${timeZone})`;
}

declare global {
  interface HTMLElementTagNameMap {
    'calendar-slot-picker': CalendarSlotPickerElement;
  }
  interface HTMLElementEventMap {
    'slot-picker-booked': CustomEvent<SlotPickerBookedDetail>;
  }
}
