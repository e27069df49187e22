// The queue package's configuration: where Redis is and the prefix of every key, how jobs are
// retried and recovered from dead workers, how many renders each lane admits, and how
// callbacks are retried.
import { z } from 'zod';
import { defineFragment, int } from '@pixelfarm/env';
import { admissionLanes, type AdmissionOptions } from './admission-control';
import { hashTagOf, parseRedisUrl, RedisUrlError } from './redis-url';

export interface QueueConfig {
  /** REDIS_URL: one server, Sentinel or Cluster (redis-url.ts). */
  redisUrl: string;
  /** Prefix of every Redis key of this deployment. */
  prefix: string;
  /** Attempts per render job before it fails for good. */
  attempts: number;
  /** Delay before a failed render attempt's retry, doubling with each later one. */
  backoffMs: number;
  /** How long a worker holds a job's lock; a killed worker's job is re-run after it expires. */
  lockDurationMs: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs: number;
  /** Times a job may lose its worker and be re-run before it fails for good. */
  maxStalledCount: number;
  /** Renders admitted but not finished, per lane (AdmissionControl takes it with the prefix). */
  admission: Omit<AdmissionOptions, 'prefix'>;
  /** How long a batch's progress (and a bulk admission ticket) is kept, in seconds. */
  batchRetentionS: number;
  /** Retries of callback deliveries (CallbackQueue). */
  callbacks: { attempts: number; backoffMs: number };
}

/** What the admission lanes' ticket lifetimes derive from: how long a create waits and a render may run. */
export interface QueueContext {
  renderWaitMs: number;
  renderTimeoutMs: number;
}

export const queueConfig = defineFragment({
  env: {
    /**
     * Where Redis is: redis://[user:pass@]host:port[/db] (rediss:// for TLS), unix:///path/to/redis.sock[?db=N]
     * for a socket (a sidecar Redis), redis-sentinel://[user:pass@]host:26379[,host:26379…]/<primary name>[/db]
     * for a primary watched by Sentinels, redis-cluster://[user:pass@]host:6379[,host:6379…] for a
     * Redis Cluster (redis-url.ts). Default redis://127.0.0.1:6379.
     */
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379')
      .superRefine((value, ctx) => {
        try {
          parseRedisUrl(value);
        } catch (err) {
          if (!(err instanceof RedisUrlError)) throw err;
          ctx.addIssue({ code: 'custom', message: err.message });
        }
      }),
    /**
     * Prefix of every Redis key this deployment uses (queues, locks); lets tests share one Redis.
     * Under Redis Cluster it must hold a hash tag, `{pixelfarm}`, so that every key is in one hash
     * slot (BullMQ's scripts touch several keys at once). Default pixelfarm.
     */
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9:_{}-]+$/, 'letters, digits and : _ - { } only')
      .default('pixelfarm'),
    /** Attempts per render job before it fails for good (transient faults retry with backoff). Default 3. */
    JOB_ATTEMPTS: int(3, 1, 20),
    /**
     * Delay before a failed render attempt (its browser crashed, the store refused a write) is
     * retried; each later retry waits twice as long. Short, because someone is usually waiting on
     * the create: a retry after a browser crash also waits for the relaunch. Default 500 ms.
     */
    JOB_BACKOFF_MS: int(500, 0, 60_000),
    /**
     * How long a worker's lock on a job lasts (renewed every half of it); a job whose worker died
     * or lost Redis for longer is taken by another worker at the next stalled-job check after it
     * expires, so a lost job waits at most JOB_LOCK_MS + JOB_STALLED_INTERVAL_MS. Default 10 s:
     * renewals stay far apart from any event-loop pause a worker has (its encodes run off the loop).
     */
    JOB_LOCK_MS: int(10_000, 1_000, 600_000),
    /** Times a job may lose its worker (crash, SIGKILL) and be re-run before it fails for good. Default 3. */
    JOB_MAX_STALLS: int(3, 1, 100),
    /** How often each worker looks for stalled jobs (one Redis script per worker). Default 2 s. */
    JOB_STALLED_INTERVAL_MS: int(2_000, 500, 600_000),
    /** Renders admitted but not finished, per lane, across all API replicas; above it creates get 429. Default 1000. */
    QUEUE_MAX_PENDING: int(1000, 1, 10_000_000),
    /** Retry-After (seconds) sent with 429 when the queue is full. Default 5. */
    QUEUE_RETRY_AFTER_S: int(5, 1, 3600),
    /** Bulk renders admitted but not finished, across all API replicas; a batch above it gets 429. Default 100,000. */
    BULK_MAX_PENDING: int(100_000, 1, 100_000_000),
    /** How long a batch's progress is kept in Redis (and a bulk admission ticket lives). Default 7 days. */
    BATCH_RETENTION_S: int(7 * 24 * 3600, 60, 366 * 24 * 3600),
    /** Delivery attempts of one callback before it fails for good. Default 8. */
    CALLBACK_ATTEMPTS: int(8, 1, 50),
    /** First retry delay of a failed callback; each later one doubles. Default 5 s. */
    CALLBACK_BACKOFF_MS: int(5_000, 10, 3_600_000),
  },
  build(e, context: QueueContext, problems): QueueConfig {
    if (parseRedisUrl(e.REDIS_URL).mode === 'cluster' && hashTagOf(e.REDIS_PREFIX) === undefined) {
      problems.push(
        `REDIS_PREFIX: under Redis Cluster every key must be in one hash slot, as BullMQ requires: put the prefix (or part of it) in braces, e.g. {${e.REDIS_PREFIX.replace(/[{}]/g, '')}}`,
      );
    }
    return {
      redisUrl: e.REDIS_URL,
      prefix: e.REDIS_PREFIX,
      attempts: e.JOB_ATTEMPTS,
      backoffMs: e.JOB_BACKOFF_MS,
      lockDurationMs: e.JOB_LOCK_MS,
      stalledIntervalMs: e.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: e.JOB_MAX_STALLS,
      admission: {
        retryAfterS: e.QUEUE_RETRY_AFTER_S,
        lanes: admissionLanes({
          queueMaxPending: e.QUEUE_MAX_PENDING,
          bulkMaxPending: e.BULK_MAX_PENDING,
          jobAttempts: e.JOB_ATTEMPTS,
          jobBackoffMs: e.JOB_BACKOFF_MS,
          batchRetentionS: e.BATCH_RETENTION_S,
          ...context,
        }),
      },
      batchRetentionS: e.BATCH_RETENTION_S,
      callbacks: { attempts: e.CALLBACK_ATTEMPTS, backoffMs: e.CALLBACK_BACKOFF_MS },
    };
  },
});
