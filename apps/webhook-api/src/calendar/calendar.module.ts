import { Module } from '@nestjs/common';
import { GoogleApiModule } from '../google/google-api.module';
import { CalendarController } from './calendar.controller';

/** Calendars, and (next) free/busy, availability and events on a connection. */
@Module({ imports: [GoogleApiModule], controllers: [CalendarController] })
export class CalendarModule {}
