/* eslint-disable @typescript-eslint/no-unsafe-function-type -- DTO classes of any constructor shape */

/** Body DTOs that must set at least one field, by class (their OpenAPI schema has the class's name). */
const AT_LEAST_ONE_FIELD = new Set<Function>();

/**
 * A body of this DTO must set at least one field: a change that changes nothing (an empty
 * PATCH) is a 400 instead of a call that still writes. The validation pipe enforces it and
 * the OpenAPI document says it (`minProperties: 1`).
 */
export function AtLeastOneField(): ClassDecorator {
  return (target) => {
    AT_LEAST_ONE_FIELD.add(target);
  };
}

export function requiresAtLeastOneField(type: Function): boolean {
  return AT_LEAST_ONE_FIELD.has(type);
}

/** The OpenAPI schema names of those DTOs. */
export function atLeastOneFieldSchemaNames(): string[] {
  return [...AT_LEAST_ONE_FIELD].map((type) => type.name);
}
