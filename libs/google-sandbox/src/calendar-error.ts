import { ServerResponse } from 'node:http';
import { sendApiError } from './api-errors';
import { SandboxEvent } from './types';

/** A Calendar v3 error answer: status, message and the `errors[0].reason` Google gives. */
export interface CalendarError {
  code: number;
  message: string;
  reason: string;
}

export type EventResult = { ok: true; event: SandboxEvent } | { ok: false; error: CalendarError };

export function calendarError(code: number, message: string, reason: string): CalendarError {
  return { code, message, reason };
}

export function fail(code: number, message: string, reason: string): { ok: false; error: CalendarError } {
  return { ok: false, error: calendarError(code, message, reason) };
}

export const NOT_FOUND: CalendarError = { code: 404, message: 'Not Found', reason: 'notFound' };

export function sendCalendarError(res: ServerResponse, error: CalendarError): void {
  sendApiError(res, error.code, error.message, { reason: error.reason });
}
