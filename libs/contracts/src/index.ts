// DTOs and shared types of both apps' routes. Depends on nothing of ours.
export * from './common/identifiers';
export * from './common/identifier.decorators';
export * from './common/error-codes';
export * from './common/envelope';
export * from './common/is-metadata-object';
export * from './common/metadata-schema';
export * from './common/optional';
export * from './connectors/connector-params.dto';
export * from './connectors/create-connector.dto';
export * from './connectors/connector.dto';
export * from './connectors/deleted-connector.dto';
export * from './connectors/update-connector-metadata.dto';
export * from './google-calendar/calendar-summary.dto';
export * from './google-calendar/connect-google-calendar.dto';
export * from './google-calendar/google-calendar-connect-result.dto';
export * from './google-calendar/google-calendar-connection.dto';
export * from './google-calendar/google-calendar-metadata';
