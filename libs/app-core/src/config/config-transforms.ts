import { applyDecorators } from '@nestjs/common';
import { Expose, Transform } from 'class-transformer';
import { ArrayMinSize, IsArray, IsString, MinLength } from 'class-validator';

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
  return Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value));
}

/** Marks a property as read from the environment variable of the same name. */
export const EnvVar = Expose;

/** A token this app presents to another service. */
export function ServiceToken(): PropertyDecorator {
  return applyDecorators(Expose(), IsString(), MinLength(16, { message: 'must be at least 16 characters' }));
}

/** Tokens this app accepts from services, comma-separated: several while one is rotated. */
export function AcceptedServiceTokens(): PropertyDecorator {
  return applyDecorators(
    Expose(),
    CommaSeparated(),
    IsArray(),
    ArrayMinSize(1),
    MinLength(16, { each: true, message: 'each token must be at least 16 characters' }),
  );
}
