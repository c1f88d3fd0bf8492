// Web Components for the platform's SPA, on the typed client (@connector-service/api-client):
// <calendar-connect> and <calendar-slot-picker>. Importing this module defines both tags.
import { CalendarConnectElement } from './elements/calendar-connect.element';
import { CalendarSlotPickerElement } from './elements/calendar-slot-picker.element';

export { CalendarConnectElement, type CalendarConnectChangeDetail } from './elements/calendar-connect.element';
export { CalendarSlotPickerElement, type SlotPickerBookedDetail } from './elements/calendar-slot-picker.element';
export type { ConnectionState, ConnectionStatus } from './lib/connector-status';
export type { WorkingHours } from './lib/slot-booking';
export type { TokenInput } from './lib/token-source';

/**
 * Defines a tag unless it already is (the bundle loaded twice, or a micro-frontend that ships
 * its own copy): a second `customElements.define` of a name throws.
 */
function defineOnce(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

defineOnce('calendar-connect', CalendarConnectElement);
defineOnce('calendar-slot-picker', CalendarSlotPickerElement);
