import { ApiProperty } from '@nestjs/swagger';

/** One calendar of the connected Google account, as listed by `GET …/calendars`. */
export class CalendarSummaryDto {
  @ApiProperty({ example: 'user@example.com' })
  readonly id!: string;

  @ApiProperty({ example: 'user@example.com' })
  readonly summary!: string;

  @ApiProperty()
  readonly primary!: boolean;

  @ApiProperty({ required: false, example: 'Europe/Berlin' })
  readonly timeZone?: string;

  @ApiProperty({ required: false, example: 'owner' })
  readonly accessRole?: string;
}
