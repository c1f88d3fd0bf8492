export * from './delivery.dto';
export * from './delivery-payloads';
export * from './push-notification.dto';
