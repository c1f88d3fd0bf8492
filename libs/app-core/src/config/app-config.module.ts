import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { validateConfig } from './validate-config';

const TYPED_CONFIG = 'typedConfig';

/** Raw configuration variables by name, as `process.env` holds them. */
export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/**
 * Validates the configuration once into `configClass` and provides that instance for
 * injection. Called from `AppModule.forRoot()`, so a bad configuration fails at start with
 * every problem named (ConfigValidationError).
 *
 * - Without `env` (production): the process environment plus a `.env` file outside
 *   production; real variables win.
 * - With `env`: exactly that record, validated here and now; neither `process.env` nor a
 *   `.env` file is read, so tests configure an app without touching global state.
 */
@Module({})
export class AppConfigModule {
  static forRoot<T extends object>(configClass: new () => T, env?: EnvironmentVariables): DynamicModule {
    if (env !== undefined) {
      return {
        module: AppConfigModule,
        global: true,
        providers: [{ provide: configClass, useValue: validateConfig(configClass, env) }],
        exports: [configClass],
      };
    }
    return {
      module: AppConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: process.env['NODE_ENV'] === 'production',
          envFilePath: ['.env'],
          validate: (vars) => ({ [TYPED_CONFIG]: validateConfig(configClass, vars) }),
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
