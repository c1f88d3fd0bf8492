import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DatabaseApiClient } from './database-api.client';

@Module({ imports: [HttpModule], providers: [DatabaseApiClient], exports: [DatabaseApiClient] })
export class DatabaseApiClientModule {}
