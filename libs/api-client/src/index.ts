// The typed client for the SPA: database-api's routes and schemas, generated from its
// committed OpenAPI document (npm run api-client:generate), called through openapi-fetch.
export * from './lib/connector-api-client';
export * from './lib/schema-types';
export type { components, operations, paths } from './generated/database-api';
