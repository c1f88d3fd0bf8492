import type {
  Connector,
  ConnectorApiClient,
  GoogleCalendarConnectResult,
  GoogleCalendarDisconnectResult,
} from '@connector-service/api-client';
import { answerOf } from './api-answer';
import { ApiProblemError } from './api-problem';

export const GOOGLE_CALENDAR_CONNECTOR_ID = 'google-calendar';
const GOOGLE_CALENDAR_CONNECTOR_NAME = 'Google Calendar';

/** Where a subaccount's Google Calendar stands, as far as the SPA needs to know. */
export type ConnectionStatus = 'not_connected' | 'connected' | 'reauth_required';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** The Google account connected (or last connected, when access was lost). */
  readonly googleEmail?: string;
  /** The connection's id at webhook-api (stable for the connector's life). */
  readonly calendarId?: string;
  readonly connectedAt?: string;
  readonly lastError?: string;
}

/**
 * Reads the state from a google-calendar connector's metadata, which webhook-api keeps through
 * its durable metadata updates (contract "webhook-api routes" and "Connection lifecycle").
 * `status` wins when present; older metadata may carry only `isConnected`.
 */
export function connectionStateOf(metadata: Record<string, unknown> | undefined): ConnectionState {
  const status = metadata?.['status'];
  const details = {
    ...stringField(metadata, 'googleEmail'),
    ...stringField(metadata, 'calendarId'),
    ...stringField(metadata, 'connectedAt'),
    ...stringField(metadata, 'lastError'),
  };
  if (status === 'reauth_required') return { status: 'reauth_required', ...details };
  if (status === 'connected' || (status === undefined && metadata?.['isConnected'] === true)) {
    return { status: 'connected', ...details };
  }
  return { status: 'not_connected', ...details };
}

/**
 * The connect element's calls for one subaccount's google-calendar connector, through the
 * typed client. Each throws an ApiProblemError when database-api says no or cannot be reached.
 */
export class GoogleCalendarConnection {
  constructor(
    private readonly client: ConnectorApiClient,
    readonly subaccountId: string,
  ) {}

  /**
   * The current state, adding the google-calendar connector first when the subaccount lacks
   * it (the contract's connect element works on a fresh subaccount). A connector added by
   * someone else meanwhile (409 CONNECTOR_EXISTS) is simply read.
   */
  async load(): Promise<ConnectionState> {
    const existing = await this.connector();
    if (existing) return connectionStateOf(existing.metadata);
    try {
      const { value: added } = await answerOf(() =>
        this.client.POST('/api/connectors/{subaccountId}', {
          params: { path: { subaccountId: this.subaccountId } },
          body: { connectorId: GOOGLE_CALENDAR_CONNECTOR_ID, name: GOOGLE_CALENDAR_CONNECTOR_NAME },
        }),
      );
      return connectionStateOf(added.metadata);
    } catch (error) {
      if (error instanceof ApiProblemError && error.problem.code === 'CONNECTOR_EXISTS') return this.status();
      throw error;
    }
  }

  /** The current state without adding anything: a missing connector is not connected. */
  async status(): Promise<ConnectionState> {
    const connector = await this.connector();
    return connectionStateOf(connector?.metadata);
  }

  /**
   * Starts the OAuth flow (`handlegooglecalendar`): webhook-api e-mails the consent link to
   * `userEmail` (also Google's login hint) and answers it, for the element to open at once.
   */
  async startConsent(userEmail: string): Promise<GoogleCalendarConnectResult> {
    const { value } = await answerOf(() =>
      this.client.POST('/api/connectors/{subaccountId}/handlegooglecalendar', {
        params: { path: { subaccountId: this.subaccountId } },
        body: { userEmail },
      }),
    );
    return value;
  }

  /** Revokes the grant at Google and deletes the tokens (contract "Connection lifecycle"). */
  async disconnect(): Promise<GoogleCalendarDisconnectResult> {
    const { value } = await answerOf(() =>
      this.client.DELETE('/api/connectors/{subaccountId}/google-calendar/connection', {
        params: { path: { subaccountId: this.subaccountId } },
      }),
    );
    return value;
  }

  /**
   * The subaccount's google-calendar connector, found in its list of connectors: a missing one is
   * an answer of 200 (an empty list), not a 404 that the browser would log as an error on every
   * fresh subaccount and every poll.
   */
  private async connector(): Promise<Connector | undefined> {
    const { value } = await answerOf(() =>
      this.client.GET('/api/connectors/{subaccountId}', { params: { path: { subaccountId: this.subaccountId } } }),
    );
    return value.find((connector) => connector.connectorId === GOOGLE_CALENDAR_CONNECTOR_ID);
  }
}

function stringField(metadata: Record<string, unknown> | undefined, key: string): Record<string, string> {
  const value = metadata?.[key];
  return typeof value === 'string' && value.length > 0 ? { [key]: value } : {};
}
