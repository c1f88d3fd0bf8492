import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConnectionOverviewPageDto, ListConnectionsQueryDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { ConnectionsOverviewService } from './connections-overview.service';

@ApiTags('google-calendar connections')
@Controller('google-calendar/connections')
@ServiceAuth()
export class ConnectionsOverviewController {
  constructor(private readonly overview: ConnectionsOverviewService) {}

  @Get()
  @ApiOperation({
    summary: "The operator's view: every connection, newest first, with what needs attention, paged",
    description:
      'Each connection with its status, last error, last complete sync, push channel expiry and its pending and ' +
      'failed change notifications. Filter by status; pass nextCursor as cursor for the next page.',
  })
  @ApiEnvelope(ConnectionOverviewPageDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@Query() query: ListConnectionsQueryDto): Promise<ConnectionOverviewPageDto> {
    return this.overview.list(query);
  }
}
