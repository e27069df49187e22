// Health, readiness and metrics routes shared by the API and the workers.
export * from './health.routes';
export * from './health.config';
