import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const PUSH_CHANNEL_COLLECTION = 'pushchannels';

/**
 * One Google push channel (events.watch) of a connection's calendar. Google has no call that
 * lists channels, so this record is how any replica, after any restart, renews or stops it.
 * Written before the watch call (so a push that beats our write is recognised) and completed
 * with what Google answered.
 */
@Schema({ collection: PUSH_CHANNEL_COLLECTION, versionKey: false })
export class PushChannel {
  /** The channel id we gave Google (`X-Goog-Channel-ID`). */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The connection's id. */
  @Prop({ type: String, required: true })
  calendarId!: string;

  /** The calendar watched, as Google was asked (`primary`). */
  @Prop({ type: String, required: true })
  googleCalendarId!: string;

  /**
   * The connection's `stateVersion` it was opened at: one opened before the connection's
   * current Google account was connected (its `accountVersion`) is another account's and is
   * replaced.
   */
  @Prop({ type: Number, required: true })
  stateVersion!: number;

  /** SHA-256 (hex) of the channel token Google echoes in `X-Goog-Channel-Token`; the token itself is not kept. */
  @Prop({ type: String, required: true })
  tokenHash!: string;

  /** Google's id of the watched resource; null until Google answered the watch. */
  @Prop({ type: String, default: null })
  resourceId!: string | null;

  @Prop({ type: Date, default: null })
  expiration!: Date | null;

  /**
   * When it is to be replaced: a quarter of its lifetime (at most a day) before it expires;
   * while opening, when a watch that never completed is given up.
   */
  @Prop({ type: Date, default: null })
  renewAt!: Date | null;

  @Prop({ type: Date, required: true })
  openedAt!: Date;

  /** Renewals that failed in a row: the next is tried after a growing pause. */
  @Prop({ type: Number, default: 0 })
  renewalFailures!: number;
}

export const PushChannelSchema = SchemaFactory.createForClass(PushChannel);
PushChannelSchema.index({ calendarId: 1 });
PushChannelSchema.index({ renewAt: 1 });
