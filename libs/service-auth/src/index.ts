// The service-token guard: how our services authenticate each other.
export * from './lib/service-auth.options';
export * from './lib/service-token-matcher';
export * from './lib/service-token.guard';
export * from './lib/service-auth.decorator';
export * from './lib/service-auth.module';
