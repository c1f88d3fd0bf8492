import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { SubaccountAccessGuard } from './subaccount-access.guard';

/** User authentication (JWT) and the tenant check. */
@Module({
  imports: [PassportModule],
  providers: [JwtStrategy, JwtAuthGuard, SubaccountAccessGuard],
  exports: [JwtAuthGuard, SubaccountAccessGuard],
})
export class AuthModule {}
