import { HttpStatus, Injectable } from '@nestjs/common';
import { AvailabilityRequestDto, AvailabilityResultDto, ErrorCode } from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';
import type { ConnectionRecord } from '../connections/connection.repository';
import { AvailabilityRules, BusyInterval, computeSlots } from './availability';
import { CalendarMetrics } from './calendar.metrics';
import { FreeBusyService } from './free-busy.service';

const MINUTE_MS = 60_000;

/** The slot rules of an availability request (single or group): everything but whose calendars. */
export type SlotRulesRequest = Omit<AvailabilityRequestDto, 'googleCalendarIds'>;

/**
 * Bookable slots: free/busy of every listed calendar (fetched live, the buffers' width
 * beyond the range included), then the contract's slot rules in the requested time zone.
 * A calendar Google cannot read fails the request: slots computed without it could be busy.
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly freeBusy: FreeBusyService,
    private readonly metrics: CalendarMetrics,
  ) {}

  async availability(calendarId: string, request: AvailabilityRequestDto): Promise<AvailabilityResultDto> {
    const busy = await this.busyTimes(calendarId, request, request.googleCalendarIds ?? ['primary']);
    const stopTimer = this.metrics.slotComputeSeconds.startTimer();
    const slots = computeSlots(slotRules(request, new Date()), busy);
    stopTimer();
    return { timeZone: request.timeZone, slots };
  }

  /**
   * The busy time of the connection's listed calendars over the request's range widened by
   * its buffers (any order, may overlap); 404 NOT_FOUND (details: each unreadable
   * `{ googleCalendarId, error }`) when Google cannot read one of them.
   */
  async busyTimes(
    calendarId: string,
    request: SlotRulesRequest,
    googleCalendarIds: readonly string[],
    connection?: ConnectionRecord,
  ): Promise<BusyInterval[]> {
    const calendars = await this.freeBusy.busyOf(
      calendarId,
      new Date(Date.parse(request.timeMin) - (request.bufferBeforeMinutes ?? 0) * MINUTE_MS),
      new Date(Date.parse(request.timeMax) + (request.bufferAfterMinutes ?? 0) * MINUTE_MS),
      googleCalendarIds,
      connection,
    );
    const unreadable = calendars.filter((calendar) => calendar.error);
    if (unreadable.length > 0) {
      throw new DomainException(
        HttpStatus.NOT_FOUND,
        ErrorCode.NotFound,
        `Google cannot read ${unreadable.map((calendar) => calendar.googleCalendarId).join(', ')}`,
        unreadable.map(({ googleCalendarId, error }) => ({ googleCalendarId, error })),
      );
    }
    return calendars.flatMap((calendar) => calendar.busy);
  }
}

/** The slot engine's rules from a request, the contract's defaults filled in. */
export function slotRules(request: SlotRulesRequest, now: Date): AvailabilityRules {
  return {
    timeMin: new Date(request.timeMin),
    timeMax: new Date(request.timeMax),
    durationMinutes: request.durationMinutes,
    timeZone: request.timeZone,
    ...(request.workingHours ? { workingHours: request.workingHours } : {}),
    slotStepMinutes: request.slotStepMinutes ?? request.durationMinutes,
    bufferBeforeMinutes: request.bufferBeforeMinutes ?? 0,
    bufferAfterMinutes: request.bufferAfterMinutes ?? 0,
    minNoticeMinutes: request.minNoticeMinutes ?? 0,
    now,
  };
}
