import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CONNECTOR_ID_PATTERN } from '../common/identifiers';
import { IsMetadataObject } from '../common/is-metadata-object';

export class CreateConnectorDto {
  @ApiProperty({ example: 'google-calendar', pattern: CONNECTOR_ID_PATTERN.source })
  @IsString()
  @Matches(CONNECTOR_ID_PATTERN, {
    message: 'connectorId must be a lowercase slug (a-z, 0-9, "-"), at most 63 characters',
  })
  readonly connectorId!: string;

  @ApiPropertyOptional({ example: 'Google Calendar', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Connector settings chosen by the platform (free form)',
  })
  @IsOptional()
  @IsMetadataObject()
  readonly config?: Record<string, unknown>;
}
