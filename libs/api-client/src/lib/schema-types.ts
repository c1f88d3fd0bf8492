import type { components } from '../generated/database-api';

type Schemas = components['schemas'];

/** A connector as database-api answers it, with its `metadata`. */
export type Connector = Schemas['ConnectorDto'];
export type CreateConnectorRequest = Schemas['CreateConnectorDto'];
export type ConnectGoogleCalendarRequest = Schemas['ConnectGoogleCalendarDto'];
export type GoogleCalendarConnectResult = Schemas['GoogleCalendarConnectResultDto'];
export type GoogleCalendarDisconnectResult = Schemas['GoogleCalendarDisconnectResultDto'];
/** `{ success: false, message, error: { code, details?, requestId? } }` */
export type ErrorEnvelope = Schemas['ErrorEnvelopeDto'];
/** The stable error codes (`SLOT_TAKEN`, `NOT_CONNECTED`, ...). */
export type ErrorCode = Schemas['ErrorBodyDto']['code'];

/** The calendar work (the contract's "Calendar work on a connection"). */
export type AvailabilityRequest = Schemas['AvailabilityRequestDto'];
export type Slot = Schemas['TimeIntervalDto'];
export type CalendarEvent = Schemas['CalendarEventDto'];
export type CreateEventRequest = Schemas['CreateEventDto'];

/** The operator's view (admin tokens only): `GET /api/google-calendar/connections`. */
export type ConnectionOverview = Schemas['ConnectionOverviewDto'];
export type ConnectionOverviewPage = Schemas['ConnectionOverviewPageDto'];
