import { DynamicModule, Module } from '@nestjs/common';
import { SERVICE_AUTH_OPTIONS, ServiceAuthOptions } from './service-auth.options';
import { ServiceTokenGuard } from './service-token.guard';

@Module({})
export class ServiceAuthModule {
  static forRootAsync(options: {
    inject?: never[] | unknown[];
    useFactory: (...args: never[]) => ServiceAuthOptions;
  }): DynamicModule {
    return {
      module: ServiceAuthModule,
      global: true,
      providers: [
        {
          provide: SERVICE_AUTH_OPTIONS,
          inject: (options.inject ?? []) as never[],
          useFactory: options.useFactory,
        },
        ServiceTokenGuard,
      ],
      exports: [SERVICE_AUTH_OPTIONS, ServiceTokenGuard],
    };
  }
}
