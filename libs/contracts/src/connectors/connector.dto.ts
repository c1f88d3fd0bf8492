import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SUBACCOUNT_ID_EXAMPLE } from '../common/identifiers';

/** A connector as answered by database-api. */
export class ConnectorDto {
  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE })
  readonly subaccountId!: string;

  @ApiProperty({ example: 'google-calendar' })
  readonly connectorId!: string;

  @ApiProperty({ example: 'Google Calendar' })
  readonly name!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  readonly config?: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { calendarId: '68cf06a160d294db17c06871', isConnected: true },
  })
  readonly metadata!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  readonly updatedAt!: string;
}

/** What `metadata/update` reports. */
export class MetadataUpdateResultDto {
  @ApiProperty({ type: ConnectorDto })
  readonly connector!: ConnectorDto;

  @ApiProperty({
    description: 'false when the update carried a version older than the stored one and was ignored',
  })
  readonly applied!: boolean;
}
