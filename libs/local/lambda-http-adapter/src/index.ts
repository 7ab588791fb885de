export * from './local-http-adapter';
export * from './api-gateway-event';
