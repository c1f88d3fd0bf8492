import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IsConnectorId } from '../common/identifier.decorators';
import { METADATA_OBJECT_REF } from '../common/metadata-schema';
import { Optional } from '../common/optional';
import { GOOGLE_CALENDAR_CONNECTOR_ID } from '../common/identifiers';
import { IsMetadataObject } from '../common/is-metadata-object';

export class UpdateConnectorMetadataDto {
  @Optional()
  // The default documents itself; no separate example.
  @IsConnectorId({ required: false, default: GOOGLE_CALENDAR_CONNECTOR_ID, example: undefined })
  readonly connectorId?: string;

  @ApiProperty({
    allOf: [{ $ref: METADATA_OBJECT_REF }],
    description:
      'Keys to set; other stored keys stay. A key set to null is stored as null. Keys must not be empty, contain "." or start with "$".',
    example: { calendarId: '68cf06a160d294db17c06871', isConnected: true },
  })
  @IsMetadataObject()
  readonly metadata!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    description:
      'Version of the state this update describes (grows with every change at the sender). An update older than the last applied one is ignored, so a late duplicate never overwrites newer metadata.',
    example: 3,
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  readonly version?: number;
}
