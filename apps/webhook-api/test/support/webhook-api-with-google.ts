import { SmtpCapture, StartSmtpCaptureOptions, getFreePort, startSmtpCapture } from '@connector-service/testing';
import { GoogleSandbox, GoogleSandboxOptions } from '@connector-service/google-sandbox';
import { Document, MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MetadataReceiver } from './metadata-receiver';
import { E2E_DATABASE_TOKEN, E2E_WEBHOOK_TOKEN, WebhookApiUnderTest, startWebhookApi } from './webhook-api-app';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const CALLBACK_PATH = '/api/google-calendar/callback';

/** The variables that send the change notifications to `receiver` (signed with `secret`), polled and retried fast. */
export function platformWebhookEnv(receiver: { url: string }, secret: string): Record<string, string> {
  return {
    PLATFORM_WEBHOOK_URL: receiver.url,
    PLATFORM_WEBHOOK_SECRET: secret,
    DELIVERY_POLL_INTERVAL_MS: '100',
    DELIVERY_RETRY_BASE_MS: '100',
  };
}

export interface WebhookApiWithGoogleOptions {
  /** Passed to GoogleSandbox.start (autoConsent is always on). */
  sandbox?: GoogleSandboxOptions;
  /** Extra or overriding webhook-api variables. */
  env?: Record<string, string | undefined>;
  /** Passed to startSmtpCapture (e.g. `onMessage` throwing makes the SMTP server refuse). */
  smtp?: StartSmtpCaptureOptions;
  /** Listen on a loopback port and give Google (the sandbox) its notifications route as GOOGLE_PUSH_URL. */
  pushes?: boolean;
}

/** A connection made through the whole flow: connect, consent at the sandbox, callback. */
export interface MadeConnection {
  calendarId: string;
  /** The callback path and query the sandbox redirected to (replaying it replays the state). */
  callbackPath: string;
  page: request.Response;
}

/**
 * webhook-api's real AppModule in-process with everything it talks to on loopback: FerretDB
 * (Jest global setup), a real SMTP server, the Google sandbox, and a receiver standing in
 * for database-api's metadata route. Tests reach the app only through its HTTP routes, and
 * look at the database with the plain `mongodb` driver, never through the app's classes.
 */
export class WebhookApiWithGoogle {
  private constructor(
    public api: WebhookApiUnderTest,
    readonly google: GoogleSandbox,
    readonly smtp: SmtpCapture,
    readonly receiver: MetadataReceiver,
    readonly mongo: MongoClient,
    private readonly env: Record<string, string | undefined>,
    private readonly listenPort: number | undefined,
  ) {}

  static async start(options: WebhookApiWithGoogleOptions = {}): Promise<WebhookApiWithGoogle> {
    const smtp = await startSmtpCapture(options.smtp);
    const google = await GoogleSandbox.start({ ...options.sandbox, autoConsent: true });
    const receiver = await MetadataReceiver.start(E2E_DATABASE_TOKEN);
    const listenPort = options.pushes ? await getFreePort() : undefined;
    const env: Record<string, string | undefined> = {
      SMTP_URL: smtp.url,
      DATABASE_SERVER_URL: receiver.url,
      DATABASE_SERVER_SERVICE_TOKEN: E2E_DATABASE_TOKEN,
      ...google.googleVariables(),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      OUTBOX_POLL_INTERVAL_MS: '100',
      OUTBOUND_TIMEOUT_MS: '2000',
      // Every callback of a suite comes from 127.0.0.1; the default 30 a minute would cut it short.
      CALLBACK_RATE_LIMIT_PER_MINUTE: '10000',
      ...(listenPort === undefined
        ? {}
        : { GOOGLE_PUSH_URL: `http://127.0.0.1:${listenPort}/api/google-calendar/notifications` }),
      ...options.env,
    };
    const api = await startWebhookApi(env, { listenPort });
    const mongo = await MongoClient.connect(api.mongoUri);
    return new WebhookApiWithGoogle(
      api,
      google,
      smtp,
      receiver,
      mongo,
      { ...env, MONGODB_URI: api.mongoUri },
      listenPort,
    );
  }

  /** A call to a service route with the service token (or `token`, or none with null), and more headers. */
  asService(
    method: 'get' | 'post' | 'put' | 'patch' | 'delete',
    path: string,
    options: { body?: object; token?: string | null; headers?: Record<string, string> } = {},
  ): request.Test {
    const call = this.api.http()[method](path);
    const token = options.token === undefined ? E2E_WEBHOOK_TOKEN : options.token;
    if (token !== null) void call.set('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) void call.set(name, value);
    return options.body === undefined ? call : call.send(options.body);
  }

  /** `POST /api/google-calendar/connect`; the consent URL. */
  async startConnect(subaccountId: string, userEmail: string): Promise<string> {
    const res = await this.asService('post', '/api/google-calendar/connect', { body: { subaccountId, userEmail } });
    expect(res.status).toBe(200);
    return res.body.data.authUrl as string;
  }

  /** Opens the consent URL at the sandbox (auto-consent): the callback path and query it redirects to. */
  async consent(authUrl: string): Promise<string> {
    const res = await fetch(authUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(location.pathname).toBe(CALLBACK_PATH);
    return `${location.pathname}${location.search}`;
  }

  /** The browser arriving at the callback (public route, no token). */
  callback(callbackPath: string): request.Test {
    return this.api.http().get(callbackPath);
  }

  /** The whole flow for a subaccount; `googleEmail` is the Google account picked on the consent screen. */
  async connect(subaccountId: string, userEmail: string, googleEmail = userEmail): Promise<MadeConnection> {
    const authUrl = await this.startConnect(subaccountId, userEmail);
    this.google.setNextConsent({ email: googleEmail });
    const callbackPath = await this.consent(authUrl);
    const page = await this.callback(callbackPath);
    if (page.status !== 200) {
      const seen = this.google.requests.slice(-4).map((r) => `${r.method} ${r.path} -> ${r.status ?? '-'}`);
      throw new Error(`callback answered ${page.status}: ${page.text}\nlast sandbox requests: ${seen.join(', ')}`);
    }
    const stored = await this.connectionOf(subaccountId);
    expect(stored).not.toBeNull();
    return { calendarId: String(stored?._id), callbackPath, page };
  }

  connections() {
    return this.mongo.db().collection('googlecalendarconnections');
  }

  connectionOf(subaccountId: string): Promise<Document | null> {
    return this.connections().findOne({ subaccountId });
  }

  /** Lease documents that name the connection (a refresh or a delivery held under a lease). */
  async leasesOf(calendarId: string): Promise<Document[]> {
    const all = await this.mongo.db().collection('leases').find({}).toArray();
    return all.filter((lease) => JSON.stringify(lease).includes(calendarId));
  }

  /** Every document of every collection of webhook-api's database, as JSON. */
  async dumpDatabase(): Promise<string> {
    const db = this.mongo.db();
    const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
    const dump: Record<string, unknown[]> = {};
    for (const name of names) dump[name] = await db.collection(name).find({}).toArray();
    return JSON.stringify(dump);
  }

  /** Another replica of the app on the same database, key and configuration (Google pushes still go to the first). */
  startReplica(env: Record<string, string> = {}): Promise<WebhookApiUnderTest> {
    return startWebhookApi({ ...this.env, ...env });
  }

  /**
   * Stops the app and starts it again on the same database, key and configuration; `env`
   * changes variables (e.g. TOKEN_ENCRYPTION_KEY for a key rotation), also for later restarts.
   */
  async restart(between?: () => void | Promise<void>, env: Record<string, string> = {}): Promise<void> {
    await this.api.close();
    await between?.();
    Object.assign(this.env, env);
    this.api = await startWebhookApi(this.env, { listenPort: this.listenPort });
  }

  async stop(): Promise<void> {
    await this.mongo?.close();
    await this.api?.close();
    await this.receiver?.close();
    await this.google?.stop();
    await this.smtp?.close();
  }
}

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`eventually: condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A fresh address, so no Google grant of an earlier test is reused (include_granted_scopes). */
export function newEmail(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}@example.com`;
}
