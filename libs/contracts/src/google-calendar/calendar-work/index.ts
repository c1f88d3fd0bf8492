export * from './time-rules';
export * from './free-busy.dto';
export * from './availability.dto';
export * from './calendar-event.dto';
export * from './idempotency-key';
export * from './group-availability.dto';
