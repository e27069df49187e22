// Producer side of the render queue (the API): enqueue a render and wait for its outcome.
import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { AppError, RenderInputError, UnavailableError } from '@pixelfarm/errors';
import { decodeFailure, JOB_NAMES, LANE_PRIORITY, pdfJobId, RENDER_QUEUE, type Lane, type RenderJobData, type RenderJobResult } from './render-contract';
import { PromptQueueEvents, queueConnection, type QueueConnection } from './queue-connection';
import { untilFinished, WAIT_TIMED_OUT } from './job-wait';

export interface RenderQueueOptions {
  /** REDIS_URL: one server, Sentinel or Cluster (redis-url.ts). */
  redisUrl: string;
  /** Redis key prefix of this deployment. */
  prefix: string;
  /** Attempts per job before it fails for good. */
  attempts: number;
  /** Delay before a failed attempt's retry, doubling with each later one. */
  backoffMs: number;
  /**
   * The id of the request being handled, put into each job it adds (RenderJobData.requestId).
   * The API wires it to the request scope its access log opens. Default: none.
   */
  requestId?: () => string | undefined;
}

/** How a wait for a render ended, when it did not fail: see awaitOrWithdraw. */
export type RenderWait = { outcome: 'completed'; result: RenderJobResult } | { outcome: 'withdrawn' | 'running' };

/** A wait for a render ran out of time (503: the client may retry). */
export class RenderWaitTimeout extends UnavailableError {
  constructor(cause: unknown) {
    super('The render did not finish in time, please retry', { cause });
  }
}

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed' | 'prioritized', number>;

export class RenderQueue {
  private readonly queue: Queue<RenderJobData, RenderJobResult>;
  private readonly events: QueueEvents;
  private readonly connections: QueueConnection[];
  private closing?: Promise<void>;

  constructor(private readonly options: RenderQueueOptions) {
    const producer = queueConnection(options.redisUrl, 'producer');
    const consumer = queueConnection(options.redisUrl, 'consumer');
    this.connections = [producer, consumer];
    this.queue = new Queue(RENDER_QUEUE, { connection: producer.connection, prefix: options.prefix });
    this.events = new PromptQueueEvents(RENDER_QUEUE, { connection: consumer.connection, prefix: options.prefix });
    // Errors surface through the calls that hit them; these handlers only keep the
    // emitters from crashing the process while Redis is away.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    // Every request waiting on a job adds listeners for it here (identical creates and GETs of
    // an image still rendering wait on the same job): past 10, Node would log a leak warning per
    // emitter and event. Waits end with their job or their timeout; admission bounds how many.
    this.queue.setMaxListeners(0);
    this.events.setMaxListeners(0);
  }

  /** Resolves when both connections are up (start-up ordering and tests). */
  async ready(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  /** Adds the render job; the image id is the job id, so a duplicate add is a no-op. */
  async enqueue(data: RenderJobData, lane: Lane = 'interactive'): Promise<void> {
    try {
      await this.queue.add(JOB_NAMES.render, this.withRequestId(data), this.renderJobOptions(data.id, lane));
    } catch (err) {
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
  }

  /**
   * Adds many render jobs with BullMQ's addBulk, `chunk` per round trip (one MULTI each), so
   * 10,000 items take a few dozen calls instead of 10,000. Not atomic across chunks: on failure
   * the caller removes what was added (removeMany).
   */
  async enqueueMany(data: readonly RenderJobData[], lane: Lane, chunk = 500): Promise<void> {
    try {
      for (let i = 0; i < data.length; i += chunk) {
        await this.queue.addBulk(
          data.slice(i, i + chunk).map((d) => ({ name: JOB_NAMES.render, data: this.withRequestId(d), opts: this.renderJobOptions(d.id, lane) })),
        );
      }
    } catch (err) {
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
  }

  /** Removes jobs that have not started (rolling back a bulk enqueue); active ones are left to finish. */
  async removeMany(ids: readonly string[], parallel = 50): Promise<void> {
    // One call per job (BullMQ has no bulk remove): a few at a time, not 10,000 in a row.
    for (let i = 0; i < ids.length; i += parallel) {
      await Promise.all(ids.slice(i, i + parallel).map((id) => this.queue.remove(id).catch(() => 0)));
    }
  }

  private withRequestId(data: RenderJobData): RenderJobData {
    const requestId = data.requestId ?? this.options.requestId?.();
    return requestId ? { ...data, requestId } : data;
  }

  private renderJobOptions(id: string, lane: Lane): JobsOptions {
    return {
      jobId: id,
      priority: LANE_PRIORITY[lane],
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    };
  }

  /** Waits for the job's final outcome; input failures become 400s, the rest 503s. */
  /**
   * Prints an image's stored request to PDF on a worker and waits for it. The job id is fixed
   * per image, so concurrent first requests wait on the same job.
   */
  async renderPdf(data: RenderJobData, timeoutMs: number): Promise<RenderJobResult> {
    const jobId = pdfJobId(data.id);
    try {
      await this.queue.add(JOB_NAMES.pdf, this.withRequestId(data), {
        jobId,
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        removeOnComplete: { age: 60 },
        removeOnFail: { age: 60 },
      });
    } catch (err) {
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
    return this.waitForResult(jobId, timeoutMs);
  }

  /**
   * Waits up to timeoutMs for a render; if it has not started by then, withdraws it from the
   * queue, so a create that gives up leaves no job behind. A job already running is left to
   * finish (its worker records the outcome). Failures throw as in waitForResult.
   */
  async awaitOrWithdraw(id: string, timeoutMs: number): Promise<RenderWait> {
    try {
      return { outcome: 'completed', result: await this.waitForResult(id, timeoutMs) };
    } catch (err) {
      if (!(err instanceof RenderWaitTimeout)) throw err;
    }
    let state: string;
    try {
      const job = await Job.fromId<RenderJobData, RenderJobResult>(this.queue, id);
      if (!job) throw new UnavailableError('The render job was lost, please retry');
      state = await job.getState();
      // Finished as the wait ran out: its outcome, not a withdrawal (removing a completed job
      // would forget an image that is stored and counted).
      if (state === 'completed' || state === 'failed') return { outcome: 'completed', result: await this.waitForResult(id, 1000) };
      if (state === 'active') return { outcome: 'running' };
      // Waiting, prioritized or delayed (a retry's backoff). BullMQ removes only a job no worker
      // holds: 0 means a worker took it meanwhile, and it runs.
      return { outcome: (await this.queue.remove(id)) === 1 ? 'withdrawn' : 'running' };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
  }

  async waitForResult(id: string, timeoutMs: number): Promise<RenderJobResult> {
    const job = await Job.fromId<RenderJobData, RenderJobResult>(this.queue, id);
    if (!job) throw new UnavailableError('The render job was lost, please retry');
    try {
      return await untilFinished(job, this.queue, this.events, timeoutMs);
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = (err as Error).message ?? '';
      if (message.includes(WAIT_TIMED_OUT)) throw new RenderWaitTimeout(err);
      const failure = decodeFailure(message);
      if (failure.kind === 'input') throw new RenderInputError(failure.message);
      throw new UnavailableError('The render failed, please retry', { cause: err });
    }
  }

  /**
   * Waits up to timeoutMs for a job's outcome without turning it into an error: readers of an
   * image that is still rendering wait for it, and a missing or failed job just means no image.
   */
  async settle(id: string, timeoutMs: number): Promise<'completed' | 'failed' | 'missing' | 'pending'> {
    let job: Job<RenderJobData, RenderJobResult> | undefined;
    try {
      job = await Job.fromId<RenderJobData, RenderJobResult>(this.queue, id);
    } catch (err) {
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
    if (!job) return 'missing';
    try {
      await untilFinished(job, this.queue, this.events, timeoutMs);
      return 'completed';
    } catch (err) {
      if (err instanceof AppError) throw err;
      return ((err as Error).message ?? '').includes(WAIT_TIMED_OUT) ? 'pending' : 'failed';
    }
  }

  /**
   * Lets a content-addressed id (signed URLs) render again: drops its finished job when it
   * completed (the image was since deleted) or failed for an internal reason. A job that failed
   * on its input is kept, so the same request answers the same 400 without another render.
   */
  async discardFinished(id: string): Promise<void> {
    try {
      const job = await Job.fromId<RenderJobData, RenderJobResult>(this.queue, id);
      if (!job) return;
      const state = await job.getState();
      if (state === 'completed' || (state === 'failed' && decodeFailure(job.failedReason).kind !== 'input')) await job.remove();
    } catch (err) {
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
  }

  async counts(): Promise<QueueCounts> {
    return (await this.queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'failed',
      'completed',
      'prioritized',
    )) as QueueCounts;
  }

  /** The BullMQ queue itself, for the admin dashboard only (everything else goes through this adapter). */
  get dashboardQueue(): Queue {
    return this.queue;
  }

  async ping(): Promise<void> {
    // Any round trip proves the connection; getJobCounts is one cheap Lua call.
    await this.queue.getJobCounts('waiting');
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([this.events.close(), this.queue.close()])
      .then(() => Promise.allSettled(this.connections.map((c) => c.close())))
      .then(() => undefined);
    return this.closing;
  }
}
