import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** `GET /health`: 200 when the app and its MongoDB answer, 503 when the database does not. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
