import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@connector-service/app-core';
import { Counter } from 'prom-client';
import { PushChannelRepository } from './push-channel.repository';

/** Google push channels: how many are open, renewals by outcome, pushes by what became of them. */
@Injectable()
export class PushChannelsMetrics {
  readonly renewals: Counter<'outcome'>;
  readonly pushes: Counter<'outcome'>;

  constructor(registry: MetricsRegistry, channels: PushChannelRepository) {
    this.renewals = new Counter({
      name: 'calendar_push_channel_renewals_total',
      help: 'Push channel renewals (a new channel opened, the old one stopped), by outcome (renewed, dropped, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.pushes = new Counter({
      name: 'calendar_push_notifications_total',
      help: "Google's pushes received, by outcome (accepted, unauthorized, unknown_channel, sync_message)",
      labelNames: ['outcome'],
      registers: [registry],
    });
    registry.countGauge('calendar_push_channels_open', 'Push channels Google granted that are kept open', () =>
      channels.count(),
    );
  }
}
