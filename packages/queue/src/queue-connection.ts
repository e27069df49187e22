// The `connection` a BullMQ Queue, Worker or QueueEvents is given for REDIS_URL, and what its
// owner closes once BullMQ is done. For one server or Sentinel, BullMQ takes ioredis options and
// opens (and closes) its connections itself. BullMQ cannot build a Cluster client from options,
// so for Cluster it borrows one of ours: it leaves a borrowed client open on close (BullMQ's
// `shared` connections), and so the adapter that created it closes it afterwards.
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import { createRedisClient, redisOptions, type ConnectionRole } from './redis-connection';
import { parseRedisUrl } from './redis-url';

export interface QueueConnection {
  connection: ConnectionOptions;
  /** Idempotent: closes the borrowed client, if any (after the BullMQ object has closed). */
  close(): Promise<void>;
}

export function queueConnection(url: string, role: ConnectionRole): QueueConnection {
  if (parseRedisUrl(url).mode !== 'cluster') return { connection: redisOptions(url, role), close: () => Promise.resolve() };
  // Lazy: BullMQ connects what it uses (Queue, a Worker's main connection) and duplicates the
  // rest (QueueEvents, a Worker's blocking connection), so a client it only duplicates never
  // opens connections of its own.
  const client = createRedisClient(url, role, { lazyConnect: true });
  let closing: Promise<void> | undefined;
  return {
    connection: client,
    close() {
      closing ??= client.status === 'wait' ? Promise.resolve(client.disconnect()) : client.quit().then(
        () => undefined,
        () => client.disconnect(),
      );
      return closing;
    },
  };
}

/** A BullMQ Queue that closes its connection's borrowed client after itself. */
export class OwningQueue<Data> extends Queue<Data, unknown, string, Data, unknown, string> {
  constructor(
    name: string,
    options: Omit<QueueOptions, 'connection'>,
    private readonly owned: QueueConnection,
  ) {
    super(name, { ...options, connection: owned.connection });
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.owned.close();
    }
  }
}

/**
 * How long a BullMQ worker waits before it tries again to fetch a job, or to complete or fail
 * one, after Redis refused the call. BullMQ's default, 15 s, held a finished render for up to
 * 15 s after a failover was over; the retry is one cheap command.
 */
export const WORKER_RETRY_DELAY_MS = 500;

/** A BullMQ Worker that closes its connection's borrowed client after itself. */
export class OwningWorker<Data, Result> extends Worker<Data, Result> {
  constructor(
    name: string,
    processor: Processor<Data, Result>,
    options: Omit<WorkerOptions, 'connection'>,
    private readonly owned: QueueConnection,
  ) {
    super(name, processor, { runRetryDelay: WORKER_RETRY_DELAY_MS, ...options, connection: owned.connection });
  }

  override async close(force = false): Promise<void> {
    try {
      await super.close(force);
    } finally {
      await this.owned.close();
    }
  }
}

/**
 * QueueEvents that read the event stream again 500 ms after Redis refused a read, not BullMQ's
 * fixed 5 s: a create waiting for its render heard of its completion up to 5 s after a failover
 * was over.
 */
export class PromptQueueEvents extends QueueEvents {
  protected override checkConnectionError<T>(fn: () => Promise<T>, delayInMs = WORKER_RETRY_DELAY_MS): Promise<T | undefined> {
    return super.checkConnectionError(fn, delayInMs);
  }
}
