/**
 * npm start: the whole system on this machine with embedded defaults, no configuration.
 *
 * FerretDB (data in .local/ferretdb), a mail catcher (.local/mail), the Google sandbox, and
 * both apps built and started. Every variable already set in the environment overrides the
 * embedded default: MONGODB_URI uses that MongoDB instead of FerretDB (each app gets its own
 * database on it), GOOGLE_CLIENT_ID (+ GOOGLE_CLIENT_SECRET) uses real Google instead of the
 * sandbox, SMTP_URL a real mail server instead of the catcher. The apps run with
 * NODE_ENV=production, so they never read a .env file: what they get is printed here.
 * Ctrl-C (or SIGTERM) stops everything; if an app dies, the rest is stopped and the exit code is 1.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { databaseUri, startFerretDb } from '../../libs/testing/src/lib/ferretdb';
import { mintUserJwt } from '../../libs/testing/src/lib/jwt';
import { GoogleSandbox } from '../../libs/testing/src/google-sandbox';
import {
  DEV_DATABASES,
  DEV_DATABASE_SERVICE_TOKEN,
  DEV_GOOGLE_REDIRECT_URI,
  DEV_JWT_SECRET,
  DEV_MAIL_FROM,
  DEV_PORTS,
  DEV_TOKEN_ENCRYPTION_KEY,
  DEV_WEBHOOK_SERVICE_TOKEN,
  EXAMPLE_SUBACCOUNT_ID,
  LOCAL_FERRETDB_DIR,
  LOCAL_MAIL_DIR,
  WORKSPACE_ROOT,
} from './dev-defaults';
import { startMailCatcher } from './mail-catcher';

type AppName = 'database-api' | 'webhook-api';
type Env = Record<string, string>;

const HEALTH_TIMEOUT_MS = 60_000;
const APP_STOP_GRACE_MS = 10_000;

/** Variables each app reads (see .env.example) that the environment of `npm start` may override. */
const OVERRIDABLE: Record<AppName, readonly string[]> = {
  'database-api': [
    'JWT_SECRET',
    'WEBHOOK_SERVER_URL',
    'CORS_ORIGINS',
    'WEBHOOK_API_TIMEOUT_MS',
    'CONNECT_RATE_LIMIT_PER_MINUTE',
    'LOG_LEVEL',
  ],
  'webhook-api': [
    'DATABASE_SERVER_URL',
    'GOOGLE_REDIRECT_URI',
    'TOKEN_ENCRYPTION_KEY',
    'MAIL_FROM',
    'OAUTH_SUCCESS_REDIRECT_URL',
    'OAUTH_FAILURE_REDIRECT_URL',
    'OAUTH_STATE_TTL_SECONDS',
    'OUTBOUND_TIMEOUT_MS',
    'OUTBOX_POLL_INTERVAL_MS',
    'REFRESH_SWEEP_INTERVAL_MS',
    'REFRESH_SWEEP_BATCH_SIZE',
    'CALLBACK_RATE_LIMIT_PER_MINUTE',
    'LOG_LEVEL',
  ],
};
const GOOGLE_VARS = [
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'GOOGLE_OAUTH_AUTH_URL',
  'GOOGLE_OAUTH_TOKEN_URL',
  'GOOGLE_OAUTH_REVOKE_URL',
  'GOOGLE_API_ROOT_URL',
];

/** Set and not empty: an empty variable counts as unset. */
function fromEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Stops of the helpers (FerretDB, mail, sandbox), in start order; run in reverse. */
const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
const apps = new Map<AppName, ChildProcess>();
/** A build or setup command in flight (its own process group, killed on shutdown). */
let runningCommand: ChildProcess | undefined;
let stopping = false;
/** The helper being started: shutdown waits for it, so that it is stopped too. */
let pendingStep: Promise<unknown> | undefined;

function step<T>(promise: Promise<T>): Promise<T> {
  pendingStep = promise;
  return promise;
}

async function main(): Promise<void> {
  const useFerretDb = fromEnv('MONGODB_URI') === undefined;
  const useMailCatcher = fromEnv('SMTP_URL') === undefined;
  const useSandbox = fromEnv('GOOGLE_CLIENT_ID') === undefined;
  await ensurePortsFree([
    ['database-api', DEV_PORTS.databaseApi],
    ['webhook-api', DEV_PORTS.webhookApi],
    ...(useFerretDb ? [['FerretDB', DEV_PORTS.ferretDb] as const] : []),
    ...(useMailCatcher ? [['mail catcher (SMTP)', DEV_PORTS.smtp] as const] : []),
    ...(useSandbox ? [['Google sandbox', DEV_PORTS.googleSandbox] as const] : []),
  ]);

  const mongoBase = useFerretDb ? await step(startLocalMongo()) : (fromEnv('MONGODB_URI') as string);
  if (stopping) return;
  if (!useFerretDb) console.log(`Using MongoDB from MONGODB_URI (${redactUri(mongoBase)}), not FerretDB.`);
  const smtpUrl = useMailCatcher ? await step(startMail()) : (fromEnv('SMTP_URL') as string);
  if (stopping) return;
  if (!useMailCatcher) console.log('Using the mail server from SMTP_URL: consent links go out as real e-mail.');
  const google = useSandbox ? await step(startGoogleSandbox()) : realGoogle();
  if (stopping) return;

  console.log('\nBuilding both apps (nx build) ...');
  await run('npx', ['nx', 'run-many', '-t', 'build', '--projects=database-api,webhook-api', '--outputStyle=static'], {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  });
  if (stopping) return;

  // database-api accepts DATABASE_SERVER_SERVICE_TOKEN (a comma-separated list during a rotation)
  // and presents WEBHOOK_SERVER_SERVICE_TOKEN; webhook-api the other way round. A presenter
  // sends one token: the first of the list.
  const databaseTokens = fromEnv('DATABASE_SERVER_SERVICE_TOKEN') ?? DEV_DATABASE_SERVICE_TOKEN;
  const webhookTokens = fromEnv('WEBHOOK_SERVER_SERVICE_TOKEN') ?? DEV_WEBHOOK_SERVICE_TOKEN;
  const databaseToken = firstOf(databaseTokens);
  const base: Env = { NODE_ENV: 'production', PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info' };

  const databaseEnv = withOverrides('database-api', {
    ...base,
    PORT: String(DEV_PORTS.databaseApi),
    MONGODB_URI: databaseUri(mongoBase, DEV_DATABASES.databaseApi),
    JWT_SECRET: DEV_JWT_SECRET,
    WEBHOOK_SERVER_URL: `http://localhost:${DEV_PORTS.webhookApi}`,
    WEBHOOK_SERVER_SERVICE_TOKEN: firstOf(webhookTokens),
    DATABASE_SERVER_SERVICE_TOKEN: databaseTokens,
  });
  const webhookEnv = withOverrides('webhook-api', {
    ...base,
    PORT: String(DEV_PORTS.webhookApi),
    MONGODB_URI: databaseUri(mongoBase, DEV_DATABASES.webhookApi),
    DATABASE_SERVER_URL: `http://localhost:${DEV_PORTS.databaseApi}`,
    DATABASE_SERVER_SERVICE_TOKEN: databaseToken,
    WEBHOOK_SERVER_SERVICE_TOKEN: webhookTokens,
    TOKEN_ENCRYPTION_KEY: DEV_TOKEN_ENCRYPTION_KEY,
    SMTP_URL: smtpUrl,
    MAIL_FROM: DEV_MAIL_FROM,
    GOOGLE_REDIRECT_URI: DEV_GOOGLE_REDIRECT_URI,
    ...google,
  });

  startApp('database-api', databaseEnv);
  startApp('webhook-api', webhookEnv);
  await Promise.all([
    waitHealthy('database-api', DEV_PORTS.databaseApi),
    waitHealthy('webhook-api', DEV_PORTS.webhookApi),
  ]);
  if (stopping) return;
  printTryIt(databaseEnv['JWT_SECRET'] as string, databaseToken, useMailCatcher);
}

/** Overrides from the environment; the variables the stack wires itself stay as given. */
function withOverrides(name: AppName, defaults: Env): Env {
  const env = { ...defaults };
  for (const key of OVERRIDABLE[name]) {
    const value = fromEnv(key);
    if (value !== undefined) env[key] = value;
  }
  return env;
}

async function startLocalMongo(): Promise<string> {
  await run('bash', [join(WORKSPACE_ROOT, 'tools/ferretdb/build.sh')]);
  if (stopping) throw new Error('stopped');
  mkdirSync(LOCAL_FERRETDB_DIR, { recursive: true });
  const server = await startFerretDb({ port: DEV_PORTS.ferretDb, dataDir: LOCAL_FERRETDB_DIR });
  stoppers.push({ name: 'FerretDB', stop: () => server.stop() });
  console.log(
    `FerretDB (MongoDB wire protocol) on ${server.uri}, data in ${relative(WORKSPACE_ROOT, LOCAL_FERRETDB_DIR)}/`,
  );
  return server.uri;
}

async function startMail(): Promise<string> {
  const mail = await startMailCatcher(DEV_PORTS.smtp, LOCAL_MAIL_DIR);
  stoppers.push({ name: 'mail catcher', stop: () => mail.close() });
  console.log(
    `Mail catcher on ${mail.url}: messages are printed here and saved in ${relative(WORKSPACE_ROOT, LOCAL_MAIL_DIR)}/`,
  );
  return mail.url;
}

/** GOOGLE_* of webhook-api pointing at the local sandbox, after a warning nobody can miss. */
async function startGoogleSandbox(): Promise<Env> {
  const sandbox = await GoogleSandbox.start({
    port: DEV_PORTS.googleSandbox,
    host: '127.0.0.1',
    autoConsent: false,
    log: (line) => console.log(`[google-sandbox] ${line}`),
  });
  stoppers.push({ name: 'Google sandbox', stop: () => sandbox.stop() });
  const ignored = GOOGLE_VARS.filter((key) => fromEnv(key) !== undefined);
  banner([
    'GOOGLE IS THE LOCAL SANDBOX, NOT REAL GOOGLE.',
    '',
    'GOOGLE_CLIENT_ID is not set, so consent pages, tokens and the Calendar API',
    `are served by a local stand-in at ${sandbox.baseUrl} (no Google account involved).`,
    '',
    'To use real Google: create an OAuth client (README, "Running against real Google"),',
    `register the redirect URI ${DEV_GOOGLE_REDIRECT_URI}, then`,
    '  GOOGLE_CLIENT_ID=... GOOGLE_CLIENT_SECRET=... npm start',
    ...(ignored.length > 0 ? ['', `Ignored without GOOGLE_CLIENT_ID: ${ignored.join(', ')}`] : []),
  ]);
  return {
    GOOGLE_CLIENT_ID: sandbox.clientId,
    GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
    GOOGLE_OAUTH_AUTH_URL: sandbox.endpoints.authUrl,
    GOOGLE_OAUTH_TOKEN_URL: sandbox.endpoints.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: sandbox.endpoints.revokeUrl,
    GOOGLE_API_ROOT_URL: sandbox.endpoints.apiRootUrl,
  };
}

/** The real Google client from the environment (endpoints default to Google's in the app). */
function realGoogle(): Env {
  console.log(`Using REAL Google with the OAuth client ${fromEnv('GOOGLE_CLIENT_ID') as string}.`);
  if (fromEnv('GOOGLE_CLIENT_SECRET') === undefined) {
    console.warn('GOOGLE_CLIENT_SECRET is not set: webhook-api will refuse to start without it.');
  }
  const redirect = fromEnv('GOOGLE_REDIRECT_URI') ?? DEV_GOOGLE_REDIRECT_URI;
  console.log(`Redirect URI (must be registered on the client): ${redirect}`);
  const env: Env = {};
  for (const key of GOOGLE_VARS) {
    const value = fromEnv(key);
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function startApp(name: AppName, env: Env): void {
  // Its own process group: a Ctrl-C in the terminal reaches only this script, which then
  // stops the apps in order (and does not mistake their exit for a crash).
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'dist/apps', name, 'main.js')], {
    cwd: WORKSPACE_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  apps.set(name, child);
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => console.log(`[${name}] ${line}`));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => console.error(`[${name}] ${line}`));
  child.once('error', (error) => console.error(`[${name}] could not start: ${error.message}`));
  child.once('exit', (code, signal) => {
    apps.delete(name);
    if (stopping) return;
    console.error(`\n[${name}] exited unexpectedly (${signal ?? `exit code ${String(code)}`}); stopping the stack.`);
    void shutdown(1);
  });
}

async function waitHealthy(name: AppName, port: number): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return;
    if (!apps.has(name)) throw new Error(`${name} exited during start (see its output above)`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) {
        console.log(`${name} is up on http://localhost:${port}`);
        return;
      }
    } catch {
      // not listening yet
    }
    await delay(250);
  }
  throw new Error(`${name} did not answer 200 on http://127.0.0.1:${port}/health within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

function printTryIt(jwtSecret: string, serviceToken: string, mailCatcher: boolean): void {
  const token = mintUserJwt(
    jwtSecret,
    { sub: 'local-user', subaccountIds: [EXAMPLE_SUBACCOUNT_ID] },
    { expiresIn: '12h' },
  );
  const api = `http://localhost:${DEV_PORTS.databaseApi}/api/connectors/${EXAMPLE_SUBACCOUNT_ID}`;
  const json = "-H 'Content-Type: application/json'";
  const where = mailCatcher
    ? `the link is printed in this console and saved as .eml in ${relative(WORKSPACE_ROOT, LOCAL_MAIL_DIR)}/`
    : 'the link goes out by e-mail through SMTP_URL';
  console.log(`
================================================================================
 The stack is up. Try it (paste into another terminal):
================================================================================

# a user JWT for subaccount ${EXAMPLE_SUBACCOUNT_ID}, valid 12 h (more: npm run token -- --subaccount <id>)
TOKEN=${token}

# 1. add the Google Calendar connector
curl -s -X POST ${api} -H "Authorization: Bearer $TOKEN" ${json} -d '{"connectorId":"google-calendar"}'

# 2. ask to connect (answers emailSent: true); ${where}
curl -s -X POST ${api}/handlegooglecalendar -H "Authorization: Bearer $TOKEN" ${json} -d '{"userEmail":"you@example.com"}'

# 3. open the link in a browser and click Allow; then the connector shows metadata.isConnected: true
curl -s ${api}/google-calendar -H "Authorization: Bearer $TOKEN"

# a metadata update as a service sends it (DATABASE_SERVER_SERVICE_TOKEN)
curl -s -X POST ${api}/metadata/update -H 'Authorization: Bearer ${serviceToken}' ${json} -d '{"metadata":{"note":"hello"}}'

# disconnect (revokes at Google, metadata says disconnected)
curl -s -X DELETE ${api}/google-calendar/connection -H "Authorization: Bearer $TOKEN"

Swagger UI: http://localhost:${DEV_PORTS.databaseApi}/api/docs  and  http://localhost:${DEV_PORTS.webhookApi}/api/docs
Ctrl-C stops everything.
================================================================================
`);
}

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((line) => line.length));
  const rule = '!'.repeat(width + 8);
  console.log(['', rule, rule, ...lines.map((line) => `!!  ${line.padEnd(width)}  !!`), rule, rule, ''].join('\n'));
}

/** Runs a command to completion in its own process group (stopped with the stack). */
function run(command: string, args: string[], extraEnv: Env = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...extraEnv },
      stdio: 'inherit',
      detached: true,
    });
    runningCommand = child;
    child.once('error', (error) => {
      runningCommand = undefined;
      reject(new Error(`${command}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      runningCommand = undefined;
      if (code === 0) resolve();
      else if (stopping) resolve();
      else reject(new Error(`${[command, ...args].join(' ')} failed (${signal ?? `exit code ${String(code)}`})`));
    });
  });
}

async function ensurePortsFree(ports: ReadonlyArray<readonly [string, number]>): Promise<void> {
  const taken: string[] = [];
  for (const [name, port] of ports) if (await isListening(port)) taken.push(`${port} (${name})`);
  if (taken.length > 0) {
    throw new Error(`port(s) already in use: ${taken.join(', ')}. Is another npm start running?`);
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), APP_STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the stack (Ctrl-C again to kill the apps at once) ...');
  if (runningCommand?.pid !== undefined) killGroup(runningCommand.pid, 'SIGTERM');
  await Promise.all([...apps.values()].map((child) => stopApp(child)));
  await pendingStep?.catch(() => undefined);
  for (const { name, stop } of [...stoppers].reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error(`Stopping ${name} failed: ${(error as Error).message}`);
    }
  }
  console.log(code === 0 ? 'Stopped.' : 'Stopped (after a failure).');
  process.exit(code);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

let firstSignalAt = 0;

function onSignal(): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    void shutdown(0);
    return;
  }
  // One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a later one forces.
  if (Date.now() - firstSignalAt < 1000) return;
  console.error('Interrupted again: killing the apps now.');
  for (const child of apps.values()) child.kill('SIGKILL');
}

function firstOf(list: string): string {
  return list.split(',')[0]?.trim() ?? list;
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
// Backstop: the apps run in their own process groups, so never leave them behind.
process.on('exit', () => {
  for (const child of apps.values()) child.kill('SIGKILL');
  if (runningCommand?.pid !== undefined) killGroup(runningCommand.pid, 'SIGKILL');
});
main().catch((error: unknown) => {
  if (stopping) return;
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
