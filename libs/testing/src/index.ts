// Test and local-development infrastructure: real servers on loopback, never mocks.
export * from './lib/ferretdb';
export * from './lib/tcp-proxy';
export * from './lib/smtp-capture';
export * from './lib/jwt';
export * from './lib/subaccount-id';
export * from './lib/free-port';
export * from './lib/test-database';
export * from './lib/app-process';
export * from './lib/stack-env';
export * from './lib/config-variables';
export * from './lib/openapi-conformance';
export * from './lib/workspace-root';
export * from './lib/webhook-receiver';
export * from './lib/awaited-log';
export * from './lib/change-notifications';
export * from './lib/prometheus-metrics';
export * from './lib/chromium';
