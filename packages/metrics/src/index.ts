// Prometheus metrics shared by the API and the workers.
export * from './metrics';
