// Consumer side of the render queue (workers): a BullMQ Worker dispatching jobs to processors.
import { hostname } from 'node:os';
import { Job, UnrecoverableError, type Worker } from 'bullmq';
import { isInputFailure } from '@pixelfarm/errors';
import { decodeFailure, encodeFailure, RENDER_QUEUE, type JobName, type RenderFailure, type RenderJobData, type RenderJobResult } from './render-contract';
import { OwningWorker, queueConnection } from './queue-connection';
import { isHandBack, orHandBack } from './hand-back';

/**
 * Renders one job. `signal` aborts when the worker hands the job back (it is stopping): work
 * still running then is abandoned, so a processor may use it to stop early, and need not.
 */
export type JobProcessor = (job: Job<RenderJobData, RenderJobResult>, signal?: AbortSignal) => Promise<RenderJobResult>;

export interface RenderWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** Job lock duration: a killed worker's jobs are re-run once their locks expire (JOB_LOCK_MS). */
  lockDurationMs: number;
  /** How often stalled jobs are looked for (JOB_STALLED_INTERVAL_MS). */
  stalledIntervalMs: number;
  /** Re-runs allowed after a worker died holding the job (JOB_MAX_STALLS). */
  maxStalledCount: number;
  /** Processors by job name; a job without a processor fails for good. */
  processors: ReadonlyMap<JobName, JobProcessor>;
  /** Every failed attempt; `final` when no retry follows (the job failed for good). */
  onFailed?: (job: Job | undefined, err: Error, final: boolean) => void;
  /**
   * Called once a job has failed for good (an input error, or its last attempt), before BullMQ
   * records the failure. Being inside the processor means a worker dying right after cannot
   * lose the outcome (the job re-runs, so handlers must be idempotent); the `failed` event
   * covers failures BullMQ decides itself (a job that stalled too often).
   */
  onFinalFailure?: (job: Job<RenderJobData, RenderJobResult>, failure: RenderFailure) => Promise<void>;
  onError?: (err: Error) => void;
  /**
   * Runs each job's processor, and its final-failure handling, inside a scope: the worker's
   * logger binds the job's request id there, so every line the render logs carries it.
   */
  inScope?: <T>(job: Job<RenderJobData, RenderJobResult>, run: () => Promise<T>) => Promise<T>;
}

export const workerIdentity = `${hostname()}:${process.pid}`;

/**
 * One job's run, the same across its retries and stalled re-runs (its id and creation time),
 * but new when the id is queued again later (a signed URL's image rendered after a delete).
 * What must happen once per render is keyed by it.
 */
export function runOf(job: Pick<Job, 'id' | 'timestamp'>): string {
  return `${job.id}@${job.timestamp}`;
}

/**
 * Creates the BullMQ worker. Input failures (isInputFailure: the request cannot render) fail the
 * job at once without retries; anything else is transient and retries with backoff.
 */
export function createRenderWorker(options: RenderWorkerOptions): Worker<RenderJobData, RenderJobResult> {
  // Final failures the processor already reported: the 'failed' event brings the same error
  // again and must not report it twice (forget, callback, batch progress).
  const reported = new WeakSet<Error>();
  const worker = new OwningWorker<RenderJobData, RenderJobResult>(
    RENDER_QUEUE,
    // Three parameters: BullMQ gives the processor an abort signal, which handBackAll uses.
    async (job, token, signal?: AbortSignal) => {
      const processor = options.processors.get(job.name as JobName);
      if (!processor) throw new UnrecoverableError(encodeFailure({ kind: 'internal', message: `No processor for ${job.name}` }));
      try {
        return await orHandBack(job, token, signal, () => (options.inScope ? options.inScope(job, () => processor(job, signal)) : processor(job, signal)));
      } catch (err) {
        if (isHandBack(err)) throw err;
        const input = isInputFailure(err);
        const failure: RenderFailure = { kind: input ? 'input' : 'internal', message: (err as Error).message };
        const thrown = input ? new UnrecoverableError(encodeFailure(failure)) : new Error(encodeFailure(failure), { cause: err });
        if (options.onFinalFailure && (input || job.attemptsMade + 1 >= (job.opts.attempts ?? 1))) {
          const onFinalFailure = options.onFinalFailure;
          await (options.inScope ? options.inScope(job, () => onFinalFailure(job, failure)) : onFinalFailure(job, failure)).catch((e: Error) => options.onError?.(e));
          reported.add(thrown);
        }
        throw thrown;
      }
    },
    {
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: false,
      // A worker killed mid-render leaves its job active; another worker re-runs it once the
      // lock expires (stalled-job recovery).
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
    },
    queueConnection(options.redisUrl, 'consumer'),
  );
  // finishedOn is set only when the job moved to failed rather than to a retry.
  if (options.onFailed) {
    const onFailed = options.onFailed;
    worker.on('failed', (job, err) => onFailed(job, err, !!job?.finishedOn));
  }
  if (options.onFinalFailure) {
    const onFinalFailure = options.onFinalFailure;
    worker.on('failed', (job, err) => {
      // finishedOn is set only when the job moved to failed rather than to a retry. What is left
      // here are failures BullMQ decides itself, such as a job that stalled too often.
      if (!job?.finishedOn || reported.has(err)) return;
      onFinalFailure(job, decodeFailure(err.message)).catch((e: Error) => options.onError?.(e));
    });
  }
  worker.on('error', options.onError ?? (() => {}));
  return worker;
}
