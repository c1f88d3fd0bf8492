import { HttpStatus, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors, USER_JWT_SECURITY } from '@connector-service/app-core';
import { JwtAuthGuard } from './jwt-auth.guard';
import { SubaccountAccessGuard } from './subaccount-access.guard';

/** A user route on `/:subaccountId/...`: a valid JWT (else 401) for that tenant (else 403). */
export function UserAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(JwtAuthGuard, SubaccountAccessGuard),
    ApiBearerAuth(USER_JWT_SECURITY),
    ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN),
  );
}
