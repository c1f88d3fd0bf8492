import { HttpStatus, Injectable } from '@nestjs/common';
import {
  ConnectorDto,
  CreateConnectorDto,
  DeletedConnectorDto,
  ErrorCode,
  GOOGLE_CALENDAR_CONNECTOR_ID,
  MetadataUpdateResultDto,
  UpdateConnectorMetadataDto,
} from '@connector-service/contracts';
import { DomainException, NotFoundDomainException } from '@connector-service/app-core';
import { ConnectorKinds } from './connector-kinds';
import { ConnectorRecord, ConnectorRepository, DuplicateConnectorError } from './connector.repository';

/** A subaccount's connectors: add, read, remove, and merge metadata from services. */
@Injectable()
export class ConnectorsService {
  constructor(
    private readonly connectors: ConnectorRepository,
    private readonly kinds: ConnectorKinds,
  ) {}

  async add(subaccountId: string, input: CreateConnectorDto): Promise<ConnectorDto> {
    try {
      const created = await this.connectors.create({
        subaccountId,
        connectorId: input.connectorId,
        name: input.name ?? this.kinds.of(input.connectorId)?.defaultName ?? input.connectorId,
        config: input.config ?? {},
      });
      return toConnectorDto(created);
    } catch (error) {
      if (error instanceof DuplicateConnectorError) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.ConnectorExists,
          `Connector ${input.connectorId} already exists for this subaccount`,
        );
      }
      throw error;
    }
  }

  async list(subaccountId: string): Promise<ConnectorDto[]> {
    return (await this.connectors.findAll(subaccountId)).map(toConnectorDto);
  }

  async get(subaccountId: string, connectorId: string): Promise<ConnectorDto> {
    return toConnectorDto(await this.require(subaccountId, connectorId));
  }

  /** The stored connector `connectorId` of each of these subaccounts that has one (one read). */
  findOfSubaccounts(subaccountIds: readonly string[], connectorId: string): Promise<ConnectorRecord[]> {
    return this.connectors.findOfSubaccounts(subaccountIds, connectorId);
  }

  /** The stored connector, or a 404 `CONNECTOR_NOT_FOUND`. */
  async require(subaccountId: string, connectorId: string): Promise<ConnectorRecord> {
    const connector = await this.connectors.findOne(subaccountId, connectorId);
    if (!connector) throw connectorNotFound(connectorId);
    return connector;
  }

  /** Ends what the connector's kind holds elsewhere (its error keeps the connector), then deletes it. */
  async remove(subaccountId: string, connectorId: string): Promise<DeletedConnectorDto> {
    const connector = await this.require(subaccountId, connectorId);
    await this.kinds.of(connectorId)?.beforeRemove(connector);
    if (!(await this.connectors.delete(subaccountId, connectorId))) throw connectorNotFound(connectorId);
    return { connectorId, deleted: true };
  }

  async updateMetadata(subaccountId: string, input: UpdateConnectorMetadataDto): Promise<MetadataUpdateResultDto> {
    const connectorId = input.connectorId ?? GOOGLE_CALENDAR_CONNECTOR_ID;
    const version =
      input.version === undefined && input.versionScope === undefined
        ? undefined
        : { value: input.version, scope: input.versionScope };
    const result = await this.connectors.mergeMetadata(subaccountId, connectorId, input.metadata, version);
    if (!result) throw connectorNotFound(connectorId);
    return { connector: toConnectorDto(result.connector), applied: result.applied };
  }
}

function connectorNotFound(connectorId: string): NotFoundDomainException {
  return new NotFoundDomainException(ErrorCode.ConnectorNotFound, `This subaccount has no connector ${connectorId}`);
}

export function toConnectorDto(record: ConnectorRecord): ConnectorDto {
  return {
    subaccountId: record.subaccountId,
    connectorId: record.connectorId,
    name: record.name,
    config: record.config ?? {},
    metadata: record.metadata ?? {},
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}
