import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import { ErrorCode } from '@connector-service/contracts';
import { DomainException } from '../http/domain.exception';
import { ApiEnvelope, ApiErrors } from '../http/api-responses.decorator';
import { MongoPingIndicator } from './mongo-ping.indicator';

export class HealthDto {
  @ApiProperty({ example: 'ok' })
  readonly status!: 'ok';

  @ApiProperty({ example: 'up' })
  readonly database!: 'up';
}

export class LivenessDto {
  @ApiProperty({ example: 'ok' })
  readonly status!: 'ok';
}

/**
 * Readiness (`/health`, `/health/ready`): the app and its MongoDB answer, else 503, so a
 * load balancer stops sending traffic. Liveness (`/health/live`): the process serves
 * requests at all; it does not depend on the database, so an outage does not restart pods.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: MongoPingIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Readiness: 200 when the app and its database are up, 503 when the database is not' })
  @ApiEnvelope(HealthDto)
  @ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
  check(): Promise<HealthDto> {
    return this.ready();
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness (same as /health)' })
  @ApiEnvelope(HealthDto)
  @ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
  async ready(): Promise<HealthDto> {
    try {
      await this.health.check([() => this.database.ping('database')]);
    } catch {
      throw new DomainException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.DatabaseUnavailable,
        'The database is unreachable',
      );
    }
    return { status: 'ok', database: 'up' };
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves requests' })
  @ApiEnvelope(LivenessDto)
  live(): LivenessDto {
    return { status: 'ok' };
  }
}
