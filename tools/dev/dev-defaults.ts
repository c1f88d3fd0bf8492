import { STANDALONE_DEFAULT_PORT } from '@connector-service/google-sandbox';
import { join } from 'node:path';

/** Embedded defaults of the local stack (`npm start`). Never use these values in production. */
export const WORKSPACE_ROOT = join(__dirname, '../..');
/** Git-ignored working data of the local stack: FerretDB files, captured mail and webhooks. */
export const LOCAL_DIR = join(WORKSPACE_ROOT, '.local');
export const LOCAL_FERRETDB_DIR = join(LOCAL_DIR, 'ferretdb');
export const LOCAL_MAIL_DIR = join(LOCAL_DIR, 'mail');
/** The platform webhooks the local receiver took, one JSON file each. */
export const LOCAL_WEBHOOKS_DIR = join(LOCAL_DIR, 'webhooks');

export const DEV_PORTS = {
  demoPage: 3000,
  databaseApi: 3002,
  webhookApi: 3004,
  platformReceiver: 3006,
  ferretDb: 27018,
  smtp: 2525,
  googleSandbox: STANDALONE_DEFAULT_PORT,
};
/** One database per app, as in production. */
export const DEV_DATABASES = { databaseApi: 'connectors', webhookApi: 'connector_webhooks' };
export const DEV_JWT_SECRET = 'local-dev-jwt-secret-change-me-0001';
/** What database-api accepts from services (webhook-api presents it). */
export const DEV_DATABASE_SERVICE_TOKEN = 'local-dev-database-service-token';
/** What webhook-api accepts from services (database-api presents it). */
export const DEV_WEBHOOK_SERVICE_TOKEN = 'local-dev-webhook-service-token';
/** 32 fixed bytes, base64: stored Google tokens stay readable across restarts of the stack. */
export const DEV_TOKEN_ENCRYPTION_KEY = 'bG9jYWwtZGV2LXRva2VuLWtleS0zMi1ieXRlcyEhISE=';
/** PLATFORM_WEBHOOK_SECRET: "whsec_" + base64 of 32 fixed bytes; webhook-api signs with it, the local receiver verifies. */
export const DEV_PLATFORM_WEBHOOK_SECRET = 'whsec_vCldor+gCw3yyWQP1cK2RHL+Nqmlhap9VBLGzm5593w=';
export const DEV_MAIL_FROM = 'Calendar Connector (local) <noreply@localhost>';
export const DEV_GOOGLE_REDIRECT_URI = `http://localhost:${DEV_PORTS.webhookApi}/api/google-calendar/callback`;
/** The demo page's origin: database-api's CORS_ORIGINS lets it call (unless the environment sets CORS_ORIGINS). */
export const DEV_DEMO_PAGE_ORIGIN = `http://localhost:${DEV_PORTS.demoPage}`;
/** The subaccount of the "try it" commands printed by `npm start`. */
export const EXAMPLE_SUBACCOUNT_ID = '68cf05f060d294db17c0685e';
