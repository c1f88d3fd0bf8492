// HTTP plumbing both apps share: typed config, the envelope, errors, bootstrap, health.
export * from './config/validate-config';
export * from './config/config-transforms';
export * from './config/app-config.module';
export * from './http/domain.exception';
export * from './http/message-result';
export * from './http/envelope.interceptor';
export * from './http/api-exception.filter';
export * from './http/validation.pipe';
export * from './http/http-core.providers';
export * from './http/api-responses.decorator';
export * from './http/configure-http-app';
export * from './health/health.module';
export * from './observability/request-context';
export * from './observability/logging.module';
export * from './observability/http-metrics';
export * from './observability/metrics.module';
export * from './bootstrap/run-app';
