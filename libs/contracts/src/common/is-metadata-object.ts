import { ValidationOptions, registerDecorator } from 'class-validator';
import { KEY_EDGE_WHITESPACE } from './metadata-schema';

const MAX_DEPTH = 16;
const EDGE_WHITESPACE = new RegExp(`^[${KEY_EDGE_WHITESPACE}]|[${KEY_EDGE_WHITESPACE}]$`);

/**
 * Why a metadata value is not storable, or null when it is. Keys are stored as MongoDB
 * field names, so an empty key, a `.` (path separator) or a leading `$` (operator) could
 * be misread as a path or an operator; they are refused at every depth, and so are keys
 * that start or end with white space and arrays directly inside arrays. The OpenAPI
 * document states the same key rule as METADATA_KEY_PATTERN.
 */
export function metadataProblem(value: unknown, path = 'metadata', depth = 0): string | null {
  if (!isPlainObject(value)) return `${path} must be an object`;
  if (depth > MAX_DEPTH) return `${path} is nested deeper than ${MAX_DEPTH} levels`;
  for (const [key, child] of Object.entries(value)) {
    if (key === '') return `${path} has an empty key`;
    if (key.includes('.')) return `${path} key "${key}" must not contain "."`;
    if (key.startsWith('$')) return `${path} key "${key}" must not start with "$"`;
    // Field names are C strings in BSON: a NUL cannot be stored.
    if (key.includes('\u0000')) return `${path} key ${JSON.stringify(key)} must not contain a NUL character`;
    // The database takes a top-level key as part of an update path, and refuses a path
    // segment that starts or ends with white space; the rule holds at every depth alike.
    if (EDGE_WHITESPACE.test(key)) return `${path} key ${JSON.stringify(key)} must not start or end with white space`;
    const nested = nestedProblem(child, `${path}.${key}`, depth + 1);
    if (nested) return nested;
  }
  return null;
}

function nestedProblem(value: unknown, path: string, depth: number): string | null {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      // FerretDB 1.x cannot store an array directly inside an array; refuse it everywhere
      // so the same input behaves the same on both servers.
      if (Array.isArray(item)) return `${path}[${index}] is an array inside an array, which is not supported`;
      const problem = nestedProblem(item, `${path}[${index}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  return isPlainObject(value) ? metadataProblem(value, path, depth) : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** class-validator rule: a plain object whose keys (at every depth) are storable. */
export function IsMetadataObject(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isMetadataObject',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => metadataProblem(value, String(propertyName)) === null,
        defaultMessage: (args) => metadataProblem(args?.value, args?.property ?? String(propertyName)) ?? 'invalid',
      },
    });
}
