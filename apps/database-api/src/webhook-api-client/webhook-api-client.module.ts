import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { WebhookApiClient } from './webhook-api.client';

@Module({ imports: [HttpModule], providers: [WebhookApiClient], exports: [WebhookApiClient] })
export class WebhookApiClientModule {}
