import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
import {
  CONNECTOR_ID_PATTERN,
  SUBACCOUNT_ID_EXAMPLE,
  SUBACCOUNT_ID_PATTERN,
} from '../common/identifiers';

export class SubaccountParamsDto {
  @ApiProperty({ example: SUBACCOUNT_ID_EXAMPLE, pattern: SUBACCOUNT_ID_PATTERN.source })
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(SUBACCOUNT_ID_PATTERN, { message: 'subaccountId must be a 24-hex-digit id' })
  readonly subaccountId!: string;
}

export class ConnectorParamsDto extends SubaccountParamsDto {
  @ApiProperty({ example: 'google-calendar', pattern: CONNECTOR_ID_PATTERN.source })
  @Matches(CONNECTOR_ID_PATTERN, {
    message: 'connectorId must be a lowercase slug (a-z, 0-9, "-"), at most 63 characters',
  })
  readonly connectorId!: string;
}
