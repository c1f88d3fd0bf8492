import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

/** Thrown at start when the environment is incomplete; names every bad variable at once. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Builds a typed configuration object from raw environment variables. The class declares
 * each variable with class-validator rules and class-transformer conversions; unknown
 * variables are ignored (the environment holds many that are not ours).
 */
export function validateConfig<T extends object>(configClass: new () => T, env: Record<string, unknown>): T {
  const blanksRemoved = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== '' && value !== undefined),
  );
  const config = plainToInstance(configClass, blanksRemoved, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigValidationError(errors.map(describe).sort());
  return config;
}

/** One line per variable, whatever number of its rules failed. */
function describe(error: ValidationError): string {
  if (error.value === undefined) return `${error.property} is missing`;
  return `${error.property} is malformed: ${Object.values(error.constraints ?? {}).join('; ')}`;
}
