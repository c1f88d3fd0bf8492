import { randomUUID } from 'node:crypto';
import { hasChannelIdShape, isOwnChannelId, newChannelId, newChannelIdKey } from './channel-id';

const GOOGLE_CHANNEL_ID = /^[A-Za-z0-9\-_+/=]{1,64}$/;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('channel ids', () => {
  const key = newChannelIdKey();

  it('makes ids Google takes, each different, that prove to be ours', () => {
    const ids = Array.from({ length: 50 }, () => newChannelId(key));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(GOOGLE_CHANNEL_ID);
      expect(hasChannelIdShape(id)).toBe(true);
      expect(isOwnChannelId(id, key)).toBe(true);
    }
  });

  it('refuses ids made up by others, altered ones and ours under another key', () => {
    const id = newChannelId(key);
    const altered = [
      `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`,
      // Another spelling of the same proof bytes (16 bytes leave 4 spare bits in the last character).
      `${id.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(id.slice(-1)) ^ 1] ?? ''}`,
      `${id.slice(0, 4)}${id[4] === 'A' ? 'B' : 'A'}${id.slice(5)}`,
      `${id}A`,
      id.slice(0, -1),
    ];
    for (const other of [...altered, randomUUID(), 'not-ours', '', `cs1-${'A'.repeat(44)}`]) {
      expect([other, isOwnChannelId(other, key)]).toEqual([other, false]);
    }
    expect(isOwnChannelId(id, newChannelIdKey())).toBe(false);
    expect(hasChannelIdShape(randomUUID())).toBe(false);
  });
});
