import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ServiceTokenGuard } from './service-token.guard';

export const SERVICE_TOKEN_SECURITY = 'service-token';

/** Marks a route as callable by our services only (service token, else 401). */
export function ServiceAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(ServiceTokenGuard),
    ApiBearerAuth(SERVICE_TOKEN_SECURITY),
    ApiUnauthorizedResponse({ description: 'Service token missing or wrong' }),
  );
}
