import { ConnectionStatus } from '@connector-service/contracts';
import { Types } from 'mongoose';
import { channelExpiresAt, toConnectionOverview } from './connection-overview';

const at = (iso: string) => new Date(iso);

describe('channelExpiresAt', () => {
  it('is null without a channel Google has answered', () => {
    expect(channelExpiresAt([])).toBeNull();
    expect(channelExpiresAt([{ googleCalendarId: 'primary', expiration: null }])).toBeNull();
  });

  it("takes a calendar's latest channel (one being renewed overlaps its successor)", () => {
    expect(
      channelExpiresAt([
        { googleCalendarId: 'primary', expiration: at('2026-12-08T00:00:00Z') },
        { googleCalendarId: 'primary', expiration: at('2026-12-14T00:00:00Z') },
        { googleCalendarId: 'primary', expiration: null },
      ]),
    ).toEqual(at('2026-12-14T00:00:00Z'));
  });

  it('takes the calendar whose coverage lapses first', () => {
    expect(
      channelExpiresAt([
        { googleCalendarId: 'primary', expiration: at('2026-12-14T00:00:00Z') },
        { googleCalendarId: 'team', expiration: at('2026-12-08T00:00:00Z') },
        { googleCalendarId: 'team', expiration: at('2026-12-10T00:00:00Z') },
      ]),
    ).toEqual(at('2026-12-10T00:00:00Z'));
  });
});

describe('toConnectionOverview', () => {
  const connection = {
    _id: new Types.ObjectId('68cf06a160d294db17c06871'),
    subaccountId: '68cf05f060d294db17c0685e',
    googleEmail: 'user@example.com',
    status: ConnectionStatus.Connected,
    lastError: null,
    lastRefreshError: null,
    connectedAt: at('2026-12-01T08:00:00Z'),
  };

  it('answers nulls and zeros when nothing else is known', () => {
    expect(toConnectionOverview(connection, { channels: [] })).toEqual({
      calendarId: '68cf06a160d294db17c06871',
      subaccountId: '68cf05f060d294db17c0685e',
      googleEmail: 'user@example.com',
      status: 'connected',
      lastError: null,
      connectedAt: '2026-12-01T08:00:00.000Z',
      lastSyncedAt: null,
      channelExpiresAt: null,
      pendingDeliveries: 0,
      failedDeliveries: 0,
    });
  });

  it('names the most serious failure: lost access, else the refresh, else the sync', () => {
    const sync = { lastSyncedAt: at('2026-12-01T09:00:00Z'), lastError: 'HTTP 500' };
    const figures = { sync, channels: [], deliveries: { pending: 2, failed: 1 } };
    expect(toConnectionOverview(connection, figures)).toMatchObject({
      lastError: 'HTTP 500',
      lastSyncedAt: '2026-12-01T09:00:00.000Z',
      pendingDeliveries: 2,
      failedDeliveries: 1,
    });
    expect(toConnectionOverview({ ...connection, lastRefreshError: 'HTTP 503' }, figures).lastError).toBe('HTTP 503');
    expect(
      toConnectionOverview(
        { ...connection, status: ConnectionStatus.ReauthRequired, lastError: 'invalid_grant', lastRefreshError: 'x' },
        figures,
      ).lastError,
    ).toBe('invalid_grant');
  });
});
