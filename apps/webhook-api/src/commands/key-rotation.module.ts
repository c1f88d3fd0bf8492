import { Module } from '@nestjs/common';
import { ConsentLinksModule } from '../connect/consent-links.module';
import { ConnectionStoreModule } from '../connections/connection-store.module';
import { KeyRotationService } from './key-rotation.service';

/** Re-sealing what an older TOKEN_ENCRYPTION_KEY sealed (the `reencrypt-tokens` command). */
@Module({
  imports: [ConnectionStoreModule, ConsentLinksModule],
  providers: [KeyRotationService],
  exports: [KeyRotationService],
})
export class KeyRotationModule {}
