import { ConfigValidationError, validateConfig } from '@connector-service/app-core';
import { DatabaseApiConfig } from './database-api.config';

const valid = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/connectors',
  JWT_SECRET: 'a-secret-of-enough-length',
  WEBHOOK_SERVER_URL: 'http://localhost:3004',
  WEBHOOK_SERVER_SERVICE_TOKEN: 'webhook-token-0123456789',
  DATABASE_SERVER_SERVICE_TOKEN: 'database-token-0123456789',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    validateConfig(DatabaseApiConfig, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('DatabaseApiConfig', () => {
  it('types a valid environment, with defaults and token lists', () => {
    const config = validateConfig(DatabaseApiConfig, {
      ...valid,
      DATABASE_SERVER_SERVICE_TOKEN: ' database-token-0123456789 , database-token-previous-01 ',
      CORS_ORIGINS: 'https://app.example.com,http://localhost:5173',
      UNRELATED: 'ignored',
    });
    expect(config.PORT).toBe(3002);
    expect(config.DATABASE_SERVER_SERVICE_TOKEN).toEqual(['database-token-0123456789', 'database-token-previous-01']);
    expect(config.CORS_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(config.WEBHOOK_API_TIMEOUT_MS).toBe(10000);
  });

  it('reads PORT as a number', () => {
    expect(validateConfig(DatabaseApiConfig, { ...valid, PORT: '4000' }).PORT).toBe(4000);
  });

  it('names every missing variable at once', () => {
    expect(problemsOf({})).toEqual([
      'DATABASE_SERVER_SERVICE_TOKEN is missing',
      'JWT_SECRET is missing',
      'MONGODB_URI is missing',
      'WEBHOOK_SERVER_SERVICE_TOKEN is missing',
      'WEBHOOK_SERVER_URL is missing',
    ]);
  });

  it('treats an empty variable as missing', () => {
    expect(problemsOf({ ...valid, JWT_SECRET: '' })).toEqual(['JWT_SECRET is missing']);
  });

  it('names every malformed variable', () => {
    const problems = problemsOf({
      ...valid,
      MONGODB_URI: 'postgres://x',
      PORT: 'eighty',
      WEBHOOK_SERVER_URL: 'not a url',
      JWT_SECRET: 'short',
      DATABASE_SERVER_SERVICE_TOKEN: 'database-token-0123456789,tiny',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(
      ['DATABASE_SERVER_SERVICE_TOKEN', 'JWT_SECRET', 'MONGODB_URI', 'PORT', 'WEBHOOK_SERVER_URL'].sort(),
    );
    expect(problems.every((p) => p.includes('is malformed'))).toBe(true);
  });

  it('puts every problem in one message, sorted by variable', () => {
    expect(() => validateConfig(DatabaseApiConfig, { JWT_SECRET: 'short' })).toThrow(
      /Invalid configuration:\n {2}- DATABASE_SERVER_SERVICE_TOKEN is missing\n {2}- JWT_SECRET is malformed: must be at least 16 characters\n {2}- MONGODB_URI is missing/,
    );
  });
});
