import { join } from 'node:path';

/** Embedded defaults of the local stack (`npm start`). Never use these values in production. */
export const WORKSPACE_ROOT = join(__dirname, '../..');
export const LOCAL_DIR = join(WORKSPACE_ROOT, '.local');

export const DEV_PORTS = { databaseApi: 3002, webhookApi: 3004, ferretDb: 27018, smtp: 2525, googleSandbox: 4010 };
export const DEV_JWT_SECRET = 'local-dev-jwt-secret-change-me-0001';
export const DEV_DATABASE_SERVICE_TOKEN = 'local-dev-database-service-token';
export const DEV_WEBHOOK_SERVICE_TOKEN = 'local-dev-webhook-service-token';
/** 32 fixed bytes, base64: local tokens stay readable across restarts of the stack. */
export const DEV_TOKEN_ENCRYPTION_KEY = 'bG9jYWwtZGV2LXRva2VuLWtleS0zMi1ieXRlcyEhISE=';
export const DEV_MAIL_FROM = 'Calendar Connector (local) <noreply@localhost>';
export const EXAMPLE_SUBACCOUNT_ID = '68cf05f060d294db17c0685e';
