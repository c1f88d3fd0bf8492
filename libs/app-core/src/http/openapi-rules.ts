import type { NextFunction, Request, Response } from 'express';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode, ErrorEnvelope, METADATA_SCHEMAS } from '@connector-service/contracts';

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

/**
 * 405 with an `Allow` header (instead of 404) for a method that a documented path does
 * not support, in the error envelope.
 */
export function methodNotAllowed(getDocument: () => OpenAPIObject | undefined) {
  let routes: { pattern: RegExp; allowed: string[] }[] | undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const document = getDocument();
    if (!document || req.method === 'OPTIONS') return next();
    routes ??= Object.entries(document.paths).map(([path, item]) => ({
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}/?$`),
      allowed: METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()),
    }));
    // A path may match several templates ({id}/{connectorId} and {id}/handlegooglecalendar).
    const matching = routes.filter((candidate) => candidate.pattern.test(req.path));
    if (matching.length === 0) return next();
    const documented = [...new Set(matching.flatMap((route) => route.allowed))];
    const allowed = documented.includes('GET') ? [...new Set([...documented, 'HEAD'])] : documented;
    if (allowed.includes(req.method)) return next();
    const body: ErrorEnvelope = {
      success: false,
      message: `${req.method} is not allowed here; use ${allowed.join(', ')}`,
      error: { code: ErrorCode.MethodNotAllowed },
    };
    res.status(405).setHeader('Allow', allowed.join(', ')).json(body);
  };
}
