import {
  SmtpCapture,
  TcpProxy,
  getFreePort,
  mintUserJwt,
  stackEnv,
  startSmtpCapture,
  startTcpProxy,
  testDatabaseUri,
} from '@connector-service/testing';
import { GoogleSandbox } from '@connector-service/google-sandbox';
import { AppProcess, systemApp } from './app-process';

export const STACK_JWT_SECRET = 'system-e2e-jwt-secret-0123456789';
export const DATABASE_SERVICE_TOKEN = 'system-e2e-database-service-token';
export const WEBHOOK_SERVICE_TOKEN = 'system-e2e-webhook-service-token';

/** Answers are read loosely in tests; their exact shapes are asserted where it matters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface StackOptions {
  webhookEnv?: Record<string, string>;
  databaseEnv?: Record<string, string>;
  /** database-api reaches webhook-api through a TCP proxy (`stack.webhookProxy`) a test can cut. */
  proxyWebhookApi?: boolean;
  /** Gives webhook-api its own notifications route as GOOGLE_PUSH_URL, so the sandbox pushes changes to it. */
  googlePush?: boolean;
}

/** webhook-api's notifications route on its port, where the sandbox pushes (GOOGLE_PUSH_URL). */
export function googlePushUrl(webhookPort: number): string {
  return `http://127.0.0.1:${webhookPort}/api/google-calendar/notifications`;
}

/**
 * The whole system on loopback: both built apps as processes, each with its own database
 * on the test MongoDB server, a real SMTP server and the Google sandbox (auto-consent).
 */
export class Stack {
  private constructor(
    readonly databaseApi: AppProcess,
    readonly webhookApi: AppProcess,
    readonly smtp: SmtpCapture,
    readonly google: GoogleSandbox,
    readonly webhookMongoUri: string,
    readonly databaseMongoUri: string,
    /** Between database-api and webhook-api, with `proxyWebhookApi`. */
    readonly webhookProxy: TcpProxy | null = null,
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const [smtp, google, databasePort, webhookPort] = await Promise.all([
      startSmtpCapture(),
      GoogleSandbox.start({ autoConsent: true }),
      getFreePort(),
      getFreePort(),
    ]);
    const webhookProxy = options.proxyWebhookApi ? await startTcpProxy({ host: '127.0.0.1', port: webhookPort }) : null;
    const databaseMongoUri = testDatabaseUri('system_database_api');
    const webhookMongoUri = testDatabaseUri('system_webhook_api');
    const env = stackEnv({
      databasePort,
      webhookPort,
      databaseMongoUri,
      webhookMongoUri,
      jwtSecret: STACK_JWT_SECRET,
      serviceTokens: { acceptedByDatabaseApi: DATABASE_SERVICE_TOKEN, acceptedByWebhookApi: WEBHOOK_SERVICE_TOKEN },
      google,
      smtpUrl: smtp.url,
      logLevel: 'warn',
      overrides: {
        // Short timeouts keep failure tests fast; the per-user and per-address limits are for
        // people, and every test request comes from one address.
        databaseApi: {
          ...(webhookProxy ? { WEBHOOK_SERVER_URL: `http://127.0.0.1:${webhookProxy.port}` } : {}),
          WEBHOOK_API_TIMEOUT_MS: '3000',
          CONNECT_RATE_LIMIT_PER_MINUTE: '100000',
          ...options.databaseEnv,
        },
        webhookApi: {
          OUTBOUND_TIMEOUT_MS: '3000',
          OUTBOX_POLL_INTERVAL_MS: '200',
          CALLBACK_RATE_LIMIT_PER_MINUTE: '100000',
          ...(options.googlePush ? { GOOGLE_PUSH_URL: googlePushUrl(webhookPort) } : {}),
          ...options.webhookEnv,
        },
      },
    });
    const databaseApi = systemApp('database-api', databasePort, env.databaseApi);
    const webhookApi = systemApp('webhook-api', webhookPort, env.webhookApi);
    const stack = new Stack(databaseApi, webhookApi, smtp, google, webhookMongoUri, databaseMongoUri, webhookProxy);
    try {
      await Promise.all([databaseApi.start(), webhookApi.start()]);
    } catch (error) {
      await stack.stop(); // the app that did start, SMTP and the sandbox
      throw error;
    }
    return stack;
  }

  private readonly replicas: AppProcess[] = [];

  /** Another webhook-api process on the same database (as behind a load balancer). */
  async startWebhookReplica(): Promise<AppProcess> {
    const replica = this.webhookApi.withPort(await getFreePort());
    this.replicas.push(replica);
    await replica.start();
    return replica;
  }

  async stop(): Promise<void> {
    await Promise.all([this.databaseApi.stop(), this.webhookApi.stop(), ...this.replicas.map((r) => r.stop())]);
    await Promise.all([this.smtp.close(), this.google.stop(), this.webhookProxy?.close()]);
  }

  userToken(subaccountIds: string[]): string {
    return mintUserJwt(STACK_JWT_SECRET, { sub: 'system-e2e-user', subaccountIds });
  }

  /** A call to database-api as a user of `subaccountId` (with more headers, e.g. Idempotency-Key). */
  async asUser(
    subaccountId: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: JsonBody; headers: Headers }> {
    const response = await fetch(`${this.databaseApi.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.userToken([subaccountId])}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json(), headers: response.headers };
  }

  /** A call to a webhook-api process with the service token. */
  async asService(
    method: string,
    path: string,
    app: AppProcess = this.webhookApi,
  ): Promise<{ status: number; body: JsonBody }> {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${WEBHOOK_SERVICE_TOKEN}` },
    });
    return { status: response.status, body: await response.json() };
  }

  /** Adds the connector, runs the whole connect flow, and waits for the connected metadata. */
  async connect(subaccountId: string, userEmail: string): Promise<Record<string, JsonBody>> {
    await this.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}`, { connectorId: 'google-calendar' });
    const answer = await this.asUser(subaccountId, 'POST', `/api/connectors/${subaccountId}/handlegooglecalendar`, {
      userEmail,
    });
    if (answer.status !== 200) throw new Error(`handlegooglecalendar answered ${answer.status}`);
    const page = await this.openCallback(await this.consent(answer.body.data.authUrl));
    if (page.status !== 200) throw new Error(`callback answered ${page.status}: ${page.html}`);
    return eventually(async () => {
      const metadata = await this.metadata(subaccountId);
      return metadata['status'] === 'connected' && metadata['isConnected'] === true ? metadata : undefined;
    });
  }

  async metadata(subaccountId: string): Promise<Record<string, JsonBody>> {
    const res = await this.asUser(subaccountId, 'GET', `/api/connectors/${subaccountId}/google-calendar`);
    return res.body.data?.metadata ?? {};
  }

  /** Follows the consent link through the sandbox's auto-consent up to our callback URL. */
  async consent(authUrl: string): Promise<string> {
    const response = await fetch(authUrl, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`consent did not redirect (${response.status})`);
    return location;
  }

  /** Opens the callback URL as a browser would (without following a redirect). */
  async openCallback(callbackUrl: string): Promise<{ status: number; html: string; location: string | null }> {
    const response = await fetch(callbackUrl, { redirect: 'manual' });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }
}

export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
