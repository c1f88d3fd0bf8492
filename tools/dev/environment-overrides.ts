import { AppName, configVariables } from '@connector-service/testing';

/** Where webhook-api reaches Google: set from the environment as a group (the sandbox replaces them all). */
export const GOOGLE_VARIABLES = [
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'GOOGLE_OAUTH_AUTH_URL',
  'GOOGLE_OAUTH_TOKEN_URL',
  'GOOGLE_OAUTH_REVOKE_URL',
  'GOOGLE_API_ROOT_URL',
] as const;

/**
 * What `npm start` sets from the environment in its own way, not by passing the variable on:
 * one MongoDB for both apps (each its own database), the fixed local ports, the service tokens
 * (one app accepts the list the other presents the first of), Google or the sandbox, and
 * SMTP_URL or the mail catcher.
 */
const WIRED_BY_NPM_START: Record<AppName, readonly string[]> = {
  'database-api': ['MONGODB_URI', 'PORT', 'DATABASE_SERVER_SERVICE_TOKEN', 'WEBHOOK_SERVER_SERVICE_TOKEN'],
  'webhook-api': [
    'MONGODB_URI',
    'PORT',
    'DATABASE_SERVER_SERVICE_TOKEN',
    'WEBHOOK_SERVER_SERVICE_TOKEN',
    ...GOOGLE_VARIABLES,
    'SMTP_URL',
  ],
};

/**
 * The variables of an app that the environment of `npm start` may override: every one its
 * configuration class reads (derived from the class, so a new variable needs no edit here)
 * but those npm start wires itself.
 */
export function overridableVariables(app: AppName): string[] {
  return configVariables(app).filter((name) => !WIRED_BY_NPM_START[app].includes(name));
}
