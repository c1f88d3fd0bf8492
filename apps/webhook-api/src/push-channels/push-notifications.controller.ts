import { Controller, Headers, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, PushNotificationResultDto } from '@connector-service/contracts';
import { ApiEnvelope, ApiErrors, DomainException, MessageResult } from '@connector-service/app-core';
import { PushChannelsMetrics } from './push-channels.metrics';
import { PushChannelsService } from './push-channels.service';
import { PushNotifications } from './push-notifications';
import { PushRateLimitGuard } from './push-rate-limit.guard';

/** Google's push: headers only. Node lower-cases header names. */
const CHANNEL_ID = 'x-goog-channel-id';
const CHANNEL_TOKEN = 'x-goog-channel-token';
const RESOURCE_ID = 'x-goog-resource-id';
const RESOURCE_STATE = 'x-goog-resource-state';
const RESOURCE_STATES: readonly string[] = ['sync', 'exists', 'not_exists'];
const NON_EMPTY = { type: 'string', minLength: 1 } as const;

@ApiTags('google-calendar notifications')
@Controller('google-calendar/notifications')
export class PushNotificationsController {
  constructor(
    private readonly channels: PushChannelsService,
    private readonly pushes: PushNotifications,
    private readonly metrics: PushChannelsMetrics,
  ) {}

  /** Answers at once; the sync runs after the answer. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @UseGuards(PushRateLimitGuard)
  @ApiOperation({
    summary: "Google's push notification for a channel (events.watch); the calendar is synced after the answer",
    description:
      'Authenticated by the channel token given to Google when the channel was opened (a wrong or missing one is a ' +
      '401). A push for a channel not kept (never ours, stopped, replaced) is answered 200 and ignored, so Google ' +
      'stops retrying it; a channel id this service did not make is refused so without reading anything. `sync` ' +
      '(the message a new channel starts with) needs no sync. More than PUSH_RATE_LIMIT_PER_MINUTE pushes a minute ' +
      'from one address: 429 with Retry-After.',
  })
  @ApiHeader({ name: 'X-Goog-Channel-ID', required: true, description: 'The channel id', schema: NON_EMPTY })
  @ApiHeader({ name: 'X-Goog-Channel-Token', required: false, description: 'The channel token' })
  @ApiHeader({ name: 'X-Goog-Resource-ID', required: false, description: "Google's id of the watched calendar" })
  @ApiHeader({
    name: 'X-Goog-Resource-State',
    required: true,
    description: '`sync` (channel opened), `exists` (something changed), `not_exists`',
    schema: { type: 'string', enum: [...RESOURCE_STATES] },
  })
  @ApiHeader({ name: 'X-Goog-Message-Number', required: false, description: 'Grows per channel' })
  @ApiEnvelope(PushNotificationResultDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS)
  async receive(
    @Headers() headers: Record<string, string | undefined>,
  ): Promise<MessageResult<PushNotificationResultDto>> {
    const receivedAt = new Date();
    const channelId = headers[CHANNEL_ID];
    const state = headers[RESOURCE_STATE];
    if (!channelId || !state || !RESOURCE_STATES.includes(state)) {
      throw new DomainException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.ValidationFailed,
        `A Google push carries X-Goog-Channel-ID and X-Goog-Resource-State (${RESOURCE_STATES.join(', ')})`,
      );
    }
    const verdict = await this.channels.verify(channelId, headers[CHANNEL_TOKEN], headers[RESOURCE_ID]);
    if (verdict.kind === 'unauthorized') {
      this.metrics.pushes.inc({ outcome: 'unauthorized' });
      throw new DomainException(HttpStatus.UNAUTHORIZED, ErrorCode.Unauthorized, 'Wrong or missing channel token');
    }
    if (verdict.kind === 'unknown') {
      this.metrics.pushes.inc({ outcome: 'unknown_channel' });
      return new MessageResult({ accepted: false }, 'Not a channel kept here; ignored');
    }
    if (state === 'sync') {
      this.metrics.pushes.inc({ outcome: 'sync_message' });
      return new MessageResult({ accepted: true }, 'Channel confirmed');
    }
    this.metrics.pushes.inc({ outcome: 'accepted' });
    this.pushes.received(verdict.calendarId, verdict.googleCalendarId, receivedAt);
    return new MessageResult({ accepted: true }, 'Sync scheduled');
  }
}
