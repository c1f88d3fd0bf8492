/** A subaccount id is a MongoDB ObjectId in its 24-hex-digit string form. */
export const SUBACCOUNT_ID_PATTERN = /^[0-9a-fA-F]{24}$/;
/** A connector id is a short lowercase slug such as `google-calendar`. */
export const CONNECTOR_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The id of a stored Google Calendar connection (its `calendarId`): an ObjectId. */
export const CALENDAR_ID_PATTERN = SUBACCOUNT_ID_PATTERN;

export const GOOGLE_CALENDAR_CONNECTOR_ID = 'google-calendar';

/**
 * The header in which database-api names the subaccount it acts for on every call to
 * webhook-api, so webhook-api can refuse a connection of another subaccount.
 */
export const SUBACCOUNT_ID_HEADER = 'X-Subaccount-Id';

export const SUBACCOUNT_ID_EXAMPLE = '68cf05f060d294db17c0685e';
export const CONNECTOR_ID_EXAMPLE = GOOGLE_CALENDAR_CONNECTOR_ID;
export const CALENDAR_ID_EXAMPLE = '68cf06a160d294db17c06871';
