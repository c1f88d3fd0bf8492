import { ApiProperty } from '@nestjs/swagger';

/** The answer to Google's push (Google reads only the status; this is for people reading logs). */
export class PushNotificationResultDto {
  @ApiProperty({
    description:
      'true: a channel we keep, the calendar is synced after this answer; false: not a channel we keep (ignored)',
  })
  readonly accepted!: boolean;
}
