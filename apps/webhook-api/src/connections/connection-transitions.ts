import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { withoutDeadline } from '@connector-service/app-core';

const TRANSITION = 'transition';

/**
 * In-process news that a connection's status changed (ConnectionRepository tells it after
 * the write), so the work the change owes starts at once. Only a hint: what is owed is in
 * the connection's document, and other replicas or a restart find it by polling.
 */
@Injectable()
export class ConnectionTransitions {
  private readonly emitter = new EventEmitter();

  /** Tells the listeners; what they start is background work, not bound by the deadline of the request that made the change. */
  notify(calendarId: string): void {
    withoutDeadline(() => this.emitter.emit(TRANSITION, calendarId));
  }

  subscribe(listener: (calendarId: string) => void): void {
    this.emitter.on(TRANSITION, listener);
  }
}
