import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const OAUTH_STATE_COLLECTION = 'oauthstates';

/**
 * A consent link in flight. Keyed by the SHA-256 of `state` (a leaked database gives no
 * usable state); the PKCE verifier is sealed. Expiry is enforced in code, not by a TTL
 * index (FerretDB has none), and expired ones are swept.
 */
@Schema({ collection: OAUTH_STATE_COLLECTION, versionKey: false })
export class OAuthState {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  subaccountId!: string;

  @Prop({ required: true })
  userEmail!: string;

  @Prop({ required: true })
  codeVerifier!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const OAuthStateSchema = SchemaFactory.createForClass(OAuthState);
OAuthStateSchema.index({ expiresAt: 1 });
