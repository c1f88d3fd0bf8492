import { IsIn, IsString, Matches } from 'class-validator';
import { EnvVar } from './config-transforms';

/** What every service of ours reads: its database and its log level. */
export abstract class ServiceConfig {
  @EnvVar()
  @IsString()
  @Matches(/^mongodb(\+srv)?:\/\/.+/, { message: 'must be a mongodb:// or mongodb+srv:// URI' })
  readonly MONGODB_URI!: string;

  @EnvVar()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  readonly LOG_LEVEL: string = 'info';
}
