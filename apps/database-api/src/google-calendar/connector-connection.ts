import { CALENDAR_ID_PATTERN, ConnectionStatus } from '@connector-service/contracts';

/** The connection at webhook-api that a google-calendar connector's metadata names. */
export interface ConnectorConnection {
  readonly subaccountId: string;
  /** The connection's id at webhook-api. */
  readonly calendarId: string;
  /** As the metadata last said (webhook-api's metadata updates keep it); absent when it says none. */
  readonly status?: string;
}

/**
 * The connection a google-calendar connector's metadata names (written by webhook-api's
 * metadata updates, contract "webhook-api routes"), or undefined when it names no usable
 * `calendarId`: never connected. The one place that reads that metadata's shape.
 */
export function connectionOf(connector: {
  subaccountId: string;
  metadata?: Record<string, unknown>;
}): ConnectorConnection | undefined {
  const calendarId = connector.metadata?.['calendarId'];
  if (typeof calendarId !== 'string' || !CALENDAR_ID_PATTERN.test(calendarId)) return undefined;
  const status = connector.metadata?.['status'];
  return { subaccountId: connector.subaccountId, calendarId, ...(typeof status === 'string' ? { status } : {}) };
}

/**
 * Whether the connection may still hold something at webhook-api and Google (tokens, a
 * grant, channels): anything but `disconnected`, since a status the metadata does not
 * state is no proof that nothing is left.
 */
export function mayBeConnected(connection: ConnectorConnection): boolean {
  return connection.status !== ConnectionStatus.Disconnected;
}
