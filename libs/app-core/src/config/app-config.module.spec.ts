import { Test } from '@nestjs/testing';
import { IsInt, IsOptional, IsString } from 'class-validator';
import fs from 'node:fs';
import { AppConfigModule } from './app-config.module';
import { EnvVar, NumberFromEnv } from './config-transforms';
import { ConfigValidationError } from './validate-config';

class ExampleConfig {
  @EnvVar()
  @IsString()
  readonly NAME!: string;

  @EnvVar()
  @NumberFromEnv()
  @IsInt()
  readonly COUNT: number = 7;

  /** Set in every process environment, so reading process.env would show here. */
  @EnvVar()
  @IsOptional()
  @IsString()
  readonly PATH?: string;
}

class PathOnlyConfig {
  @EnvVar()
  @IsOptional()
  @IsString()
  readonly PATH?: string;
}

async function configFrom<T extends object>(
  configClass: new () => T,
  env?: Record<string, string | undefined>,
): Promise<T> {
  const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(configClass, env)] }).compile();
  try {
    return moduleRef.get(configClass);
  } finally {
    await moduleRef.close();
  }
}

describe('AppConfigModule', () => {
  let envBefore: NodeJS.ProcessEnv;
  let existsSync: jest.SpyInstance;

  beforeEach(() => {
    envBefore = { ...process.env };
    // No .env file is ever read here, whatever the working directory holds; the spy shows
    // whether one was looked for.
    const realExistsSync = fs.existsSync.bind(fs);
    existsSync = jest
      .spyOn(fs, 'existsSync')
      .mockImplementation((path) => (String(path).endsWith('.env') ? false : realExistsSync(path)));
  });
  afterEach(() => {
    existsSync.mockRestore();
    expect(process.env).toEqual(envBefore);
  });

  const envFileLookups = () => existsSync.mock.calls.filter(([path]) => String(path).endsWith('.env'));

  it('with an explicit env reads exactly that record: values, defaults, and nothing from process.env', async () => {
    expect(process.env['PATH']).toEqual(expect.any(String));
    const config = await configFrom(ExampleConfig, { NAME: 'from-the-record', LOG_LEVEL: 'debug' });
    expect(config).toBeInstanceOf(ExampleConfig);
    expect(config.NAME).toBe('from-the-record');
    expect(config.COUNT).toBe(7);
    expect(config.PATH).toBeUndefined();
  });

  it('with an explicit env converts values and treats blanks and undefined as missing', async () => {
    const config = await configFrom(ExampleConfig, { NAME: 'n', COUNT: '42', PATH: '' });
    expect(config.COUNT).toBe(42);
    expect(config.PATH).toBeUndefined();
    expect((await configFrom(ExampleConfig, { NAME: 'n', COUNT: undefined })).COUNT).toBe(7);
  });

  it('with an explicit env, even an empty one, never looks for a .env file', async () => {
    expect((await configFrom(PathOnlyConfig, {})).PATH).toBeUndefined();
    expect(envFileLookups()).toEqual([]);
  });

  it('with an explicit env fails at forRoot, naming every bad variable', () => {
    let thrown: unknown;
    try {
      AppConfigModule.forRoot(ExampleConfig, { COUNT: 'many', PATH: process.env['PATH'] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigValidationError);
    expect((thrown as ConfigValidationError).problems).toEqual([
      'COUNT is malformed: COUNT must be an integer number',
      'NAME is missing',
    ]);
  });

  it('without env reads the process environment and looks for a .env file (outside production)', async () => {
    expect(process.env['NODE_ENV']).not.toBe('production');
    expect((await configFrom(PathOnlyConfig)).PATH).toBe(process.env['PATH']);
    expect(envFileLookups()).not.toEqual([]);
  });

  it('without env still fails fast with ConfigValidationError', async () => {
    // NAME is not a variable of this process, so the production path must refuse to start.
    expect(process.env['NAME']).toBeUndefined();
    await expect(configFrom(ExampleConfig)).rejects.toThrow(ConfigValidationError);
  });
});
