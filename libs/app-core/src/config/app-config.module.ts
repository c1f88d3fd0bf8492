import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { validateConfig } from './validate-config';

const TYPED_CONFIG = 'typedConfig';

/**
 * Reads the environment once (plus a `.env` file outside production; real variables win),
 * validates it into `configClass` and provides that instance for injection. Called from
 * `AppModule.forRoot()`, so a bad environment fails at start with every problem named.
 */
@Module({})
export class AppConfigModule {
  static forRoot<T extends object>(configClass: new () => T): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: process.env['NODE_ENV'] === 'production',
          envFilePath: ['.env'],
          validate: (env) => ({ [TYPED_CONFIG]: validateConfig(configClass, env) }),
        }),
      ],
      providers: [
        {
          provide: configClass,
          inject: [ConfigService],
          useFactory: (configService: ConfigService) => configService.get<T>(TYPED_CONFIG),
        },
      ],
      exports: [configClass],
    };
  }
}
