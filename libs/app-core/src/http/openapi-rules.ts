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
 * define is a 400. The document says so (`additionalProperties: false` on each body
 * schema), instead of the open objects the Swagger module emits by default.
 */
export function closeRequestBodySchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const body = pathItem[method]?.requestBody;
      const ref = body && 'content' in body ? body.content['application/json']?.schema : undefined;
      const name = ref && '$ref' in ref ? ref.$ref.split('/').pop() : undefined;
      const schema = name ? schemas[name] : undefined;
      if (schema && !('$ref' in schema) && schema.additionalProperties === undefined) {
        schema.additionalProperties = false;
      }
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
