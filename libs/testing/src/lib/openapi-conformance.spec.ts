import { OpenApiDocument, requestBodySchema, responseSchema, schemaViolations } from './openapi-conformance';

const document: OpenApiDocument = {
  paths: {
    '/things': {
      patch: {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Patch' } } },
        },
        responses: { '404': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
      },
    },
  },
  components: {
    schemas: {
      Patch: {
        type: 'object',
        minProperties: 1,
        additionalProperties: false,
        properties: { name: { type: 'string' } },
      },
      Issue: { type: 'object', required: ['field'], properties: { field: { type: 'string' } } },
      Error: {
        type: 'object',
        required: ['code'],
        properties: {
          code: { type: 'string', enum: ['NOT_FOUND'] },
          details: {
            oneOf: [{ type: 'array', minItems: 1, items: { $ref: '#/components/schemas/Issue' } }, { type: 'object' }],
          },
          at: { type: 'string', nullable: true },
        },
      },
    },
  },
};

describe('OpenAPI conformance', () => {
  const error = responseSchema(document, '/things', 'patch', 404);

  it('accepts answers of the documented shape', () => {
    expect(schemaViolations(document, error, { code: 'NOT_FOUND' })).toEqual([]);
    expect(schemaViolations(document, error, { code: 'NOT_FOUND', details: [{ field: 'a' }], at: null })).toEqual([]);
    expect(schemaViolations(document, error, { code: 'NOT_FOUND', details: { any: 1 } })).toEqual([]);
  });

  it('names what departs from it', () => {
    expect(schemaViolations(document, error, { details: [{ other: 1 }] })).toEqual([
      '$: code missing',
      "$.details: matches 0 of oneOf's 2 schemas",
    ]);
    expect(schemaViolations(document, error, { code: 'GONE', details: [] })).toEqual([
      '$.code: "GONE" not in enum',
      "$.details: matches 0 of oneOf's 2 schemas",
    ]);
  });

  it('reads request bodies: required, at least one field, no unknown field', () => {
    const { schema, required } = requestBodySchema(document, '/things', 'patch');
    expect(required).toBe(true);
    expect(schemaViolations(document, schema, {})).toEqual(['$: fewer than 1 properties']);
    expect(schemaViolations(document, schema, { name: 'x', extra: true })).toEqual(['$: extra not allowed']);
    expect(schemaViolations(document, schema, { name: 'x' })).toEqual([]);
  });
});
