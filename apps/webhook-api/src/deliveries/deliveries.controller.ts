import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DeliveryDto,
  DeliveryIdParamsDto,
  DeliveryPageDto,
  ListDeliveriesQueryDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { DeliveriesService } from './deliveries.service';

@ApiTags('google-calendar deliveries')
@Controller('google-calendar/deliveries')
@ServiceAuth()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({ summary: 'Change notifications that are pending or failed (given up), oldest first, paged' })
  @ApiEnvelope(DeliveryPageDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@Query() query: ListDeliveriesQueryDto): Promise<DeliveryPageDto> {
    return this.deliveries.list(query);
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sends a failed change notification again now (same webhook-id, fresh retry window)' })
  @ApiEnvelope(DeliveryDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  retry(@Param() params: DeliveryIdParamsDto): Promise<DeliveryDto> {
    return this.deliveries.retry(params.id);
  }
}
