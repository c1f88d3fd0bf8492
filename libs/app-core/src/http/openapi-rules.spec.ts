import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { closeRequestBodySchemas, methodNotAllowed } from './openapi-rules';

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

function call(method: string, path: string) {
  const res = { statusCode: 0, headers: {} as Record<string, string>, body: undefined as unknown } as {
    statusCode: number;
    headers: Record<string, string>;
    body: unknown;
  };
  const response = {
    status(code: number) {
      res.statusCode = code;
      return this;
    },
    setHeader(name: string, value: string) {
      res.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      res.body = body;
      return this;
    },
  } as unknown as Response;
  let passed = false;
  methodNotAllowed(() => document)({ method, path } as Request, response, (() => (passed = true)) as NextFunction);
  return { passed, ...res };
}

describe('methodNotAllowed', () => {
  it('lets documented methods (and HEAD for GET, OPTIONS for CORS) and unknown paths through', () => {
    expect(call('GET', '/api/things/1').passed).toBe(true);
    expect(call('HEAD', '/api/things/1').passed).toBe(true);
    expect(call('OPTIONS', '/api/things/1').passed).toBe(true);
    expect(call('POST', '/api/things/1/special').passed).toBe(true);
    expect(call('GET', '/api/other').passed).toBe(true);
  });

  it('answers 405 with Allow for other methods, uniting every template that matches', () => {
    const put = call('PUT', '/api/things/1/special');
    expect(put.passed).toBe(false);
    expect(put.statusCode).toBe(405);
    expect(put.headers['Allow']).toBe('GET, DELETE, POST, HEAD');
    expect(put.body).toMatchObject({ success: false, error: { code: 'METHOD_NOT_ALLOWED' } });
    expect(call('TRACE', '/api/things/1').statusCode).toBe(405);
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
