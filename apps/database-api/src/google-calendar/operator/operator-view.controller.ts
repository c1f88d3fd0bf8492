import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConnectionOverviewPageDto, ListConnectionsQueryDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors } from '@connector-service/app-core';
import { AdminAuth } from '../../auth/admin-auth.decorator';
import { OperatorViewService } from './operator-view.service';

@ApiTags('google-calendar operator')
@Controller('google-calendar/connections')
@AdminAuth()
export class OperatorViewController {
  constructor(private readonly operatorView: OperatorViewService) {}

  @Get()
  @ApiOperation({
    summary:
      "The operator's view (admin tokens only): every connection, newest first, with what needs attention, paged",
    description:
      'Each connection with its status, last error, last complete sync, push channel expiry and its pending and ' +
      'failed change notifications, as webhook-api keeps them. Filter by status; pass nextCursor as cursor for the ' +
      'next page.',
  })
  @ApiEnvelope(ConnectionOverviewPageDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.BAD_GATEWAY, HttpStatus.GATEWAY_TIMEOUT)
  listConnections(@Query() query: ListConnectionsQueryDto): Promise<ConnectionOverviewPageDto> {
    return this.operatorView.listConnections(query);
  }
}
