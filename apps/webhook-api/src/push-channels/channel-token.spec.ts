import { channelTokenHash, channelTokenMatches, newChannelToken, renewalTime } from './channel-token';

describe('channel tokens', () => {
  it('matches only the token whose hash is stored', () => {
    const token = newChannelToken();
    const hash = channelTokenHash(token);
    expect(channelTokenMatches(token, hash)).toBe(true);
    expect(channelTokenMatches(`${token}x`, hash)).toBe(false);
    expect(channelTokenMatches('', hash)).toBe(false);
    expect(channelTokenMatches(undefined, hash)).toBe(false);
    expect(newChannelToken()).not.toBe(token);
  });
});

describe('renewalTime', () => {
  const openedAt = new Date('2026-12-01T00:00:00Z');

  it("renews Google's week-long channel a day before it expires", () => {
    const expiration = new Date('2026-12-08T00:00:00Z');
    expect(renewalTime(openedAt, expiration).toISOString()).toBe('2026-12-07T00:00:00.000Z');
  });

  it('renews a short channel when a quarter of its lifetime is left', () => {
    const expiration = new Date(openedAt.getTime() + 8000);
    expect(renewalTime(openedAt, expiration).getTime()).toBe(openedAt.getTime() + 6000);
  });

  it('renews an hour-long channel 15 minutes before it expires', () => {
    const expiration = new Date(openedAt.getTime() + 3_600_000);
    expect(renewalTime(openedAt, expiration).getTime()).toBe(expiration.getTime() - 900_000);
  });
});
