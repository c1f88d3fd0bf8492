import { ServiceTokenMatcher, bearerToken } from './service-token-matcher';

describe('ServiceTokenMatcher', () => {
  it('accepts each of several tokens (rotation) and nothing else', () => {
    const matcher = new ServiceTokenMatcher(['old-token-123', 'new-token-456']);
    expect(matcher.matches('old-token-123')).toBe(true);
    expect(matcher.matches('new-token-456')).toBe(true);
    expect(matcher.matches('new-token-45')).toBe(false);
    expect(matcher.matches('new-token-4567')).toBe(false);
    expect(matcher.matches('')).toBe(false);
    expect(matcher.matches(undefined)).toBe(false);
  });

  it('ignores blank entries but refuses to be built with no token at all', () => {
    expect(new ServiceTokenMatcher([' a ', '']).matches('a')).toBe(true);
    expect(() => new ServiceTokenMatcher(['', '  '])).toThrow(/at least one token/);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    [undefined, null],
  ])('%s -> %s', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
