// The render queue: contract (names, payloads), producer and consumer adapters over BullMQ.
export * from './render-contract';
export * from './redis-connection';
export * from './render-queue';
export * from './render-worker';
