// Producer side of the callback queue (API for already-stored images, workers for renders):
// adds a delivery job that a worker retries with exponential backoff.
import type { Queue } from 'bullmq';
import { UnavailableError } from '@pixelfarm/errors';
import { CALLBACK_JOB, CALLBACK_QUEUE, callbackJobIds, type BatchCallbackBody, type CallbackJobData } from './callback-contract';
import { OwningQueue, queueConnection } from './queue-connection';

export interface CallbackQueueOptions {
  redisUrl: string;
  prefix: string;
  /** Deliveries tried before the callback fails for good. */
  attempts: number;
  /** First retry delay; each later one doubles. */
  backoffMs: number;
  /** The id of the request (or render job's request) being handled, put into each delivery job. */
  requestId?: () => string | undefined;
}

export class CallbackQueue {
  private readonly queue: OwningQueue<CallbackJobData>;
  private closing?: Promise<void>;

  constructor(private readonly options: CallbackQueueOptions) {
    this.queue = new OwningQueue<CallbackJobData>(CALLBACK_QUEUE, { prefix: options.prefix }, queueConnection(options.redisUrl, 'producer'));
    this.queue.on('error', () => {});
  }

  /** Queues one delivery; with a jobId, a second add under the same id is a no-op. */
  async enqueue(data: CallbackJobData, jobId?: string): Promise<void> {
    try {
      const requestId = data.requestId ?? this.options.requestId?.();
      await this.queue.add(CALLBACK_JOB, requestId ? { ...data, requestId } : data, {
        jobId,
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        // Kept a day so that a repeated add under the same id stays a no-op.
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    } catch (err) {
      throw new UnavailableError('The callback queue is unavailable, please retry', { cause: err });
    }
  }

  /** Tells a bulk job's callback_url that the job finished; once per batch, whoever sees it finish. */
  enqueueBatchDone(account: string, url: string, body: BatchCallbackBody): Promise<void> {
    return this.enqueue({ account, url, body: JSON.stringify(body), kind: 'batch' }, callbackJobIds.batch(body.batch_id));
  }

  /** The BullMQ queue itself, for the admin dashboard and tests only. */
  get dashboardQueue(): Queue {
    return this.queue;
  }

  close(): Promise<void> {
    this.closing ??= this.queue.close().catch(() => undefined);
    return this.closing;
  }
}
