import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeasesModule } from '../leases/leases.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesMetrics } from './deliveries.metrics';
import { DeliveriesService } from './deliveries.service';
import { DeliveryRepository } from './delivery.repository';
import {
  DELIVERED_COLLECTION,
  DELIVERED_MODEL,
  DeliveredDeliverySchema,
  Delivery,
  DeliverySchema,
} from './delivery.schema';
import { DeliveryWorker } from './delivery.worker';
import { PlatformWebhookClient } from './platform-webhook.client';

/** Change notifications to the platform: the durable, ordered, signed `deliveries` outbox. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Delivery.name, schema: DeliverySchema },
      { name: DELIVERED_MODEL, schema: DeliveredDeliverySchema, collection: DELIVERED_COLLECTION },
    ]),
    LeasesModule,
  ],
  controllers: [DeliveriesController],
  providers: [DeliveryRepository, DeliveriesService, DeliveryWorker, PlatformWebhookClient, DeliveriesMetrics],
  exports: [DeliveriesService],
})
export class DeliveriesModule {}
