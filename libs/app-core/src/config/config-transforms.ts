import { Expose, Transform } from 'class-transformer';

/** Reads a comma-separated variable into a trimmed list without blanks. */
export function CommaSeparated(): PropertyDecorator {
  return Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );
}

/** Reads a variable as a number ("3002" -> 3002); anything else stays for the validator to refuse. */
export function NumberFromEnv(): PropertyDecorator {
  return Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value,
  );
}

/** Marks a property as read from the environment variable of the same name. */
export const EnvVar = Expose;
