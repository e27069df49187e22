// The render queue: contract (names, payloads), producer and consumer adapters over BullMQ, the
// callback queue, and the Redis state API and workers share about renders (admission tickets,
// usage counters, duplicate detection, bulk job progress).
export * from './render-contract';
export * from './redis-url';
export * from './redis-connection';
export * from './queue-connection';
export * from './render-queue';
export * from './render-worker';
export * from './callback-contract';
export * from './callback-queue';
export * from './callback-worker';
export * from './admission-control';
export * from './usage-counter';
export * from './dedupe-cache';
export * from './batch-progress';
export * from './optimize-queue';
export * from './interactive-demand';
export * from './hand-back';
export * from './queue.config';
