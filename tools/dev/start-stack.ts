/**
 * npm start: the whole system on this machine with embedded defaults, no configuration.
 *
 * FerretDB (data in .local/ferretdb), a mail catcher (.local/mail), a platform receiver for
 * webhook-api's signed change notifications (.local/webhooks), the Google sandbox, both
 * apps built and started, then the demo page of the SPA's elements on http://localhost:3000
 * (tools/dev/demo-page.ts; database-api's CORS_ORIGINS lists it unless the environment sets
 * CORS_ORIGINS), which shows the receiver's webhooks live. Every variable already set in the environment overrides the
 * embedded default: MONGODB_URI uses that MongoDB instead of FerretDB (each app gets its own
 * database on it), GOOGLE_CLIENT_ID (+ GOOGLE_CLIENT_SECRET) uses real Google instead of the
 * sandbox, SMTP_URL a real mail server instead of the catcher, PLATFORM_WEBHOOK_URL (+
 * PLATFORM_WEBHOOK_SECRET) another receiver instead of the local one. The apps run with
 * NODE_ENV=production, so they never read a .env file: they get PATH and the environment
 * built here (stackEnv), nothing else of this shell's. They log JSON as in production; their
 * lines are printed here through pino-pretty, each prefixed with the app's name.
 * Ctrl-C (or SIGTERM) stops everything; if an app dies, the rest is stopped and the exit code is 1.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { GoogleSandbox } from '@connector-service/google-sandbox';
import {
  AppEnv,
  AppName,
  AppProcess,
  AppStartError,
  GoogleClientEnv,
  databaseUri,
  mintUserJwt,
  stackEnv,
  startFerretDb,
} from '@connector-service/testing';
import {
  DEV_DATABASES,
  DEV_DATABASE_SERVICE_TOKEN,
  DEV_DEMO_PAGE_ORIGIN,
  DEV_GOOGLE_REDIRECT_URI,
  DEV_JWT_SECRET,
  DEV_MAIL_FROM,
  DEV_PLATFORM_WEBHOOK_SECRET,
  DEV_PORTS,
  DEV_TOKEN_ENCRYPTION_KEY,
  DEV_WEBHOOK_SERVICE_TOKEN,
  EXAMPLE_SUBACCOUNT_ID,
  LOCAL_FERRETDB_DIR,
  LOCAL_MAIL_DIR,
  LOCAL_WEBHOOKS_DIR,
  WORKSPACE_ROOT,
} from './dev-defaults';
import { GOOGLE_VARIABLES, overridableVariables } from './environment-overrides';
import { DemoPage, startDemoPage } from './demo-page';
import { startMailCatcher } from './mail-catcher';
import { PlatformReceiver, startPlatformReceiver } from './platform-receiver';
import { prettyLogLines } from './pretty-logs';

type Env = Record<string, string>;

const HEALTH_TIMEOUT_MS = 60_000;
const HEALTH_POLL_MS = 250;
const APP_STOP_GRACE_MS = 10_000;

/** webhook-api's default (CALENDAR_SYNC_INTERVAL_SECONDS), for the messages only. */
const DEFAULT_SYNC_INTERVAL_SECONDS = 300;

/** Set and not empty: an empty variable counts as unset. */
function fromEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Stops of the helpers (FerretDB, mail, platform receiver, sandbox), in start order; run in reverse. */
const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
const apps: AppProcess[] = [];
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
  const useReceiver = fromEnv('PLATFORM_WEBHOOK_URL') === undefined;
  await ensurePortsFree([
    ['demo page', DEV_PORTS.demoPage],
    ['database-api', DEV_PORTS.databaseApi],
    ['webhook-api', DEV_PORTS.webhookApi],
    ...(useFerretDb ? [['FerretDB', DEV_PORTS.ferretDb] as const] : []),
    ...(useMailCatcher ? [['mail catcher (SMTP)', DEV_PORTS.smtp] as const] : []),
    ...(useReceiver ? [['platform receiver', DEV_PORTS.platformReceiver] as const] : []),
    ...(useSandbox ? [['Google sandbox', DEV_PORTS.googleSandbox] as const] : []),
  ]);

  const mongoBase = useFerretDb ? await step(startLocalMongo()) : (fromEnv('MONGODB_URI') as string);
  if (stopping) return;
  if (!useFerretDb) console.log(`Using MongoDB from MONGODB_URI (${redactUri(mongoBase)}), not FerretDB.`);
  const smtpUrl = useMailCatcher ? await step(startMail()) : (fromEnv('SMTP_URL') as string);
  if (stopping) return;
  if (!useMailCatcher) console.log('Using the mail server from SMTP_URL: consent links go out as real e-mail.');
  const receiver = useReceiver ? await step(startReceiver()) : undefined;
  const platformWebhooks = receiver?.env ?? externalReceiver();
  if (stopping) return;
  const google = useSandbox ? await step(startGoogleSandbox()) : realGoogle();
  if (stopping) return;
  const pushUrl = useSandbox
    ? `http://localhost:${DEV_PORTS.webhookApi}/api/google-calendar/notifications`
    : fromEnv('GOOGLE_PUSH_URL');
  if (pushUrl === undefined) {
    console.log(
      `GOOGLE_PUSH_URL is not set (Google pushes only to public HTTPS): calendar changes arrive by polling every ${syncInterval()} s (CALENDAR_SYNC_INTERVAL_SECONDS).`,
    );
  }

  console.log('\nBuilding both apps (nx build) ...');
  await run('npx', ['nx', 'run-many', '-t', 'build', '--projects=database-api,webhook-api', '--outputStyle=static'], {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  });
  if (stopping) return;

  // database-api accepts DATABASE_SERVER_SERVICE_TOKEN (a comma-separated list during a rotation)
  // and webhook-api presents the first of it; WEBHOOK_SERVER_SERVICE_TOKEN the other way round.
  const serviceTokens = {
    acceptedByDatabaseApi: fromEnv('DATABASE_SERVER_SERVICE_TOKEN') ?? DEV_DATABASE_SERVICE_TOKEN,
    acceptedByWebhookApi: fromEnv('WEBHOOK_SERVER_SERVICE_TOKEN') ?? DEV_WEBHOOK_SERVICE_TOKEN,
  };
  const env = stackEnv({
    databasePort: DEV_PORTS.databaseApi,
    webhookPort: DEV_PORTS.webhookApi,
    host: 'localhost',
    databaseMongoUri: databaseUri(mongoBase, DEV_DATABASES.databaseApi),
    webhookMongoUri: databaseUri(mongoBase, DEV_DATABASES.webhookApi),
    jwtSecret: DEV_JWT_SECRET,
    serviceTokens,
    google,
    smtpUrl,
    mailFrom: DEV_MAIL_FROM,
    tokenEncryptionKey: DEV_TOKEN_ENCRYPTION_KEY,
    logLevel: 'info',
    overrides: {
      // The demo page's origin first, so that a CORS_ORIGINS of the environment wins over it.
      databaseApi: { CORS_ORIGINS: DEV_DEMO_PAGE_ORIGIN, ...overridesFor('database-api') },
      // The embedded change-notification wiring first, so that the environment wins over it.
      webhookApi: {
        ...platformWebhooks,
        ...(pushUrl === undefined ? {} : { GOOGLE_PUSH_URL: pushUrl }),
        ...overridesFor('webhook-api'),
      },
    },
  });

  const databaseApi = startApp('database-api', DEV_PORTS.databaseApi, env.databaseApi);
  const webhookApi = startApp('webhook-api', DEV_PORTS.webhookApi, env.webhookApi);
  await Promise.all([waitUp(databaseApi), waitUp(webhookApi)]);
  if (stopping) return;
  const jwtSecret = env.databaseApi['JWT_SECRET'] as string;
  const token = mintUserJwt(
    jwtSecret,
    { sub: 'local-user', subaccountIds: [EXAMPLE_SUBACCOUNT_ID] },
    { expiresIn: '12h' },
  );
  const demo = await step(startDemo({ token, receiver: receiver?.receiver, sandbox: useSandbox }));
  if (stopping) return;
  // The service token to show is the one webhook-api presents to database-api.
  printTryIt(
    jwtSecret,
    token,
    env.webhookApi['DATABASE_SERVER_SERVICE_TOKEN'] as string,
    useMailCatcher,
    changeNotificationsNote({ sandbox: useSandbox, receiver: useReceiver, push: env.webhookApi['GOOGLE_PUSH_URL'] }),
    demo === undefined ? undefined : { url: demo.url, originNote: demoOriginNote(env.databaseApi['CORS_ORIGINS']) },
  );
}

/**
 * The demo page (tools/dev/demo-page.ts) on DEV_PORTS.demoPage, for the example subaccount. A
 * page that cannot start (its elements do not build) is reported; the API stays up without it.
 */
async function startDemo(wiring: {
  token: string;
  receiver: PlatformReceiver | undefined;
  sandbox: boolean;
}): Promise<DemoPage | undefined> {
  let demo: DemoPage;
  try {
    demo = await startDemoPage({
      port: DEV_PORTS.demoPage,
      databaseApiUrl: `http://localhost:${DEV_PORTS.databaseApi}`,
      token: wiring.token,
      subaccountId: EXAMPLE_SUBACCOUNT_ID,
      webhooks:
        wiring.receiver === undefined
          ? { elsewhere: withoutSecrets(fromEnv('PLATFORM_WEBHOOK_URL') ?? '') }
          : { receiver: wiring.receiver },
      google: wiring.sandbox ? 'sandbox' : 'real',
    });
  } catch (error) {
    console.error(`The demo page could not start: ${(error as Error).message}. The API is up without it.`);
    return undefined;
  }
  stoppers.push({ name: 'demo page', stop: () => demo.close() });
  console.log(`Demo page on ${demo.url}`);
  return demo;
}

/** The CORS_ORIGINS of the environment lacks the demo page's origin: the note that says so, else undefined. */
function demoOriginNote(corsOrigins: string | undefined): string | undefined {
  const origins = (corsOrigins ?? '').split(',').map((origin) => origin.trim());
  if (origins.includes(DEV_DEMO_PAGE_ORIGIN)) return undefined;
  return `CORS_ORIGINS is set (${corsOrigins ?? ''}) without ${DEV_DEMO_PAGE_ORIGIN}, so database-api refuses the demo page's calls: add ${DEV_DEMO_PAGE_ORIGIN} to it to use the page.`;
}

/** A URL to show: origin and path (no credentials, no query). */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** The app's variables set in this environment (overridableVariables); they win over the embedded defaults. */
function overridesFor(name: AppName): AppEnv {
  const env: AppEnv = {};
  for (const key of overridableVariables(name)) {
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

/** The local platform: webhook-api delivers its signed change notifications here (and the demo page shows them). */
async function startReceiver(): Promise<{ env: AppEnv; receiver: PlatformReceiver }> {
  // A PLATFORM_WEBHOOK_SECRET of the environment is what webhook-api signs with, so verify with it too.
  const secret = fromEnv('PLATFORM_WEBHOOK_SECRET') ?? DEV_PLATFORM_WEBHOOK_SECRET;
  const receiver = await startPlatformReceiver({
    port: DEV_PORTS.platformReceiver,
    secret,
    dir: LOCAL_WEBHOOKS_DIR,
  });
  stoppers.push({ name: 'platform receiver', stop: () => receiver.close() });
  console.log(
    `Platform receiver on ${receiver.url}: signed webhooks are verified, printed here and saved in ${relative(WORKSPACE_ROOT, LOCAL_WEBHOOKS_DIR)}/`,
  );
  return { env: { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: secret }, receiver };
}

/** PLATFORM_WEBHOOK_URL is set: no local receiver; the secret, too, comes from the environment only. */
function externalReceiver(): AppEnv {
  console.log(
    `Delivering change notifications to PLATFORM_WEBHOOK_URL (${redactUri(fromEnv('PLATFORM_WEBHOOK_URL') as string)}), so no local platform receiver.`,
  );
  if (fromEnv('PLATFORM_WEBHOOK_SECRET') === undefined) {
    console.warn('PLATFORM_WEBHOOK_SECRET is not set: webhook-api will refuse to start without it.');
  }
  return {};
}

/** CALENDAR_SYNC_INTERVAL_SECONDS as webhook-api will use it. */
function syncInterval(): string {
  return fromEnv('CALENDAR_SYNC_INTERVAL_SECONDS') ?? String(DEFAULT_SYNC_INTERVAL_SECONDS);
}

/** The "Change notifications" paragraph of the printed commands, true to how this stack is wired. */
function changeNotificationsNote(wiring: { sandbox: boolean; receiver: boolean; push: string | undefined }): string {
  const google = wiring.sandbox ? 'Google (the sandbox)' : 'Google';
  const trigger =
    wiring.push === undefined
      ? `are picked up by webhook-api's sync (every ${syncInterval()} s without GOOGLE_PUSH_URL), which`
      : `make ${google} push to webhook-api, which syncs and`;
  const target = wiring.receiver
    ? `the local receiver${wiring.push === undefined ? '' : ' within a second'}, printed here ([platform]), shown live on the demo page and kept in ${relative(WORKSPACE_ROOT, LOCAL_WEBHOOKS_DIR)}/`
    : 'PLATFORM_WEBHOOK_URL';
  return [
    `# Change notifications: the event create/patch/delete curls above ${trigger}`,
    `# delivers a signed calendar.events.changed webhook to ${target};`,
    `# connecting (step 3) ${wiring.receiver ? 'prints' : 'delivers'} connection.status_changed.`,
  ].join('\n');
}

/** webhook-api's Google: the local sandbox, after a warning nobody can miss. */
async function startGoogleSandbox(): Promise<GoogleClientEnv> {
  const sandbox = await GoogleSandbox.start({
    port: DEV_PORTS.googleSandbox,
    host: '127.0.0.1',
    autoConsent: false,
    log: (line) => console.log(`[google-sandbox] ${line}`),
  });
  stoppers.push({ name: 'Google sandbox', stop: () => sandbox.stop() });
  const ignored = GOOGLE_VARIABLES.filter((key) => fromEnv(key) !== undefined);
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
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    endpoints: sandbox.endpoints,
    redirectUri: DEV_GOOGLE_REDIRECT_URI,
  };
}

/** The real Google client from the environment (endpoints not set are Google's, the app's defaults). */
function realGoogle(): GoogleClientEnv {
  const clientId = fromEnv('GOOGLE_CLIENT_ID') as string;
  console.log(`Using REAL Google with the OAuth client ${clientId}.`);
  const clientSecret = fromEnv('GOOGLE_CLIENT_SECRET');
  if (clientSecret === undefined) {
    console.warn('GOOGLE_CLIENT_SECRET is not set: webhook-api will refuse to start without it.');
  }
  const redirectUri = fromEnv('GOOGLE_REDIRECT_URI') ?? DEV_GOOGLE_REDIRECT_URI;
  console.log(`Redirect URI (must be registered on the client): ${redirectUri}`);
  return {
    clientId,
    clientSecret,
    redirectUri,
    endpoints: {
      authUrl: fromEnv('GOOGLE_OAUTH_AUTH_URL'),
      tokenUrl: fromEnv('GOOGLE_OAUTH_TOKEN_URL'),
      revokeUrl: fromEnv('GOOGLE_OAUTH_REVOKE_URL'),
      apiRootUrl: fromEnv('GOOGLE_API_ROOT_URL'),
    },
  };
}

function startApp(name: AppName, port: number, env: AppEnv): AppProcess {
  const colorize = process.stdout.isTTY === true && fromEnv('NO_COLOR') === undefined;
  const pretty = prettyLogLines(name, { colorize });
  const app = AppProcess.builtApp(name, {
    port,
    env,
    readyTimeoutMs: HEALTH_TIMEOUT_MS,
    pollIntervalMs: HEALTH_POLL_MS,
    stopGraceMs: APP_STOP_GRACE_MS,
    // Its own process group: a Ctrl-C in the terminal reaches only this script, which then
    // stops the apps in order (and does not mistake their exit for a crash).
    detached: true,
    // The whole output is printed as it comes; the runner need not keep much of it.
    outputLimit: 64 * 1024,
    onLine: (line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(pretty(line)),
    onExit: ({ code, signal, requested }) => {
      if (stopping || requested) return;
      console.error(`\n[${name}] exited unexpectedly (${signal ?? `exit code ${String(code)}`}); stopping the stack.`);
      void shutdown(1);
    },
  });
  apps.push(app);
  return app;
}

async function waitUp(app: AppProcess): Promise<void> {
  try {
    await app.start();
  } catch (error) {
    if (stopping) return;
    // Its output is on the console already; the summary says what went wrong.
    throw error instanceof AppStartError ? new Error(`${error.summary} (see its output above)`) : error;
  }
  if (!stopping) console.log(`${app.name} is up on http://localhost:${String(app.port)}`);
}

function printTryIt(
  jwtSecret: string,
  token: string,
  serviceToken: string,
  mailCatcher: boolean,
  notifications: string,
  demo: { url: string; originNote: string | undefined } | undefined,
): void {
  const api = `http://localhost:${DEV_PORTS.databaseApi}/api/connectors/${EXAMPLE_SUBACCOUNT_ID}`;
  const json = "-H 'Content-Type: application/json'";
  const cal = `${api}/google-calendar`;
  const { monday, saturday } = nextWorkWeek(new Date());
  const where = mailCatcher
    ? `the link is printed in this console and saved as .eml in ${relative(WORKSPACE_ROOT, LOCAL_MAIL_DIR)}/`
    : 'the link goes out by e-mail through SMTP_URL';
  const demoLines =
    demo === undefined
      ? ''
      : `
 Open the demo page: ${demo.url}
   connect a Google Calendar, book a slot, and watch the webhooks arrive live
   (the elements of libs/ui-elements, with the JWT below, for subaccount ${EXAMPLE_SUBACCOUNT_ID})${demo.originNote === undefined ? '' : `\n   ${demo.originNote}`}
================================================================================
`;
  console.log(`
================================================================================
 The stack is up.
================================================================================
${demoLines}
 The API by hand (paste into another terminal):

# a user JWT for subaccount ${EXAMPLE_SUBACCOUNT_ID}, valid 12 h (more: npm run token -- --subaccount <id>)
TOKEN=${token}

# 1. add the Google Calendar connector
curl -s -X POST ${api} -H "Authorization: Bearer $TOKEN" ${json} -d '{"connectorId":"google-calendar"}'

# 2. ask to connect (answers emailSent: true); ${where}
curl -s -X POST ${api}/handlegooglecalendar -H "Authorization: Bearer $TOKEN" ${json} -d '{"userEmail":"you@example.com"}'

# 3. open the link in a browser and click Allow; then the connector shows metadata.isConnected: true
curl -s ${api}/google-calendar -H "Authorization: Bearer $TOKEN"

# 4. calendar work on the connection (the sandbox's calendar starts empty)
curl -s ${cal}/calendars -H "Authorization: Bearer $TOKEN"
curl -s -X POST ${cal}/events -H "Authorization: Bearer $TOKEN" -H 'Idempotency-Key: demo-booking-1' ${json} -d '{"summary":"Intro call","start":{"dateTime":"${monday}T10:00:00+01:00"},"end":{"dateTime":"${monday}T10:30:00+01:00"},"attendees":[{"email":"guest@example.com"}],"conference":{"type":"google_meet"},"requireFree":true,"tags":{"bookingId":"bk_1"}}'
#    the same again answers the same event (same id, header Idempotent-Replayed: true); a new key for that time: 409 SLOT_TAKEN
curl -s -X POST ${cal}/freebusy -H "Authorization: Bearer $TOKEN" ${json} -d '{"timeMin":"${monday}T00:00:00+01:00","timeMax":"${saturday}T00:00:00+01:00"}'
curl -s -X POST ${cal}/availability -H "Authorization: Bearer $TOKEN" ${json} -d '{"timeMin":"${monday}T00:00:00+01:00","timeMax":"${saturday}T00:00:00+01:00","durationMinutes":30,"timeZone":"Europe/Berlin","workingHours":[{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"12:00"}]}'
curl -s "${cal}/events?timeMin=${monday}T00:00:00Z&timeMax=${saturday}T00:00:00Z" -H "Authorization: Bearer $TOKEN"
EVENT_ID=<the id of the event created above>
curl -s ${cal}/events/$EVENT_ID -H "Authorization: Bearer $TOKEN"
curl -s -X PATCH ${cal}/events/$EVENT_ID -H "Authorization: Bearer $TOKEN" ${json} -d '{"summary":"Intro call (moved)","start":{"dateTime":"${monday}T11:00:00+01:00"},"end":{"dateTime":"${monday}T11:30:00+01:00"}}'
curl -s -X DELETE ${cal}/events/$EVENT_ID -H "Authorization: Bearer $TOKEN"
#    the events of one booking, by the tags the platform gave them (kept at Google; every webhook carries them)
curl -s "${cal}/events?timeMin=${monday}T00:00:00Z&timeMax=${saturday}T00:00:00Z&tag=bookingId:bk_1" -H "Authorization: Bearer $TOKEN"
#    a weekly series (requireFree checks every occurrence); the listing shows its instances, each with recurringEventId
curl -s -X POST ${cal}/events -H "Authorization: Bearer $TOKEN" ${json} -d '{"summary":"Weekly session","start":{"dateTime":"${monday}T14:00:00+01:00","timeZone":"Europe/Berlin"},"end":{"dateTime":"${monday}T15:00:00+01:00","timeZone":"Europe/Berlin"},"recurrence":["RRULE:FREQ=WEEKLY;COUNT=4"],"requireFree":true}'
#    move this and every later session: PATCH an instance id with ?scope=following (the series is split as Google does)
INSTANCE_ID=<the id of an instance listed above>
curl -s -X PATCH "${cal}/events/$INSTANCE_ID?scope=following" -H "Authorization: Bearer $TOKEN" ${json} -d '{"summary":"Weekly session (new room)","location":"Room 2"}'
#    answer an invitation (an event someone else organized) as the connected account; on the event above, which it
#    organized itself, the answer is 409 NOT_AN_ATTENDEE
curl -s -X POST ${cal}/events/$EVENT_ID/respond -H "Authorization: Bearer $TOKEN" ${json} -d '{"responseStatus":"accepted"}'

# 5. availability of a group: slots where all (or "required": n) of the subaccounts named are free, with who is
curl -s -X POST http://localhost:${DEV_PORTS.databaseApi}/api/google-calendar/availability -H "Authorization: Bearer $TOKEN" ${json} -d '{"participants":[{"subaccountId":"${EXAMPLE_SUBACCOUNT_ID}"}],"required":"all","timeMin":"${monday}T00:00:00+01:00","timeMax":"${saturday}T00:00:00+01:00","durationMinutes":30,"timeZone":"Europe/Berlin","workingHours":[{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"12:00"}]}'

${notifications}
# the calendars whose changes are delivered (the primary one until others are chosen), each active or ended
curl -s ${cal}/watched-calendars -H "Authorization: Bearer $TOKEN"
curl -s -X PUT ${cal}/watched-calendars -H "Authorization: Bearer $TOKEN" ${json} -d '{"googleCalendarIds":["primary"]}'

# a metadata update as a service sends it (DATABASE_SERVER_SERVICE_TOKEN)
curl -s -X POST ${api}/metadata/update -H 'Authorization: Bearer ${serviceToken}' ${json} -d '{"metadata":{"note":"hello"}}'

# disconnect (revokes at Google, metadata says disconnected)
curl -s -X DELETE ${api}/google-calendar/connection -H "Authorization: Bearer $TOKEN"

# the operator's view (admin JWT only): every connection, newest first, with its last error, last sync, channel
#    expiry and pending/failed deliveries; &status=reauth_required for those that need the user, &cursor=<nextCursor> pages
curl -s "http://localhost:${DEV_PORTS.databaseApi}/api/google-calendar/connections?limit=50" -H "Authorization: Bearer ${mintUserJwt(jwtSecret, { sub: 'local-operator', subaccountIds: [], role: 'admin' }, { expiresIn: '12h' })}"

Swagger UI: http://localhost:${DEV_PORTS.databaseApi}/api/docs  and  http://localhost:${DEV_PORTS.webhookApi}/api/docs
Ctrl-C stops everything.
================================================================================
`);
}

/** The dates (YYYY-MM-DD) of next Monday and the Saturday after it, for the example requests. */
function nextWorkWeek(now: Date): { monday: string; saturday: string } {
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() + ((8 - monday.getUTCDay()) % 7 || 7));
  const saturday = new Date(monday.getTime() + 5 * 24 * 60 * 60 * 1000);
  return { monday: monday.toISOString().slice(0, 10), saturday: saturday.toISOString().slice(0, 10) };
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

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the stack (Ctrl-C again to kill the apps at once) ...');
  if (runningCommand?.pid !== undefined) killGroup(runningCommand.pid, 'SIGTERM');
  await Promise.all(apps.map((app) => app.stop('SIGTERM', APP_STOP_GRACE_MS)));
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
  for (const app of apps) void app.kill();
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
// Backstop: the apps run in their own process groups, so never leave them behind.
process.on('exit', () => {
  AppProcess.killAllNow();
  if (runningCommand?.pid !== undefined) killGroup(runningCommand.pid, 'SIGKILL');
});
main().catch((error: unknown) => {
  if (stopping) return;
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
