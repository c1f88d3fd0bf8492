import { HttpStatus, Injectable } from '@nestjs/common';
import {
  CALENDAR_ID_PATTERN,
  ConnectorDto,
  CreateConnectorDto,
  DeletedConnectorDto,
  ErrorCode,
  GOOGLE_CALENDAR_CONNECTOR_ID,
  MetadataUpdateResultDto,
  UpdateConnectorMetadataDto,
} from '@connector-service/contracts';
import { DomainException, NotFoundDomainException } from '@connector-service/app-core';
import { ConnectorRecord, ConnectorRepository, DuplicateConnectorError } from './connector.repository';

const DEFAULT_NAMES: Record<string, string> = { [GOOGLE_CALENDAR_CONNECTOR_ID]: 'Google Calendar' };

/** A subaccount's connectors: add, read, remove, and merge metadata from services. */
@Injectable()
export class ConnectorsService {
  constructor(private readonly connectors: ConnectorRepository) {}

  async add(subaccountId: string, input: CreateConnectorDto): Promise<ConnectorDto> {
    try {
      const created = await this.connectors.create({
        subaccountId,
        connectorId: input.connectorId,
        name: input.name ?? DEFAULT_NAMES[input.connectorId] ?? input.connectorId,
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

  /** The stored connector, or a 404 `CONNECTOR_NOT_FOUND`. */
  async require(subaccountId: string, connectorId: string): Promise<ConnectorRecord> {
    const connector = await this.connectors.findOne(subaccountId, connectorId);
    if (!connector) throw connectorNotFound(connectorId);
    return connector;
  }

  /**
   * The `calendarId` (the connection's id at webhook-api) that the `google-calendar`
   * connector's metadata names: 404 `CONNECTOR_NOT_FOUND` without the connector, undefined
   * when it was never connected.
   */
  async googleCalendarIdOf(subaccountId: string): Promise<string | undefined> {
    const connector = await this.require(subaccountId, GOOGLE_CALENDAR_CONNECTOR_ID);
    const calendarId = connector.metadata?.['calendarId'];
    return typeof calendarId === 'string' && CALENDAR_ID_PATTERN.test(calendarId) ? calendarId : undefined;
  }

  async remove(subaccountId: string, connectorId: string): Promise<DeletedConnectorDto> {
    if (!(await this.connectors.delete(subaccountId, connectorId))) throw connectorNotFound(connectorId);
    return { connectorId, deleted: true };
  }

  async updateMetadata(subaccountId: string, input: UpdateConnectorMetadataDto): Promise<MetadataUpdateResultDto> {
    const connectorId = input.connectorId ?? GOOGLE_CALENDAR_CONNECTOR_ID;
    const result = await this.connectors.mergeMetadata(subaccountId, connectorId, input.metadata, input.version);
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
