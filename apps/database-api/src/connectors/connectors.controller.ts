import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ConnectorDto,
  ConnectorParamsDto,
  CreateConnectorDto,
  DeletedConnectorDto,
  MetadataUpdateResultDto,
  SubaccountParamsDto,
  UpdateConnectorMetadataDto,
} from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, apiLink } from '@connector-service/app-core';
import { ServiceAuth } from '@connector-service/service-auth';
import { UserAuth } from '../auth/user-auth.decorator';
import { ConnectorsService } from './connectors.service';

@ApiTags('connectors')
@Controller('connectors')
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Post(':subaccountId')
  @UserAuth()
  @ApiOperation({ summary: 'Add a connector to the subaccount' })
  @ApiEnvelope(ConnectorDto, {
    status: HttpStatus.CREATED,
    // The subaccount id as the request spelled it: the same resource the client named.
    links: {
      GetConnector: apiLink('ConnectorsController_get', {
        subaccountId: '$request.path.subaccountId',
        connectorId: '$response.body#/data/connectorId',
      }),
      DeleteConnector: apiLink('ConnectorsController_remove', {
        subaccountId: '$request.path.subaccountId',
        connectorId: '$response.body#/data/connectorId',
      }),
      ListConnectors: apiLink('ConnectorsController_list', { subaccountId: '$request.path.subaccountId' }),
    },
  })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.CONFLICT, HttpStatus.PAYLOAD_TOO_LARGE)
  add(@Param() params: SubaccountParamsDto, @Body() body: CreateConnectorDto): Promise<ConnectorDto> {
    return this.connectors.add(params.subaccountId, body);
  }

  @Get(':subaccountId')
  @UserAuth()
  @ApiOperation({ summary: 'Every connector of the subaccount, each with its metadata' })
  @ApiEnvelope(ConnectorDto, { isArray: true })
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@Param() params: SubaccountParamsDto): Promise<ConnectorDto[]> {
    return this.connectors.list(params.subaccountId);
  }

  @Post(':subaccountId/metadata/update')
  @HttpCode(HttpStatus.OK)
  @ServiceAuth()
  @ApiOperation({
    summary: "Merge keys into a connector's metadata (services only)",
    description:
      'Sets only the given keys (others stay; null is stored as null). Idempotent. Never creates a connector.',
  })
  @ApiEnvelope(MetadataUpdateResultDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.PAYLOAD_TOO_LARGE)
  updateMetadata(
    @Param() params: SubaccountParamsDto,
    @Body() body: UpdateConnectorMetadataDto,
  ): Promise<MetadataUpdateResultDto> {
    return this.connectors.updateMetadata(params.subaccountId, body);
  }

  @Get(':subaccountId/:connectorId')
  @UserAuth()
  @ApiOperation({ summary: 'One connector with its metadata' })
  @ApiEnvelope(ConnectorDto, {
    links: {
      DeleteConnector: apiLink('ConnectorsController_remove', {
        subaccountId: '$request.path.subaccountId',
        connectorId: '$request.path.connectorId',
      }),
    },
  })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  get(@Param() params: ConnectorParamsDto): Promise<ConnectorDto> {
    return this.connectors.get(params.subaccountId, params.connectorId);
  }

  @Delete(':subaccountId/:connectorId')
  @UserAuth()
  @ApiOperation({
    summary: 'Remove a connector',
    description:
      'A google-calendar connector whose metadata shows a connection is first disconnected at webhook-api ' +
      '(channels stopped, grant revoked, tokens deleted); when that fails (502, 504) nothing is deleted. ' +
      'A connector created again starts with empty metadata, and no update meant for the removed one lands on it.',
  })
  @ApiEnvelope(DeletedConnectorDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.BAD_GATEWAY, HttpStatus.GATEWAY_TIMEOUT)
  remove(@Param() params: ConnectorParamsDto): Promise<DeletedConnectorDto> {
    return this.connectors.remove(params.subaccountId, params.connectorId);
  }
}
