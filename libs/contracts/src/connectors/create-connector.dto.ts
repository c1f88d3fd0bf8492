import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsConnectorId } from '../common/identifier.decorators';
import { METADATA_OBJECT_REF } from '../common/metadata-schema';
import { Optional } from '../common/optional';
import { IsMetadataObject } from '../common/is-metadata-object';

export class CreateConnectorDto {
  @IsConnectorId()
  readonly connectorId!: string;

  @ApiPropertyOptional({ example: 'Google Calendar', minLength: 1, maxLength: 200 })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name?: string;

  @ApiPropertyOptional({
    allOf: [{ $ref: METADATA_OBJECT_REF }],
    description: 'Connector settings chosen by the platform',
  })
  @Optional()
  @IsMetadataObject()
  readonly config?: Record<string, unknown>;
}
