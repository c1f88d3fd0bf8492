import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MongoPingIndicator } from './mongo-ping.indicator';

/** `GET /health` (readiness), `/health/ready` and `/health/live`, with @nestjs/terminus. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [MongoPingIndicator],
})
export class HealthModule {}
