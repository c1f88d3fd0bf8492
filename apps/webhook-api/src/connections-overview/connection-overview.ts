import { ConnectionOverviewDto } from '@connector-service/contracts';
import type { ConnectionPageEntry } from '../connections/connection.repository';

/** An open push channel as the overview reads it. */
export interface OpenChannel {
  readonly googleCalendarId: string;
  readonly expiration: Date | null;
}

/** What the overview read about one connection besides the connection itself. */
export interface ConnectionFigures {
  readonly sync?: { readonly lastSyncedAt: Date | null; readonly lastError: string | null };
  readonly channels: readonly OpenChannel[];
  readonly deliveries?: { readonly pending: number; readonly failed: number };
}

/**
 * When the connection's push coverage first lapses: per watched calendar its latest channel
 * (a channel being renewed overlaps its successor), and of those the earliest; null without
 * an open channel.
 */
export function channelExpiresAt(channels: readonly OpenChannel[]): Date | null {
  const latestPerCalendar = new Map<string, number>();
  for (const channel of channels) {
    if (!channel.expiration) continue;
    const time = channel.expiration.getTime();
    latestPerCalendar.set(
      channel.googleCalendarId,
      Math.max(time, latestPerCalendar.get(channel.googleCalendarId) ?? time),
    );
  }
  if (latestPerCalendar.size === 0) return null;
  return new Date(Math.min(...latestPerCalendar.values()));
}

/**
 * One item of the operator's view. `lastError` is what is failing now, most serious first:
 * why access was lost, else the token refresh that keeps failing, else the calendar sync;
 * each is cleared by its next success.
 */
export function toConnectionOverview(
  connection: ConnectionPageEntry,
  figures: ConnectionFigures,
): ConnectionOverviewDto {
  const expiresAt = channelExpiresAt(figures.channels);
  return {
    calendarId: connection._id.toString(),
    subaccountId: connection.subaccountId,
    googleEmail: connection.googleEmail,
    status: connection.status,
    lastError: connection.lastError ?? connection.lastRefreshError ?? figures.sync?.lastError ?? null,
    connectedAt: connection.connectedAt.toISOString(),
    lastSyncedAt: figures.sync?.lastSyncedAt?.toISOString() ?? null,
    channelExpiresAt: expiresAt?.toISOString() ?? null,
    pendingDeliveries: figures.deliveries?.pending ?? 0,
    failedDeliveries: figures.deliveries?.failed ?? 0,
  };
}
