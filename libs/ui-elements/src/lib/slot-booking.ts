import type {
  AvailabilityRequest,
  CalendarEvent,
  ConnectorApiClient,
  CreateEventRequest,
  Slot,
} from '@connector-service/api-client';
import { answerOf } from './api-answer';

export type WorkingHours = NonNullable<AvailabilityRequest['workingHours']>[number];

/** Monday to Friday, 09:00 to 17:00 in the chosen time zone: the slot picker's default. */
export const DEFAULT_WORKING_HOURS: readonly WorkingHours[] = [
  { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
];

/** Which slots to ask for: a range, the meeting's length, and the hours that count as bookable. */
export interface SlotQuery {
  readonly timeMin: string;
  readonly timeMax: string;
  readonly timeZone: string;
  readonly durationMinutes: number;
  readonly workingHours?: readonly WorkingHours[];
}

/** The person's choice: a slot, and what the event should be. */
export interface BookingChoice {
  readonly slot: Slot;
  readonly timeZone: string;
  readonly summary: string;
  readonly description?: string;
  readonly addMeetLink: boolean;
}

export interface BookedEvent {
  readonly event: CalendarEvent;
  /** True when an earlier attempt with the same key had already created it (a retry whose first answer was lost). */
  readonly replayed: boolean;
}

/** The slot picker's calls for one subaccount's Google Calendar, through the typed client. */
export class SlotBookingClient {
  constructor(
    private readonly client: ConnectorApiClient,
    readonly subaccountId: string,
  ) {}

  /** Bookable slots (contract "Availability"), each `start`/`end` in the query's time zone's offset. */
  async availableSlots(query: SlotQuery): Promise<Slot[]> {
    const { value } = await answerOf(() =>
      this.client.POST('/api/connectors/{subaccountId}/google-calendar/availability', {
        params: { path: { subaccountId: this.subaccountId } },
        body: availabilityRequestFor(query),
      }),
    );
    return value.slots;
  }

  /**
   * Creates the event under `idempotencyKey`: a retry with the same key and body answers the
   * event the first attempt created, so an answer lost on the way never makes two bookings.
   */
  async book(request: CreateEventRequest, idempotencyKey: string): Promise<BookedEvent> {
    const { value, response } = await answerOf(() =>
      this.client.POST('/api/connectors/{subaccountId}/google-calendar/events', {
        params: { path: { subaccountId: this.subaccountId }, header: { 'Idempotency-Key': idempotencyKey } },
        body: request,
      }),
    );
    return { event: value, replayed: response.headers.get('Idempotent-Replayed') === 'true' };
  }
}

export function availabilityRequestFor(query: SlotQuery): AvailabilityRequest {
  return {
    timeMin: query.timeMin,
    timeMax: query.timeMax,
    timeZone: query.timeZone,
    durationMinutes: query.durationMinutes,
    workingHours: (query.workingHours ?? DEFAULT_WORKING_HOURS).map((hours) => ({ ...hours, days: [...hours.days] })),
  };
}

/**
 * The event a choice books: only on free time (`requireFree`, else 409 SLOT_TAKEN), in the
 * chosen time zone, with a Google Meet link when asked for. Built the same way every time, so
 * a retry sends the very body its Idempotency-Key was first used with.
 */
export function createEventRequestFor(choice: BookingChoice): CreateEventRequest {
  return {
    summary: choice.summary,
    ...(choice.description ? { description: choice.description } : {}),
    start: { dateTime: choice.slot.start, timeZone: choice.timeZone },
    end: { dateTime: choice.slot.end, timeZone: choice.timeZone },
    requireFree: true,
    ...(choice.addMeetLink ? { conference: { type: 'google_meet' } } : {}),
  };
}
