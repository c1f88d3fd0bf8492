import { hasToken, tokenProvider } from './token-source';

describe('tokenProvider', () => {
  it('answers a fixed token', async () => {
    await expect(tokenProvider('jwt-1')()).resolves.toBe('jwt-1');
  });

  it('asks a function anew on every call (the SPA may have refreshed it)', async () => {
    const tokens = ['jwt-1', 'jwt-2'];
    const provider = tokenProvider(async () => tokens.shift() ?? 'none');
    await expect(provider()).resolves.toBe('jwt-1');
    await expect(provider()).resolves.toBe('jwt-2');
  });

  it('counts an empty string as no token', () => {
    expect(hasToken('')).toBe(false);
    expect(hasToken(undefined)).toBe(false);
    expect(hasToken('jwt')).toBe(true);
    expect(hasToken(() => 'jwt')).toBe(true);
  });
});
