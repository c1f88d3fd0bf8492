import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const CONNECTOR_TOMBSTONE_COLLECTION = 'connectortombstones';

/**
 * What a removed connector leaves behind for the one created again under its ids: the
 * metadata version scopes it was written in, which that one refuses (ConnectorRepository).
 */
@Schema({ collection: CONNECTOR_TOMBSTONE_COLLECTION, timestamps: true, versionKey: false })
export class ConnectorTombstone {
  @Prop({ required: true })
  subaccountId!: string;

  @Prop({ required: true })
  connectorId!: string;

  @Prop({ type: [String], default: () => [] })
  closedVersionScopes!: string[];
}

export const ConnectorTombstoneSchema = SchemaFactory.createForClass(ConnectorTombstone);
ConnectorTombstoneSchema.index({ subaccountId: 1, connectorId: 1 }, { unique: true });
