import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { METADATA_OBJECT_REF } from '../common/metadata-schema';
import { Optional } from '../common/optional';
import { CONNECTOR_ID_PATTERN } from '../common/identifiers';
import { IsMetadataObject } from '../common/is-metadata-object';

export class CreateConnectorDto {
  @ApiProperty({ example: 'google-calendar', pattern: CONNECTOR_ID_PATTERN.source })
  @IsString()
  @Matches(CONNECTOR_ID_PATTERN, {
    message: 'connectorId must be a lowercase slug (a-z, 0-9, "-"), at most 63 characters',
  })
  readonly connectorId!: string;

  @ApiPropertyOptional({ example: 'Google Calendar', minLength: 1, maxLength: 200 })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name?: string;

  @ApiPropertyOptional({ allOf: [{ $ref: METADATA_OBJECT_REF }], description: 'Connector settings chosen by the platform' })
  @Optional()
  @IsMetadataObject()
  readonly config?: Record<string, unknown>;
}
