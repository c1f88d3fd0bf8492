import { HttpStatus, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '@connector-service/contracts';
import { ApiErrors, USER_JWT_SECURITY } from '@connector-service/app-core';
import { AdminGuard } from './admin.guard';
import { JwtAuthGuard } from './jwt-auth.guard';

/** A route for admins only: a valid JWT (else 401) with `role: admin` (else 403). */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(JwtAuthGuard, AdminGuard),
    ApiBearerAuth(USER_JWT_SECURITY),
    ApiErrors(HttpStatus.UNAUTHORIZED),
    ApiResponse({
      status: HttpStatus.FORBIDDEN,
      description: 'FORBIDDEN: a valid token without `role: admin`',
      type: ErrorEnvelopeDto,
    }),
  );
}
