import type { GoogleCalendarConnection, WatchedCalendarChoice } from './google-calendar-connection.schema';

/** Who a connection (or a consent) is with at Google. */
export interface GoogleIdentity {
  googleEmail: string;
  googleUserId?: string;
}

/**
 * Whether two identities are one Google account: by Google's account id when both have it
 * (an account's e-mail can change), else by e-mail, whose case Google ignores.
 */
export function isSameGoogleAccount(a: GoogleIdentity, b: GoogleIdentity): boolean {
  if (a.googleUserId && b.googleUserId) return a.googleUserId === b.googleUserId;
  return a.googleEmail.toLowerCase() === b.googleEmail.toLowerCase();
}

type AccountFields = Pick<
  GoogleCalendarConnection,
  'stateVersion' | 'connectedAt' | 'accountVersion' | 'accountConnectedAt'
>;

type WatchFields = AccountFields &
  Pick<GoogleCalendarConnection, 'googleEmail' | 'watchedCalendars' | 'watchedAccountVersion'>;

/**
 * The `stateVersion` at which the connection's current Google account was connected: its
 * sync state and push channels belong to that account from this version on. Connections
 * stored before it was recorded count from their current version.
 */
export function accountVersionOf(connection: AccountFields): number {
  return connection.accountVersion ?? connection.stateVersion;
}

/** When the connection's current Google account was connected: a baseline delivers what changed since. */
export function accountConnectedAtOf(connection: AccountFields): Date {
  return connection.accountConnectedAt ?? connection.connectedAt;
}

/**
 * The calendars the connection watches: those the platform chose for its current Google
 * account, else the primary calendar (by the account's e-mail, Google's own id for it).
 */
export function watchedCalendarsOf(connection: WatchFields): WatchedCalendarChoice[] {
  const chosen = connection.watchedCalendars;
  if (chosen && chosen.length > 0 && connection.watchedAccountVersion === accountVersionOf(connection)) return chosen;
  return [{ googleCalendarId: connection.googleEmail }];
}
