import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export const CONNECTOR_COLLECTION = 'connectorsubaccount';

/** One connector of one subaccount; unique per (subaccountId, connectorId). */
@Schema({ collection: CONNECTOR_COLLECTION, timestamps: true, minimize: false, versionKey: false })
export class ConnectorSubaccount {
  @Prop({ required: true })
  subaccountId!: string;

  @Prop({ required: true })
  connectorId!: string;

  @Prop({ required: true })
  name!: string;

  @Prop({ type: MongooseSchema.Types.Mixed, default: () => ({}) })
  config!: Record<string, unknown>;

  @Prop({ type: MongooseSchema.Types.Mixed, default: () => ({}) })
  metadata!: Record<string, unknown>;

  /** Version of the last versioned metadata update applied; older ones are ignored. */
  @Prop({ type: Number })
  metadataVersion?: number;

  createdAt!: Date;
  updatedAt!: Date;
}

export const ConnectorSubaccountSchema = SchemaFactory.createForClass(ConnectorSubaccount);
ConnectorSubaccountSchema.index({ subaccountId: 1, connectorId: 1 }, { unique: true });
