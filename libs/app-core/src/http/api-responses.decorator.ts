import { HttpStatus, Type, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, type LinksObject, getSchemaPath } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '@connector-service/contracts';

const ERROR_DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Invalid input (ids, body fields, broken JSON)',
  [HttpStatus.UNAUTHORIZED]: 'Missing or invalid credentials',
  [HttpStatus.FORBIDDEN]: 'The token may not act on this subaccount',
  [HttpStatus.NOT_FOUND]: 'Not found',
  [HttpStatus.CONFLICT]: 'Already exists',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Body over 1 MB',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Rate limited',
  [HttpStatus.BAD_GATEWAY]: 'The other service or Google failed',
  [HttpStatus.GATEWAY_TIMEOUT]: 'The other service timed out',
};

/**
 * Documents the success envelope around `model` (an array of it with `isArray`), and with
 * `links` the operations its answer leads to (OpenAPI links: which operation takes which
 * value of this request or answer), e.g. `{ GetConnector: apiLink('ConnectorsController_get',
 * { connectorId: '$response.body#/data/connectorId' }) }`.
 */
export function ApiEnvelope(
  model: Type<unknown>,
  options: { status?: HttpStatus; isArray?: boolean; description?: string; links?: LinksObject } = {},
): MethodDecorator & ClassDecorator {
  const data = options.isArray
    ? { type: 'array', items: { $ref: getSchemaPath(model) } }
    : { $ref: getSchemaPath(model) };
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: options.status ?? HttpStatus.OK,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['success', 'data'],
        properties: { success: { type: 'boolean', enum: [true] }, data, message: { type: 'string' } },
      },
      ...(options.links ? { links: options.links } : {}),
    }),
  );
}

/** Documents the error envelope for each status a route can answer. */
export function ApiErrors(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error', type: ErrorEnvelopeDto }),
    ),
  );
}

/**
 * An OpenAPI link to the operation `operationId` (Nest names it `Controller_method`), with
 * the value of each of its path parameters: a runtime expression such as
 * `$request.path.subaccountId` or `$response.body#/data/connectorId`.
 */
export function apiLink(operationId: string, parameters: Record<string, string>, description?: string) {
  return { operationId, parameters, ...(description ? { description } : {}) };
}
