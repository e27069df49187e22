// How many interactive renders are waiting for a worker. BullMQ keeps jobs without a
// priority in the queue's wait list and prioritized ones (the bulk lane, LANE_PRIORITY) in a
// sorted set of their own, so the wait list's length is the interactive backlog alone.
import { OwningQueue, queueConnection } from './queue-connection';
import { RENDER_QUEUE } from './render-contract';

export interface InteractiveDemandOptions {
  redisUrl: string;
  prefix: string;
}

export class InteractiveDemand {
  private readonly queue: OwningQueue<unknown>;
  private closing?: Promise<void>;

  constructor(options: InteractiveDemandOptions) {
    // A fail-fast (producer) connection: a poll that cannot reach Redis fails, it does not queue up.
    this.queue = new OwningQueue<unknown>(RENDER_QUEUE, { prefix: options.prefix }, queueConnection(options.redisUrl, 'producer'));
    this.queue.on('error', () => {});
  }

  /** Interactive renders queued and not yet taken by any worker. */
  waiting(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  close(): Promise<void> {
    this.closing ??= this.queue.close();
    return this.closing;
  }
}
