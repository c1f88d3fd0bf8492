import { createConnectorApiClient } from '@connector-service/api-client';
import { FakeDatabaseApi } from '../testing/fake-database-api';
import { ApiProblemError } from './api-problem';
import { GoogleCalendarConnection, connectionStateOf } from './connector-status';

const SUBACCOUNT_ID = '68cf05f060d294db17c0685e';
const CONNECTORS_PATH = `/api/connectors/${SUBACCOUNT_ID}`;

function connector(metadata: Record<string, unknown>) {
  return {
    subaccountId: SUBACCOUNT_ID,
    connectorId: 'google-calendar',
    name: 'Google Calendar',
    metadata,
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-01T08:00:00.000Z',
  };
}

/** The subaccount's connectors: another one, and the google-calendar connector when given. */
function connectorList(googleCalendar?: ReturnType<typeof connector>) {
  const other = { ...connector({}), connectorId: 'hubspot', name: 'HubSpot' };
  return { status: 200, body: { success: true, data: googleCalendar ? [other, googleCalendar] : [other] } };
}
const noGoogleCalendar = connectorList();

describe('connectionStateOf', () => {
  it("reads webhook-api's metadata of a connected connector", () => {
    expect(
      connectionStateOf({
        calendarId: '68cf06a160d294db17c06871',
        userEmail: 'user@example.com',
        googleEmail: 'googleuser@gmail.com',
        connectedAt: '2026-10-05T12:00:00.000Z',
        isConnected: true,
        status: 'connected',
        lastError: null,
        disconnectedAt: null,
      }),
    ).toEqual({
      status: 'connected',
      calendarId: '68cf06a160d294db17c06871',
      googleEmail: 'googleuser@gmail.com',
      connectedAt: '2026-10-05T12:00:00.000Z',
    });
  });

  it.each([
    [{ status: 'reauth_required', isConnected: false, lastError: 'invalid_grant' }, 'reauth_required'],
    [{ status: 'disconnected', isConnected: false }, 'not_connected'],
    [{}, 'not_connected'],
    [undefined, 'not_connected'],
    // Metadata written before `status` existed.
    [{ isConnected: true }, 'connected'],
    // `status` wins over a stale flag.
    [{ status: 'disconnected', isConnected: true }, 'not_connected'],
  ])('reads %j as %s', (metadata, status) => {
    expect(connectionStateOf(metadata).status).toBe(status);
  });
});

describe('GoogleCalendarConnection', () => {
  const api = new FakeDatabaseApi();
  let connection: GoogleCalendarConnection;

  beforeAll(async () => {
    const baseUrl = await api.start();
    connection = new GoogleCalendarConnection(createConnectorApiClient({ baseUrl, token: () => 'jwt' }), SUBACCOUNT_ID);
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.seen.length = 0;
  });

  it('adds the google-calendar connector when the subaccount lacks it', async () => {
    api.handler = (request) =>
      request.method === 'POST' ? { status: 201, body: { success: true, data: connector({}) } } : noGoogleCalendar;

    await expect(connection.load()).resolves.toEqual({ status: 'not_connected' });
    expect(api.seen.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${CONNECTORS_PATH}`,
      `POST ${CONNECTORS_PATH}`,
    ]);
    expect(api.seen[1]?.body).toEqual({ connectorId: 'google-calendar', name: 'Google Calendar' });
    expect(api.seen[0]?.headers['authorization']).toBe('Bearer jwt');
  });

  it('reads the connector when someone else added it meanwhile (409 CONNECTOR_EXISTS)', async () => {
    let gets = 0;
    api.handler = (request) => {
      if (request.method === 'POST') {
        return { status: 409, body: { success: false, message: 'exists', error: { code: 'CONNECTOR_EXISTS' } } };
      }
      return gets++ === 0 ? noGoogleCalendar : connectorList(connector({ status: 'connected' }));
    };

    await expect(connection.load()).resolves.toEqual({ status: 'connected' });
    expect(api.seen.map((request) => request.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('adds nothing when the list cannot be read (a bare 404: not database-api answering), and says so', async () => {
    api.handler = () => ({ status: 404, body: 'Cannot GET' });

    const failure = await connection.load().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiProblemError);
    expect((failure as ApiProblemError).problem).toMatchObject({ kind: 'other', status: 404 });
    expect(api.seen.map((request) => request.method)).toEqual(['GET']);
  });

  it('reads the status without adding a missing connector', async () => {
    api.handler = () => noGoogleCalendar;
    await expect(connection.status()).resolves.toEqual({ status: 'not_connected' });
    expect(api.seen.map((request) => request.method)).toEqual(['GET']);
  });

  it('starts the consent flow for the e-mail address and answers the consent URL', async () => {
    const result = {
      authUrl: 'https://accounts.google.com/o/oauth2/v2/auth?state=abc',
      userEmail: 'user@example.com',
      subaccountId: SUBACCOUNT_ID,
      emailSent: false,
    };
    api.handler = () => ({
      status: 200,
      body: { success: true, data: result, message: 'The e-mail could not be sent' },
    });

    await expect(connection.startConsent('user@example.com')).resolves.toEqual(result);
    expect(api.seen[0]).toMatchObject({
      method: 'POST',
      path: `/api/connectors/${SUBACCOUNT_ID}/handlegooglecalendar`,
      body: { userEmail: 'user@example.com' },
    });
  });

  it("disconnects through the contract's route, and throws NOT_CONNECTED as not_connected", async () => {
    api.handler = () => ({
      status: 200,
      body: {
        success: true,
        data: { calendarId: '68cf06a160d294db17c06871', status: 'disconnected', revokedAtGoogle: true, changed: true },
      },
    });
    await expect(connection.disconnect()).resolves.toMatchObject({ status: 'disconnected' });
    expect(api.seen[0]).toMatchObject({ method: 'DELETE', path: `${CONNECTORS_PATH}/google-calendar/connection` });

    api.handler = () => ({ status: 409, body: { success: false, message: 'never', error: { code: 'NOT_CONNECTED' } } });
    await expect(connection.disconnect()).rejects.toMatchObject({ problem: { kind: 'not_connected' } });
  });

  it('throws a network problem when the server does not answer', async () => {
    api.handler = () => 'abort';
    await expect(connection.status()).rejects.toMatchObject({ problem: { kind: 'network' } });
  });
});
