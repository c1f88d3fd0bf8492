import { Global, Module } from '@nestjs/common';
import { MetricsRegistry } from './http-metrics';
import { MetricsController } from './metrics.controller';

/** One metrics registry per app; features register their own counters on it. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: MetricsRegistry, useFactory: () => new MetricsRegistry() }],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
