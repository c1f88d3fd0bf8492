import { ConnectionStatus } from './google-calendar-connection.dto';

/** The connector metadata webhook-api keeps in sync with a Google Calendar connection. */
export interface GoogleCalendarConnectorMetadata {
  calendarId: string;
  userEmail: string;
  googleEmail: string;
  connectedAt: string;
  isConnected: boolean;
  status: ConnectionStatus;
  lastError: string | null;
  disconnectedAt: string | null;
}
