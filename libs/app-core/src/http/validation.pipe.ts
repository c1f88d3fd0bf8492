import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/**
 * Strict input rules for every route: unknown fields are refused, values are converted
 * only where the DTO declares a type, and the answer lists each bad field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = errors.flatMap((error) => flatten(error));
      return new BadRequestException({
        message: `Invalid input: ${details.map((d) => d.message).join('; ')}`,
        details,
      });
    },
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
