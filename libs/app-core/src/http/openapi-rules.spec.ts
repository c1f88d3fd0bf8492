import type { OpenAPIObject } from '@nestjs/swagger';
import { closeRequestBodySchemas, disallowedMethodRule, methodNotAllowedBody } from './openapi-rules';

const document = {
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: {
    '/api/things/{id}': {
      get: { responses: {} },
      post: {
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateDto' } } } },
        responses: {},
      },
    },
    '/api/things/{id}/{name}': { get: { responses: {} }, delete: { responses: {} } },
    '/api/things/{id}/special': { post: { responses: {} } },
  },
  components: {
    schemas: { CreateDto: { type: 'object', properties: { a: { type: 'string' } } }, Open: { type: 'object' } },
  },
} as unknown as OpenAPIObject;

const rule = disallowedMethodRule(document);

describe('disallowedMethodRule', () => {
  it('lets documented methods (and HEAD for GET, OPTIONS for CORS) and unknown paths through', () => {
    expect(rule('GET', '/api/things/1')).toBeUndefined();
    expect(rule('HEAD', '/api/things/1')).toBeUndefined();
    expect(rule('OPTIONS', '/api/things/1')).toBeUndefined();
    expect(rule('POST', '/api/things/1/special')).toBeUndefined();
    expect(rule('GET', '/api/other')).toBeUndefined();
  });

  it('answers the Allow list for other methods, uniting every template that matches', () => {
    expect(rule('PUT', '/api/things/1/special')).toEqual(['GET', 'DELETE', 'POST', 'HEAD']);
    expect(rule('TRACE', '/api/things/1')).toEqual(['GET', 'POST', 'HEAD']);
    expect(methodNotAllowedBody('PUT', ['GET', 'HEAD'])).toMatchObject({
      success: false,
      error: { code: 'METHOD_NOT_ALLOWED' },
    });
  });
});

describe('closeRequestBodySchemas', () => {
  it('marks request body schemas closed and leaves others alone', () => {
    closeRequestBodySchemas(document);
    const schemas = document.components?.schemas as Record<string, { additionalProperties?: unknown }>;
    expect(schemas['CreateDto'].additionalProperties).toBe(false);
    expect(schemas['Open'].additionalProperties).toBeUndefined();
  });
});
