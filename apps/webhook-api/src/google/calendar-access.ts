import type { WatchEndedReason } from '@connector-service/contracts';
import { GoogleApiException } from './google-errors';

/** Google's reasons of a 403 that mean the account may not read the calendar (not a quota or a missing scope). */
const NO_ACCESS_REASONS = new Set(['forbidden', 'requiredAccessLevel', 'notACalendarUser']);

/**
 * Why Google's answer means the account can no longer read a calendar (deleted: 404 or 410;
 * unshared: 404 or 403); undefined for any other failure. A 410 for a sync token is not
 * this: the caller takes it first (a full listing).
 */
export function calendarAccessLost(error: unknown): WatchEndedReason | undefined {
  if (!(error instanceof GoogleApiException)) return undefined;
  const { failure } = error;
  if (failure.kind === 'not_found') return failure.status === 410 ? 'gone' : 'not_found';
  if (failure.kind === 'permission_denied' && (failure.reason === undefined || NO_ACCESS_REASONS.has(failure.reason))) {
    return 'forbidden';
  }
  return undefined;
}
