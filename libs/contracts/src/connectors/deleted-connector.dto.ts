import { ApiProperty } from '@nestjs/swagger';
import { CONNECTOR_ID_EXAMPLE } from '../common/identifiers';

/** What removing a connector reports. */
export class DeletedConnectorDto {
  @ApiProperty({ example: CONNECTOR_ID_EXAMPLE })
  readonly connectorId!: string;

  @ApiProperty({ enum: [true] })
  readonly deleted!: true;
}
