import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode, ErrorEnvelope, METADATA_SCHEMAS, atLeastOneFieldSchemaNames } from '@connector-service/contracts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Adds the shared schemas DTOs refer to by `$ref` (the metadata object with its key rules). */
export function addSharedSchemas(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.schemas = {
    ...(JSON.parse(JSON.stringify(METADATA_SCHEMAS)) as Record<string, object>),
    ...document.components.schemas,
  };
}

/**
 * Request bodies are validated with `forbidNonWhitelisted`: a field the DTO does not
 * define is a 400, in nested objects too. The document says so (`additionalProperties:
 * false` on each body schema and every schema it refers to), instead of the open objects
 * the Swagger module emits by default.
 */
export function closeRequestBodySchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<string>();
  const close = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(close);
    if (typeof node !== 'object' || node === null) return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      const name = ref.split('/').pop() as string;
      const schema = schemas[name];
      if (closed.has(name) || !schema || '$ref' in schema) return;
      closed.add(name);
      if (schema.additionalProperties === undefined && schema.properties) schema.additionalProperties = false;
      return close(schema);
    }
    for (const key of ['properties', 'items', 'oneOf', 'anyOf', 'allOf'] as const) {
      const child = (node as Record<string, unknown>)[key];
      if (key === 'properties' && child) Object.values(child as object).forEach(close);
      else close(child);
    }
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const body = pathItem[method]?.requestBody;
      close(body && 'content' in body ? body.content['application/json']?.schema : undefined);
    }
  }
}

/** The body schemas of DTOs marked AtLeastOneField say so: `minProperties: 1`. */
export function requireSomeFieldOfBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const name of atLeastOneFieldSchemaNames()) {
    const schema = schemas[name];
    if (schema && !('$ref' in schema)) schema.minProperties = 1;
  }
}

/**
 * Any route answers 431 in the envelope when the request line and headers are over Node's
 * 16 KiB (a long query string): every operation documents it.
 */
export function documentHeadersTooLarge(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation || operation.responses['431']) continue;
      operation.responses['431'] = {
        description: 'HEADERS_TOO_LARGE: the request line and headers are over 16 KiB',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' } } },
      };
    }
  }
}

/**
 * The 405 rule: for a method that a documented path does not support, the methods it does
 * (`Allow`, HEAD with GET); undefined when the path is not documented or the method is
 * allowed (OPTIONS is CORS's). Asked only for requests that matched no route.
 */
export function disallowedMethodRule(document: OpenAPIObject): (method: string, path: string) => string[] | undefined {
  const routes = Object.entries(document.paths).map(([path, item]) => ({
    pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}/?$`),
    allowed: METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()),
  }));
  return (method, path) => {
    if (method === 'OPTIONS') return undefined;
    // A path may match several templates ({id}/{connectorId} and {id}/handlegooglecalendar).
    const matching = routes.filter((candidate) => candidate.pattern.test(path));
    if (matching.length === 0) return undefined;
    const documented = [...new Set(matching.flatMap((route) => route.allowed))];
    const allowed = documented.includes('GET') ? [...new Set([...documented, 'HEAD'])] : documented;
    return allowed.includes(method) ? undefined : allowed;
  };
}

/** The envelope of a 405. */
export function methodNotAllowedBody(method: string, allowed: readonly string[]): ErrorEnvelope {
  return {
    success: false,
    message: `${method} is not allowed here; use ${allowed.join(', ')}`,
    error: { code: ErrorCode.MethodNotAllowed },
  };
}
