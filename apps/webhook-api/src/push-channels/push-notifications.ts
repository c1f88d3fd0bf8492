import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

const PUSH = 'push';

/**
 * In-process news that Google pushed a change for one of a connection's calendars (the push
 * endpoint tells it after checking the channel), so the sync can start at once. The sync
 * feature listens; this keeps push channels from depending on the sync (which asks the
 * channels whether one is live).
 */
@Injectable()
export class PushNotifications {
  private readonly emitter = new EventEmitter();

  received(calendarId: string, googleCalendarId: string, receivedAt: Date): void {
    this.emitter.emit(PUSH, calendarId, googleCalendarId, receivedAt);
  }

  subscribe(listener: (calendarId: string, googleCalendarId: string, receivedAt: Date) => void): void {
    this.emitter.on(PUSH, listener);
  }
}
