import { ValidateIf } from 'class-validator';

/**
 * An optional field: it may be left out, but when given it must pass the field's rules
 * (unlike class-validator's IsOptional, `null` is not a way to leave it out).
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
