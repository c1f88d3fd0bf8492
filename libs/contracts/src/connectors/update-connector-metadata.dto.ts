import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { IsConnectorId } from '../common/identifier.decorators';
import { METADATA_OBJECT_REF } from '../common/metadata-schema';
import { Optional } from '../common/optional';
import { GOOGLE_CALENDAR_CONNECTOR_ID } from '../common/identifiers';
import { IsMetadataObject } from '../common/is-metadata-object';

/** An opaque scope of metadata versions (base64url, like an HMAC). */
export const VERSION_SCOPE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

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
      'Version of the state this update describes (grows with every change at the sender). An update not newer than the last applied one of the same versionScope is ignored, so a late duplicate never overwrites newer metadata.',
    example: 3,
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  readonly version?: number;

  @ApiPropertyOptional({
    description:
      "Who counts the versions: a version is compared only with one stored under the same scope, and an update of another scope is applied whatever its version. So a caller that cannot name the sender's scope cannot have the sender's updates ignored (webhook-api derives its scope from a secret, one per connection epoch). A connector created again ignores the updates of the scopes its removed predecessor was written in. Without a version an update is not ordered (applied unless its scope is closed).",
    pattern: VERSION_SCOPE_PATTERN.source,
    example: 'Vq3bF0c8kQ2wYh1sN7uJ5tR9xZ4mA6pL0dE2gB8iC1o',
  })
  @Optional()
  @IsString()
  @Matches(VERSION_SCOPE_PATTERN, { message: 'versionScope must be 16 to 128 characters of A-Z a-z 0-9 _ -' })
  readonly versionScope?: string;
}
