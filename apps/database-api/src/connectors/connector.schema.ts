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

  /** Version of the last versioned metadata update applied; older ones of its scope are ignored. */
  @Prop({ type: Number })
  metadataVersion?: number;

  /** The `versionScope` that `metadataVersion` was counted in; null when the update named none. */
  @Prop({ type: String })
  metadataVersionScope?: string | null;

  /**
   * Version scopes whose updates this connector never takes: those its removed predecessors
   * (same subaccount and connector id) were written in, so nothing meant for them lands here.
   */
  @Prop({ type: [String], default: undefined })
  closedVersionScopes?: string[];

  createdAt!: Date;
  updatedAt!: Date;
}

export const ConnectorSubaccountSchema = SchemaFactory.createForClass(ConnectorSubaccount);
ConnectorSubaccountSchema.index({ subaccountId: 1, connectorId: 1 }, { unique: true });
