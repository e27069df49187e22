// Process configuration: environment validation and API key handling.
export * from './config';
export * from './api-keys';
export * from './webhook-secrets';
export * from './upstream-proxies';
export * from './logger';
