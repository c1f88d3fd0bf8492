import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionOverviewPage, Connector, ErrorCode } from '../index';
import { createConnectorApiClient } from './connector-api-client';

const SUBACCOUNT_ID = '68cf05f060d294db17c0685e';

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

const CONNECTOR: Connector = {
  subaccountId: SUBACCOUNT_ID,
  connectorId: 'google-calendar',
  name: 'Google Calendar',
  metadata: { isConnected: true, calendarId: '68cf06a160d294db17c06871' },
  createdAt: '2026-12-01T08:00:00.000Z',
  updatedAt: '2026-12-01T08:05:00.000Z',
};

const OVERVIEW_PAGE: ConnectionOverviewPage = {
  items: [
    {
      calendarId: '68cf06a160d294db17c06871',
      subaccountId: SUBACCOUNT_ID,
      googleEmail: 'user@example.com',
      status: 'reauth_required',
      lastError: 'invalid_grant',
      connectedAt: '2026-12-01T08:00:00.000Z',
      lastSyncedAt: null,
      channelExpiresAt: null,
      pendingDeliveries: 0,
      failedDeliveries: 1,
    },
  ],
  nextCursor: '68cf06a160d294db17c06871',
};

/** A real HTTP server standing in for database-api: it answers a few routes in the envelope. */
class FakeDatabaseApi {
  readonly seen: SeenRequest[] = [];
  private readonly server: Server = createServer((request, response) => {
    void this.handle(request).then(([status, body]) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private async handle(request: IncomingMessage): Promise<[number, unknown]> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const seen: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      body,
    };
    this.seen.push(seen);
    if (seen.method === 'GET' && seen.url === `/api/connectors/${SUBACCOUNT_ID}`) {
      return [200, { success: true, data: [CONNECTOR] }];
    }
    if (seen.method === 'GET' && seen.url.startsWith('/api/google-calendar/connections?')) {
      return [200, { success: true, data: OVERVIEW_PAGE }];
    }
    if (seen.method === 'POST' && seen.url === `/api/connectors/${SUBACCOUNT_ID}`) {
      const created = JSON.parse(body) as { connectorId: string; name?: string };
      return [201, { success: true, data: { ...CONNECTOR, ...created, metadata: {} } }];
    }
    return [
      404,
      { success: false, message: 'Connector not found', error: { code: 'CONNECTOR_NOT_FOUND', requestId: 'req-1' } },
    ];
  }
}

describe('createConnectorApiClient', () => {
  const api = new FakeDatabaseApi();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await api.start();
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.seen.length = 0;
  });

  it('sends the bearer token, asking for it anew on each request', async () => {
    const tokens = ['jwt-1', 'jwt-2'];
    const client = createConnectorApiClient({ baseUrl, token: async () => tokens.shift() ?? 'no token left' });

    await client.GET('/api/connectors/{subaccountId}', { params: { path: { subaccountId: SUBACCOUNT_ID } } });
    await client.GET('/api/connectors/{subaccountId}', { params: { path: { subaccountId: SUBACCOUNT_ID } } });

    expect(api.seen.map((request) => request.authorization)).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
  });

  it('builds the path from the typed parameters and answers the success envelope typed', async () => {
    const client = createConnectorApiClient({ baseUrl: `${baseUrl}/`, token: () => 'jwt' });

    const { data, error, response } = await client.GET('/api/connectors/{subaccountId}', {
      params: { path: { subaccountId: SUBACCOUNT_ID } },
    });

    expect(api.seen).toEqual([expect.objectContaining({ method: 'GET', url: `/api/connectors/${SUBACCOUNT_ID}` })]);
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    // Typed: `data.data` is Connector[] (tsc checks this assignment).
    const connectors: Connector[] | undefined = data?.data;
    expect(connectors).toEqual([CONNECTOR]);
  });

  it('sends a typed JSON body', async () => {
    const client = createConnectorApiClient({ baseUrl, token: () => 'jwt' });

    const { data } = await client.POST('/api/connectors/{subaccountId}', {
      params: { path: { subaccountId: SUBACCOUNT_ID } },
      body: { connectorId: 'google-calendar', name: 'Team calendar' },
    });

    expect(api.seen[0]).toMatchObject({
      method: 'POST',
      contentType: 'application/json',
      body: JSON.stringify({ connectorId: 'google-calendar', name: 'Team calendar' }),
    });
    expect(data?.data.name).toBe('Team calendar');
  });

  it('answers an error status as the typed error envelope', async () => {
    const client = createConnectorApiClient({ baseUrl, token: () => 'jwt' });

    const { data, error, response } = await client.GET('/api/connectors/{subaccountId}/{connectorId}', {
      params: { path: { subaccountId: SUBACCOUNT_ID, connectorId: 'zoom' } },
    });

    expect(api.seen[0]?.url).toBe(`/api/connectors/${SUBACCOUNT_ID}/zoom`);
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    const code: ErrorCode | undefined = error?.error.code;
    expect(code).toBe('CONNECTOR_NOT_FOUND');
  });

  it("lists connections for the operator's view with a typed query", async () => {
    const client = createConnectorApiClient({ baseUrl, token: () => 'admin-jwt' });

    const { data } = await client.GET('/api/google-calendar/connections', {
      params: { query: { status: 'reauth_required', limit: 20, cursor: '68cf06a160d294db17c06872' } },
    });

    expect(api.seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/google-calendar/connections?status=reauth_required&limit=20&cursor=68cf06a160d294db17c06872',
      authorization: 'Bearer admin-jwt',
    });
    const page: ConnectionOverviewPage | undefined = data?.data;
    expect(page).toEqual(OVERVIEW_PAGE);
  });

  it('refuses at compile time what the document does not allow', () => {
    const client = createConnectorApiClient({ baseUrl, token: () => 'jwt' });
    // Never called: these lines are for the type checker. ts-jest and tsc fail on an unused
    // expect-error directive, i.e. if the client stopped checking paths and parameters.
    const misuses = () => [
      // @ts-expect-error the path parameter is named subaccountId
      client.GET('/api/connectors/{subaccountId}', { params: { path: { subaccount: SUBACCOUNT_ID } } }),
      // @ts-expect-error no such route
      client.GET('/api/connectors'),
      // @ts-expect-error status is one of the connection statuses
      client.GET('/api/google-calendar/connections', { params: { query: { status: 'broken' } } }),
      // @ts-expect-error connectorId is required in the body
      client.POST('/api/connectors/{subaccountId}', { params: { path: { subaccountId: SUBACCOUNT_ID } }, body: {} }),
    ];
    expect(misuses).toBeInstanceOf(Function);
  });
});
