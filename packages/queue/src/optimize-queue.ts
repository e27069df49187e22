// The lossless PNG optimization lane. A render stores the PNG Chromium captured as it
// is, so the image is served as soon as the browser is done; re-encoding it smaller (libvips'
// zlib at level 6, about 35 ms of CPU for a 1200x630 card) is queued here and done later by a
// worker with nothing else to do. The URL and the pixels stay the same; only the bytes shrink.
import type { Job, Worker } from 'bullmq';
import { UnavailableError } from '@pixelfarm/errors';
import { OwningQueue, OwningWorker, queueConnection } from './queue-connection';
import { orHandBack } from './hand-back';

/** Bump the suffix when the payload changes incompatibly. */
export const OPTIMIZE_QUEUE = 'optimize-v1';

export interface OptimizeJobData {
  /** The image whose original PNG is re-encoded. */
  id: string;
  /**
   * Size of the PNG the render stored. The job rewrites only that object: if the original has
   * another size by then (optimized already, or rendered again), it leaves it alone.
   */
  bytes: number;
}

export interface OptimizeQueueOptions {
  redisUrl: string;
  prefix: string;
}

export class OptimizeQueue {
  private readonly queue: OwningQueue<OptimizeJobData>;
  private closing?: Promise<void>;

  constructor(options: OptimizeQueueOptions) {
    this.queue = new OwningQueue<OptimizeJobData>(OPTIMIZE_QUEUE, { prefix: options.prefix }, queueConnection(options.redisUrl, 'producer'));
    this.queue.on('error', () => {});
  }

  /** Queues the optimization of one stored original; a second add for the same stored PNG is a no-op. */
  async enqueue(data: OptimizeJobData): Promise<void> {
    try {
      await this.queue.add('optimize', data, {
        jobId: `${data.id}-${data.bytes}`,
        // Nothing is lost if it never runs: the image is stored, only larger. One retry covers a blip.
        attempts: 2,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3600 },
      });
    } catch (err) {
      throw new UnavailableError('The optimization queue is unavailable', { cause: err });
    }
  }

  /** Jobs waiting to be optimized (tests, metrics). */
  waiting(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  close(): Promise<void> {
    this.closing ??= this.queue.close().catch(() => undefined);
    return this.closing;
  }
}

export interface OptimizeWorkerOptions {
  redisUrl: string;
  prefix: string;
  /** Re-encodes at once: as many as the worker's render slots, since they run while those are idle. */
  concurrency: number;
  optimize: (job: Job<OptimizeJobData>) => Promise<void>;
  onFailed?: (job: Job<OptimizeJobData> | undefined, err: Error) => void;
  onError?: (err: Error) => void;
}

/**
 * The optimization lane's consumer; its processor decides when to do the work (the worker's
 * OptimizerGate: when no render runs), holding its jobs meanwhile (their locks renewed).
 */
export function createOptimizeWorker(options: OptimizeWorkerOptions): Worker<OptimizeJobData> {
  // Three parameters: BullMQ gives the processor an abort signal, which handBackAll uses.
  const worker = new OwningWorker<OptimizeJobData, void>(OPTIMIZE_QUEUE, (job, token, signal?: AbortSignal) => orHandBack(job, token, signal, () => options.optimize(job)), { prefix: options.prefix, concurrency: options.concurrency, autorun: false }, queueConnection(options.redisUrl, 'consumer'));
  worker.on('failed', (job, err) => options.onFailed?.(job, err));
  worker.on('error', options.onError ?? (() => {}));
  return worker;
}
