import { StackEnvOptions, stackEnv } from './stack-env';

const sandbox = {
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
  endpoints: {
    authUrl: 'http://127.0.0.1:4010/o/oauth2/v2/auth',
    tokenUrl: 'http://127.0.0.1:4010/token',
    revokeUrl: 'http://127.0.0.1:4010/revoke',
    apiRootUrl: 'http://127.0.0.1:4010/',
    pemCertsUrl: 'http://127.0.0.1:4010/oauth2/v1/certs',
    jwksUrl: 'http://127.0.0.1:4010/oauth2/v3/certs',
  },
};

const options: StackEnvOptions = {
  databasePort: 3102,
  webhookPort: 3104,
  databaseMongoUri: 'mongodb://127.0.0.1:27018/connectors',
  webhookMongoUri: 'mongodb://127.0.0.1:27018/connector_webhooks',
  jwtSecret: 'jwt-secret',
  serviceTokens: { acceptedByDatabaseApi: 'db-new,db-old', acceptedByWebhookApi: 'wh-token' },
  google: sandbox,
  smtpUrl: 'smtp://127.0.0.1:2525',
  tokenEncryptionKey: 'a2V5',
};

describe('stackEnv', () => {
  it('wires both apps to each other, their databases, the sandbox and SMTP', () => {
    expect(stackEnv(options)).toEqual({
      databaseApi: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: '3102',
        MONGODB_URI: 'mongodb://127.0.0.1:27018/connectors',
        JWT_SECRET: 'jwt-secret',
        WEBHOOK_SERVER_URL: 'http://127.0.0.1:3104',
        WEBHOOK_SERVER_SERVICE_TOKEN: 'wh-token',
        DATABASE_SERVER_SERVICE_TOKEN: 'db-new,db-old',
      },
      webhookApi: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: '3104',
        MONGODB_URI: 'mongodb://127.0.0.1:27018/connector_webhooks',
        DATABASE_SERVER_URL: 'http://127.0.0.1:3102',
        // A presenter sends the first token of the accepting side's list.
        DATABASE_SERVER_SERVICE_TOKEN: 'db-new',
        WEBHOOK_SERVER_SERVICE_TOKEN: 'wh-token',
        GOOGLE_CLIENT_ID: 'sandbox-client-id',
        GOOGLE_CLIENT_SECRET: 'sandbox-client-secret',
        GOOGLE_REDIRECT_URI: 'http://127.0.0.1:3104/api/google-calendar/callback',
        GOOGLE_OAUTH_AUTH_URL: 'http://127.0.0.1:4010/o/oauth2/v2/auth',
        GOOGLE_OAUTH_TOKEN_URL: 'http://127.0.0.1:4010/token',
        GOOGLE_OAUTH_REVOKE_URL: 'http://127.0.0.1:4010/revoke',
        GOOGLE_API_ROOT_URL: 'http://127.0.0.1:4010/',
        TOKEN_ENCRYPTION_KEY: 'a2V5',
        SMTP_URL: 'smtp://127.0.0.1:2525',
        MAIL_FROM: 'Calendar Connector <noreply@example.test>',
      },
    });
  });

  it('leaves out what a real Google client does not set, so the apps use Google’s endpoints', () => {
    const { webhookApi } = stackEnv({ ...options, host: 'localhost', google: { clientId: 'real-id' } });
    expect(Object.keys(webhookApi).filter((key) => key.startsWith('GOOGLE_'))).toEqual([
      'GOOGLE_CLIENT_ID',
      'GOOGLE_REDIRECT_URI',
    ]);
    expect(webhookApi['GOOGLE_REDIRECT_URI']).toBe('http://localhost:3104/api/google-calendar/callback');
    expect(webhookApi['DATABASE_SERVER_URL']).toBe('http://localhost:3102');
  });

  it('applies common variables, then per-app overrides, which win', () => {
    const env = stackEnv({
      ...options,
      logLevel: 'info',
      common: { NODE_OPTIONS: '--max-old-space-size=128', LOG_LEVEL: 'debug' },
      overrides: { databaseApi: { LOG_LEVEL: 'error' }, webhookApi: { MAIL_FROM: 'Other <o@example.test>' } },
    });
    expect(env.databaseApi).toMatchObject({ NODE_OPTIONS: '--max-old-space-size=128', LOG_LEVEL: 'error' });
    expect(env.webhookApi).toMatchObject({
      NODE_OPTIONS: '--max-old-space-size=128',
      LOG_LEVEL: 'debug',
      MAIL_FROM: 'Other <o@example.test>',
    });
  });

  it('makes a fresh 32-byte encryption key when none is given', () => {
    const { tokenEncryptionKey: _omitted, ...withoutKey } = options;
    const first = stackEnv(withoutKey).webhookApi['TOKEN_ENCRYPTION_KEY'] as string;
    const second = stackEnv(withoutKey).webhookApi['TOKEN_ENCRYPTION_KEY'] as string;
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(first).not.toBe(second);
  });
});
