import { HttpStatus, Injectable } from '@nestjs/common';
import { AvailabilityRequestDto, AvailabilityResultDto, ErrorCode } from '@connector-service/contracts';
import { DomainException } from '@connector-service/app-core';
import { computeSlots } from './availability';
import { CalendarMetrics } from './calendar.metrics';
import { FreeBusyService } from './free-busy.service';

const MINUTE_MS = 60_000;

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
    const timeMin = new Date(request.timeMin);
    const timeMax = new Date(request.timeMax);
    const bufferBeforeMinutes = request.bufferBeforeMinutes ?? 0;
    const bufferAfterMinutes = request.bufferAfterMinutes ?? 0;
    const calendars = await this.freeBusy.busyOf(
      calendarId,
      new Date(timeMin.getTime() - bufferBeforeMinutes * MINUTE_MS),
      new Date(timeMax.getTime() + bufferAfterMinutes * MINUTE_MS),
      request.googleCalendarIds ?? ['primary'],
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
    const stopTimer = this.metrics.slotComputeSeconds.startTimer();
    const slots = computeSlots(
      {
        timeMin,
        timeMax,
        durationMinutes: request.durationMinutes,
        timeZone: request.timeZone,
        ...(request.workingHours ? { workingHours: request.workingHours } : {}),
        slotStepMinutes: request.slotStepMinutes ?? request.durationMinutes,
        bufferBeforeMinutes,
        bufferAfterMinutes,
        minNoticeMinutes: request.minNoticeMinutes ?? 0,
        now: new Date(),
      },
      calendars.flatMap((calendar) => calendar.busy),
    );
    stopTimer();
    return { timeZone: request.timeZone, slots };
  }
}
