import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const CHANNEL_ID_KEY_COLLECTION = 'pushchannelidkeys';
/** The one key of a deployment. */
export const CHANNEL_ID_KEY_ID = 'channel-ids';

/**
 * The key that proves a channel id was made here (channel-id.ts), made once by whichever
 * replica needs it first and then shared by all, across restarts. It is not a credential:
 * pushes are still authenticated by their channel token; whoever held it could only make
 * the push endpoint read the database for ids that do not exist, as it did before. So it
 * is kept as it is, not sealed with TOKEN_ENCRYPTION_KEY (whose rotation it would then
 * have to follow). Replacing it makes every open channel's pushes ignored until renewed.
 */
@Schema({ collection: CHANNEL_ID_KEY_COLLECTION, versionKey: false })
export class ChannelIdKey {
  @Prop({ type: String, required: true })
  _id!: string;

  /** 32 random bytes, base64. */
  @Prop({ type: String, required: true })
  key!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const ChannelIdKeySchema = SchemaFactory.createForClass(ChannelIdKey);
