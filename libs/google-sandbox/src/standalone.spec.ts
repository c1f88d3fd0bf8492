import { GoogleSandbox } from './google-sandbox';
import { STANDALONE_DEFAULT_PORT, parseStandaloneOptions, standaloneBanner } from './standalone';

describe('the standalone sandbox (npm run sandbox)', () => {
  it('takes the command line over the environment over the defaults', () => {
    expect(parseStandaloneOptions([], {})).toEqual({
      port: STANDALONE_DEFAULT_PORT,
      host: '127.0.0.1',
      clientId: 'sandbox-client-id',
      clientSecret: 'sandbox-client-secret',
      autoConsent: false,
      quiet: false,
    });
    const env = {
      GOOGLE_SANDBOX_PORT: '4999',
      GOOGLE_SANDBOX_HOST: '0.0.0.0',
      GOOGLE_SANDBOX_CLIENT_ID: 'their-client',
      GOOGLE_SANDBOX_CLIENT_SECRET: 'their-secret',
      GOOGLE_SANDBOX_AUTO_CONSENT: '1',
      GOOGLE_SANDBOX_QUIET: 'true',
    };
    expect(parseStandaloneOptions([], env)).toEqual({
      port: 4999,
      host: '0.0.0.0',
      clientId: 'their-client',
      clientSecret: 'their-secret',
      autoConsent: true,
      quiet: true,
    });
    expect(parseStandaloneOptions(['--port', '0', '--client-id', 'ci-client'], env)).toMatchObject({
      port: 0,
      clientId: 'ci-client',
      autoConsent: true,
    });
    expect(parseStandaloneOptions(['--help'], {})).toBe('help');
  });

  it('refuses what is not a port or not an option', () => {
    expect(() => parseStandaloneOptions(['--port', 'http'], {})).toThrow(/not a port/);
    expect(() => parseStandaloneOptions([], { GOOGLE_SANDBOX_PORT: '70000' })).toThrow(/not a port/);
    expect(() => parseStandaloneOptions(['--prot', '1'], {})).toThrow();
  });

  it('prints its endpoints and the GOOGLE_* variables that point an app at it', async () => {
    const sandbox = await GoogleSandbox.start({ clientId: 'their-client' });
    try {
      const options = parseStandaloneOptions([], {});
      if (options === 'help') throw new Error('no options without --help');
      const banner = standaloneBanner(sandbox, options);
      expect(banner).toContain(`Google sandbox on ${sandbox.baseUrl}`);
      expect(banner).toContain('GOOGLE_CLIENT_ID=their-client\n');
      for (const [name, value] of Object.entries(sandbox.googleVariables())) {
        expect(banner).toContain(`\n${name}=${value}\n`);
      }
      expect(sandbox.googleVariables()).toEqual({
        GOOGLE_CLIENT_ID: 'their-client',
        GOOGLE_CLIENT_SECRET: 'sandbox-client-secret',
        GOOGLE_OAUTH_AUTH_URL: sandbox.endpoints.authUrl,
        GOOGLE_OAUTH_TOKEN_URL: sandbox.endpoints.tokenUrl,
        GOOGLE_OAUTH_REVOKE_URL: sandbox.endpoints.revokeUrl,
        GOOGLE_API_ROOT_URL: sandbox.baseUrl,
      });
    } finally {
      await sandbox.stop();
    }
  });
});
