import { ConnectionStatus, GoogleCalendarConnectorMetadata } from '@connector-service/contracts';
import type { GoogleCalendarConnection } from '../connections/google-calendar-connection.schema';

/** The connector metadata that describes a connection's current state. */
export function connectorMetadataOf(connection: GoogleCalendarConnection): GoogleCalendarConnectorMetadata {
  return {
    calendarId: connection._id.toString(),
    userEmail: connection.userEmail,
    googleEmail: connection.googleEmail,
    connectedAt: connection.connectedAt.toISOString(),
    isConnected: connection.status === ConnectionStatus.Connected,
    status: connection.status,
    lastError: connection.lastError ?? null,
    disconnectedAt: connection.disconnectedAt ? connection.disconnectedAt.toISOString() : null,
  };
}
