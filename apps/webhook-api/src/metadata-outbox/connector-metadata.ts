import type { GoogleCalendarConnectorMetadata } from '@connector-service/contracts';
import type { ConnectionRecord } from '../connections/connection.repository';

/** The connector metadata that describes a connection's current state. */
export function connectorMetadataOf(connection: ConnectionRecord): GoogleCalendarConnectorMetadata {
  return {
    calendarId: connection._id.toString(),
    userEmail: connection.userEmail,
    googleEmail: connection.googleEmail,
    connectedAt: connection.connectedAt.toISOString(),
    isConnected: connection.status === 'connected',
    status: connection.status,
    lastError: connection.lastError ?? null,
    disconnectedAt: connection.disconnectedAt ? connection.disconnectedAt.toISOString() : null,
  };
}
