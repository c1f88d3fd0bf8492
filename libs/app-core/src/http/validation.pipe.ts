import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { requiresAtLeastOneField } from '@connector-service/contracts';

/**
 * Strict input rules for every route: unknown fields are refused, values are converted
 * only where the DTO declares a type, the answer lists each bad field, and a body whose DTO
 * says AtLeastOneField must set one (an empty PATCH, or none at all, is a 400).
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidInput(errors.flatMap((error) => flatten(error))),
  });
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const transformed: unknown = await super.transform(value, metadata);
    if (metadata.type === 'body' && metadata.metatype && requiresAtLeastOneField(metadata.metatype)) {
      const given = Object.values((transformed ?? {}) as object).filter((field) => field !== undefined);
      if (given.length === 0) throw invalidInput([{ field: 'body', message: 'body must set at least one field' }]);
    }
    return transformed;
  }
}

function invalidInput(details: { field: string; message: string }[]): BadRequestException {
  return new BadRequestException({
    message: `Invalid input: ${details.map((d) => d.message).join('; ')}`,
    details,
  });
}

function flatten(error: ValidationError, parent = ''): { field: string; message: string }[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({
    field,
    message: message.startsWith(error.property) ? message.replace(error.property, field) : message,
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, field))];
}
