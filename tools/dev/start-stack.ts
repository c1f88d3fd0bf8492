/**
 * npm start: the whole system on this machine with embedded defaults, no configuration.
 * FerretDB (data in .local/ferretdb), a mail catcher (.local/mail), the Google sandbox
 * (unless GOOGLE_CLIENT_ID is set), and both apps built and started. Variables set in the
 * environment override the defaults (MONGODB_URI to use a real MongoDB, GOOGLE_* for real
 * Google). Ctrl-C stops everything.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FerretDbServer, databaseUri, startFerretDb } from '../../libs/testing/src/lib/ferretdb';
import { mintUserJwt } from '../../libs/testing/src/lib/jwt';
import { SmtpCapture } from '../../libs/testing/src/lib/smtp-capture';
import { GoogleSandbox } from '../../libs/testing/src/google-sandbox';
import {
  DEV_DATABASE_SERVICE_TOKEN,
  DEV_JWT_SECRET,
  DEV_MAIL_FROM,
  DEV_PORTS,
  DEV_TOKEN_ENCRYPTION_KEY,
  DEV_WEBHOOK_SERVICE_TOKEN,
  EXAMPLE_SUBACCOUNT_ID,
  LOCAL_DIR,
  WORKSPACE_ROOT,
} from './dev-defaults';
import { startMailCatcher } from './mail-catcher';

type AppName = 'database-api' | 'webhook-api';

const env = process.env;
const stoppers: Array<() => Promise<void>> = [];
const apps = new Map<AppName, ChildProcess>();
let stopping = false;

async function main(): Promise<void> {
  const mongoBase = env['MONGODB_URI'] ?? (await startLocalMongo()).uri;
  const mail = await startMail();
  const google = await googleSettings();

  console.log('Building both apps (nx) ...');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=database-api,webhook-api', '--outputStyle=static'], {
    cwd: WORKSPACE_ROOT,
    stdio: 'inherit',
    env: { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });

  const jwtSecret = env['JWT_SECRET'] ?? DEV_JWT_SECRET;
  const databaseToken = env['DATABASE_SERVER_SERVICE_TOKEN'] ?? DEV_DATABASE_SERVICE_TOKEN;
  const webhookToken = env['WEBHOOK_SERVER_SERVICE_TOKEN'] ?? DEV_WEBHOOK_SERVICE_TOKEN;
  const shared = { NODE_ENV: 'production', LOG_LEVEL: env['LOG_LEVEL'] ?? 'info', PATH: env['PATH'] ?? '' };
  start('database-api', {
    ...shared,
    PORT: String(DEV_PORTS.databaseApi),
    MONGODB_URI: databaseUri(mongoBase, 'connectors'),
    JWT_SECRET: jwtSecret,
    WEBHOOK_SERVER_URL: `http://localhost:${DEV_PORTS.webhookApi}`,
    WEBHOOK_SERVER_SERVICE_TOKEN: webhookToken,
    DATABASE_SERVER_SERVICE_TOKEN: databaseToken,
    ...(env['CORS_ORIGINS'] ? { CORS_ORIGINS: env['CORS_ORIGINS'] } : {}),
  });
  start('webhook-api', {
    ...shared,
    PORT: String(DEV_PORTS.webhookApi),
    MONGODB_URI: databaseUri(mongoBase, 'connector_webhooks'),
    DATABASE_SERVER_URL: `http://localhost:${DEV_PORTS.databaseApi}`,
    DATABASE_SERVER_SERVICE_TOKEN: databaseToken,
    WEBHOOK_SERVER_SERVICE_TOKEN: webhookToken,
    TOKEN_ENCRYPTION_KEY: env['TOKEN_ENCRYPTION_KEY'] ?? DEV_TOKEN_ENCRYPTION_KEY,
    SMTP_URL: mail.url,
    MAIL_FROM: env['MAIL_FROM'] ?? DEV_MAIL_FROM,
    ...google,
  });
  await Promise.all([waitHealthy('database-api', DEV_PORTS.databaseApi), waitHealthy('webhook-api', DEV_PORTS.webhookApi)]);
  printTryIt(jwtSecret, databaseToken);
}

async function startLocalMongo(): Promise<FerretDbServer> {
  execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/ferretdb/build.sh')], { stdio: 'inherit' });
  const dataDir = join(LOCAL_DIR, 'ferretdb');
  mkdirSync(dataDir, { recursive: true });
  const server = await startFerretDb({ port: DEV_PORTS.ferretDb, dataDir });
  stoppers.push(() => server.stop());
  console.log(`FerretDB (MongoDB wire protocol) on ${server.uri}, data in ${dataDir}`);
  return server;
}

async function startMail(): Promise<SmtpCapture> {
  const dir = join(LOCAL_DIR, 'mail');
  const mail = await startMailCatcher(DEV_PORTS.smtp, dir);
  stoppers.push(() => mail.close());
  console.log(`Mail catcher on ${mail.url}: messages are printed here and saved in ${dir}`);
  return mail;
}

/** The GOOGLE_* variables of webhook-api: the real Google client if one is configured, else the sandbox. */
async function googleSettings(): Promise<Record<string, string>> {
  const redirect = env['GOOGLE_REDIRECT_URI'] ?? `http://localhost:${DEV_PORTS.webhookApi}/api/google-calendar/callback`;
  if (env['GOOGLE_CLIENT_ID']) {
    const pass = ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_OAUTH_AUTH_URL', 'GOOGLE_OAUTH_TOKEN_URL', 'GOOGLE_OAUTH_REVOKE_URL', 'GOOGLE_API_ROOT_URL'];
    console.log('Using the real Google OAuth client from GOOGLE_CLIENT_ID.');
    return { ...Object.fromEntries(pass.filter((k) => env[k]).map((k) => [k, env[k] as string])), GOOGLE_REDIRECT_URI: redirect };
  }
  const sandbox = await GoogleSandbox.start({
    port: DEV_PORTS.googleSandbox,
    host: '127.0.0.1',
    autoConsent: false,
    accounts: [{ email: 'dev.user@example.com', name: 'Dev User' }],
  });
  stoppers.push(() => sandbox.stop());
  banner([
    'GOOGLE_CLIENT_ID is not set: using the LOCAL GOOGLE SANDBOX, not real Google.',
    `Consent pages are served by ${sandbox.baseUrl} (no Google account involved).`,
    'To use real Google, set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (see README).',
  ]);
  return {
    GOOGLE_CLIENT_ID: sandbox.clientId,
    GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
    GOOGLE_REDIRECT_URI: redirect,
    GOOGLE_OAUTH_AUTH_URL: sandbox.endpoints.authUrl,
    GOOGLE_OAUTH_TOKEN_URL: sandbox.endpoints.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: sandbox.endpoints.revokeUrl,
    GOOGLE_API_ROOT_URL: sandbox.endpoints.apiRootUrl,
  };
}

function start(name: AppName, appEnv: Record<string, string>): void {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'dist/apps', name, 'main.js')], {
    cwd: WORKSPACE_ROOT,
    env: appEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  apps.set(name, child);
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.length > 0)
      .forEach((line) => console.log(`[${name}] ${line}`));
  child.stdout?.on('data', prefix);
  child.stderr?.on('data', prefix);
  child.once('exit', (code, signal) => {
    apps.delete(name);
    if (stopping) return;
    console.error(`[${name}] exited (${signal ?? `code ${code}`}); stopping the stack.`);
    void shutdown(1);
  });
}

async function waitHealthy(name: AppName, port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!apps.has(name)) throw new Error(`${name} exited during start`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not become healthy on port ${port}`);
}

function printTryIt(jwtSecret: string, databaseToken: string): void {
  const token = mintUserJwt(jwtSecret, { sub: 'local-user', subaccountIds: [EXAMPLE_SUBACCOUNT_ID] }, { expiresIn: '12h' });
  const api = `http://localhost:${DEV_PORTS.databaseApi}/api/connectors/${EXAMPLE_SUBACCOUNT_ID}`;
  console.log(`
The stack is up. Try it (a JWT for subaccount ${EXAMPLE_SUBACCOUNT_ID}, valid 12 h; more with npm run token):

  TOKEN=${token}

  # 1. add the Google Calendar connector
  curl -s -X POST ${api} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"connectorId":"google-calendar"}'
  # 2. ask to connect: the e-mailed link is printed here (and saved in .local/mail)
  curl -s -X POST ${api}/handlegooglecalendar -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"userEmail":"you@example.com"}'
  # 3. open the link in a browser, click Allow, then read the connector: metadata.isConnected is true
  curl -s ${api}/google-calendar -H "Authorization: Bearer $TOKEN"
  # a metadata update as a service would send it
  curl -s -X POST ${api}/metadata/update -H "Authorization: Bearer ${databaseToken}" -H 'Content-Type: application/json' -d '{"metadata":{"note":"hello"}}'
  # disconnect (revokes at Google, metadata says disconnected)
  curl -s -X DELETE ${api}/google-calendar/connection -H "Authorization: Bearer $TOKEN"

  Swagger UI: http://localhost:${DEV_PORTS.databaseApi}/api/docs  and  http://localhost:${DEV_PORTS.webhookApi}/api/docs
  Ctrl-C stops everything.
`);
}

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((line) => line.length)) + 4;
  const rule = '!'.repeat(width);
  console.log(['', rule, ...lines.map((line) => `! ${line.padEnd(width - 4)} !`), rule, ''].join('\n'));
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('Stopping the stack ...');
  await Promise.all(
    [...apps.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((error: unknown) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  void shutdown(1);
});
