// Composition root of a worker: storage, the long-lived browser, the BullMQ render worker, the
// callback deliverer and the health/metrics server, closed in order (jobs drain first, then the
// browser, then Redis).
import http from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import type { Config, Logger } from '@pixelfarm/config';
import { apiKeyOf, webhookSecretsOf } from '@pixelfarm/config';
import { within } from '@pixelfarm/errors';
import { AccountImageIndex, createStorage, ImageStore, InstrumentedDriver } from '@pixelfarm/storage';
import {
  AdmissionControl,
  DedupeCache,
  BatchProgress,
  CallbackQueue,
  createCallbackWorker,
  createOptimizeWorker,
  OptimizeQueue,
  createRedisClient,
  createRenderWorker,
  decodeFailure,
  handBackAll,
  JOB_NAMES,
  InteractiveDemand,
  UsageCounter,
} from '@pixelfarm/queue';
import { ChromiumRenderer, NetworkGuard } from '@pixelfarm/renderer';
import { ImageProcessor } from '@pixelfarm/imaging';
import { createCallbackMetrics, createEgressMetrics, createDestinationMetrics, createPngOptimizeMetrics, createRegistry, createRenderMetrics, createStorageMetrics, registerPoolGauge, registerSlotGauge } from '@pixelfarm/metrics';
import { createDestinationDirectory, DestinationWrites } from '@pixelfarm/destinations';
import { createProxyDirectory } from '@pixelfarm/proxies';
import { healthRoutes, metricsRoutes, notReady } from '@pixelfarm/health';
import { createRenderJob } from './jobs/render.job';
import { createRenderPdfJob } from './jobs/render-pdf.job';
import { buildJobRegistry } from './jobs/job-registry';
import { createDeliverCallbackJob } from './jobs/deliver-callback.job';
import { WebhookSender } from './callbacks/webhook-sender';
import { WebhookSigner } from './callbacks/webhook-signer';
import { RenderOutcomes } from './render-outcomes';
import { DestinationCopies } from './destination-copies';
import { OptimizerGate } from './optimizer-gate';
import { createOptimizePngJob } from './jobs/optimize-png.job';
import { SlotGovernor } from './slot-governor';
import { reportDemandPollError, reportEgressRefusal } from './worker-hooks';

/**
 * Longest wait for one step of the close once the grace is over: the lanes after their jobs are
 * handed back, then the browser, then everything else side by side. Three steps fit in the
 * SHUTDOWN_HAND_BACK_MS that configuration keeps after WORKER_SHUTDOWN_GRACE_MS.
 */
const CLOSE_STEP_MS = 1_500;

/** Whether `promise` settles within `ms`; a rejection counts as settled and goes to onError. */
function settlesWithin(promise: Promise<unknown>, ms: number, onError?: (err: unknown) => void): Promise<boolean> {
  const settled = promise.then(
    () => true,
    (err) => {
      onError?.(err);
      return true;
    },
  );
  // `settled` never rejects: only the deadline lands in the catch.
  return within(settled, ms, () => new Error('late')).catch(() => false);
}

export interface WorkerApp {
  registry: Registry;
  /** Launches the browser, starts consuming jobs and serves health; resolves with the HTTP port. */
  start(): Promise<number>;
  /**
   * Idempotent: stops taking jobs, lets those in flight finish for WORKER_SHUTDOWN_GRACE_MS, hands
   * the rest back to the queue, then closes browser, Redis and storage, each step bounded.
   */
  close(): Promise<void>;
}

export function createWorkerApp(config: Readonly<Config>, logger: Logger): WorkerApp {
  const registry = createRegistry('worker');
  const metrics = createRenderMetrics(registry);
  const storage = new InstrumentedDriver(createStorage(config.storage), createStorageMetrics(registry));
  const renderer = new ChromiumRenderer({
    ...config.renderer,
    urlAllowlist: config.egress.urlAllowlist,
    onBrowserRecycle: (reason) => {
      metrics.browserRecycle(reason);
      logger.info('recycling the browser', { reason });
    },
    onEgressRefused: reportEgressRefusal(createEgressMetrics(registry), logger),
    onBrowserDisconnect: () => {
      metrics.browserRestart();
      logger.warn('browser disconnected; relaunching it');
    },
  });
  // Non-blocking client for render outcomes (admission tickets, usage, dedupe, bulk progress) and readiness pings; fails fast
  // while Redis is down, which fails (and so retries) the job whose outcome it could not record.
  const redis = createRedisClient(config.queue.redisUrl, 'producer');
  redis.on('error', () => {});
  const images = new ImageStore(storage);
  // Storage destinations: the base object of a render goes to the image's bucket too.
  const destinations = createDestinationDirectory(storage, config.destinations, config.egress.urlAllowlist);
  // Accounts' own upstream proxies, opened (password included) when a render names one.
  const proxies = createProxyDirectory(storage, config.destinations.keys, config.egress.urlAllowlist);
  const index = new AccountImageIndex(storage);
  const copies = new DestinationCopies({
    writes: new DestinationWrites({ directory: destinations, storage, onWrite: createDestinationMetrics(registry).write }),
    images,
    index,
  });
  const callbacks = new CallbackQueue({
    ...config.queue,
    ...config.queue.callbacks,
    // Callbacks queued by a render's outcome carry the render's request id (the job's scope).
    requestId: () => logger.scope()?.reqId,
  });
  const outcomes = new RenderOutcomes({
    callbacks,
    progress: new BatchProgress(redis, { prefix: config.queue.prefix, retentionS: config.queue.batchRetentionS }),
    admission: new AdmissionControl(redis, { prefix: config.queue.prefix, ...config.queue.admission }),
    usage: new UsageCounter(redis, { prefix: config.queue.prefix }),
    dedupe: new DedupeCache(redis, { prefix: config.queue.prefix }),
    images,
    index,
  });
  // One libvips thread per image: the worker's parallelism is its concurrent jobs, and
  // spreading one small encode over several threads cost a third more CPU (bench/).
  const processor = new ImageProcessor({ ...config.imaging, threadsPerImage: 1 });
  // PNG_OPTIMIZE=deferred: renders store Chromium's PNG as it is; this lane re-encodes
  // it smaller when the worker's render slots are idle (OptimizerGate).
  const deferPng = config.worker.pngOptimize.mode === 'deferred';
  const optimizeQueue = deferPng ? new OptimizeQueue(config.queue) : undefined;
  const pngOptimizeMetrics = createPngOptimizeMetrics(registry);
  const optimizerGate = deferPng ? new OptimizerGate(config.worker.pngOptimize) : undefined;
  const optimizePng = createOptimizePngJob({ images, storage, processor, metrics: pngOptimizeMetrics });
  const optimizer = optimizerGate
    ? createOptimizeWorker({
        ...config.queue,
        concurrency: config.worker.concurrency,
        optimize: async (job) => {
          await optimizerGate.admit(job.timestamp);
          await optimizePng(job);
        },
        onFailed: (job, err) => logger.warn('png optimization failed', { id: job?.data.id, reason: err.message }),
        onError: (err) => logger.warn('optimize worker error', { error: err.message }),
      })
    : undefined;
  const processors = buildJobRegistry([
    [
      JOB_NAMES.render,
      createRenderJob({
        renderer,
        images,
        processor,
        metrics,
        maxOutputBytes: config.worker.maxOutputBytes,
        maxJumboOutputBytes: config.worker.maxJumboOutputBytes,
        pdfs: { storage },
        outcomes,
        copies,
        optimizeLater: optimizeQueue,
        bounds: { renderMs: config.renderer.timeoutMs, jumboMs: config.renderer.jumbo.timeoutMs, leaseMs: config.renderer.leaseTimeoutMs, stepMs: config.worker.renderStepTimeoutMs },
        proxies,
      }),
    ],
    [JOB_NAMES.pdf, createRenderPdfJob({ renderer, storage, proxies })],
  ]);
  const worker = createRenderWorker({
    ...config.queue,
    concurrency: config.worker.concurrency,
    processors,
    // Every line logged while a job runs carries the id of the request that queued it.
    inScope: (job, run) => logger.runWith({ reqId: job.data.requestId, job: job.id }, run),
    onFailed: (job, err, final) => {
      const failure = decodeFailure(err.message);
      // Once per job, at its final failure: counting every failed attempt made one broken render
      // look like JOB_ATTEMPTS of them. Attempts that are retried count apart.
      if (final) metrics.failed(failure.kind);
      else metrics.retried();
      logger.warn(final ? 'render failed' : 'render attempt failed; retrying', { reqId: job?.data.requestId, id: job?.id, attempt: job?.attemptsMade, kind: failure.kind, reason: failure.message });
    },
    onFinalFailure: async (job, failure) => {
      if (job.name === JOB_NAMES.render) await outcomes.failed(job.data, failure);
    },
    onError: (err) => logger.warn('worker error', { error: err.message }),
  });
  // A bulk backlog alone fills the worker's base slots; waiting interactive renders open the
  // rest, so a create does not share the CPUs with a full set of bulk renders (slot-governor.ts).
  const demand = config.worker.baseConcurrency < config.worker.concurrency ? new InteractiveDemand(config.queue) : undefined;
  // Without demand to poll (base equals max) the governor only counts the slots, for the gauge.
  const slots = new SlotGovernor({
    worker,
    base: config.worker.baseConcurrency,
    max: config.worker.concurrency,
    waiting: demand ? () => demand.waiting() : undefined,
    everyMs: config.worker.demandPollMs,
    // Redis unreachable: the worker cannot take jobs either, and readiness reports it; the
    // slots stay as they were.
    onError: reportDemandPollError(logger),
  });
  worker.on('active', () => optimizerGate?.renderStarted());
  worker.on('failed', () => optimizerGate?.renderEnded());
  worker.on('completed', (job) => {
    optimizerGate?.renderEnded();
    metrics.completed();
    // One line per finished render, like the API's access line, tied to it by reqId.
    logger.info('render done', { reqId: job.data.requestId, job: job.id, jobName: job.name, attempt: job.attemptsMade, durationMs: (job.finishedOn ?? Date.now()) - (job.processedOn ?? job.timestamp) });
  });

  // Callbacks: delivered under the page-load egress rules, signed with the account's webhook
  // secrets (Standard Webhooks) and, unless turned off, the legacy X-Signature.
  const callbackMetrics = createCallbackMetrics(registry);
  const callbackWorker = createCallbackWorker({
    ...config.queue,
    concurrency: config.worker.callbacks.concurrency,
    inScope: (job, run) => logger.runWith({ reqId: job.data.requestId, job: job.id }, run),
    deliver: createDeliverCallbackJob({
      sender: new WebhookSender({ guard: new NetworkGuard(config.egress.urlAllowlist), timeoutMs: config.worker.callbacks.timeoutMs }),
      signer: new WebhookSigner({
        secretsOf: (account) => webhookSecretsOf(account, config.worker.callbacks.secrets, config.apiKeys),
        legacyKeyOf: config.worker.callbacks.legacySignature ? (account) => apiKeyOf(config.apiKeys, account) : undefined,
      }),
      onSent: (job) => callbackMetrics.delivery('sent', job.data.kind),
    }),
    onFailed: (job, err, final) => {
      const refused = final && err.name === 'UnrecoverableError';
      const outcome = refused ? 'refused' : final ? 'failed' : 'retried';
      if (job) callbackMetrics.delivery(outcome, job.data.kind);
      const fields = { reqId: job?.data.requestId, job: job?.id, kind: job?.data.kind, attempt: job?.attemptsMade, reason: err.message };
      if (final) logger.warn(refused ? 'callback refused, not sent' : 'callback failed for good', fields);
      else logger.info('callback attempt failed; retrying', fields);
    },
    onError: (err) => logger.warn('callback worker error', { error: err.message }),
  });
  registerPoolGauge(registry, () => renderer.stats());
  registerSlotGauge(registry, () => slots.slots());

  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  app.use(
    healthRoutes({
      isDraining: () => draining,
      ...config.health,
      checks: {
        redis: async () => {
          await redis.ping();
        },
        storage: () => storage.ping(),
        browser: async () => {
          if (!renderer.isHealthy()) throw notReady('restarting');
        },
        // No capacity check: a busy worker takes its next job as soon as a page frees, so it is
        // ready. Failing readiness while busy made every worker NotReady during a batch, which
        // blocked node drains (the PDB counted them unavailable) and rolling updates.
        // Saturation is reported by the pixelfarm_browser_pages gauge instead.
      },
    }),
  );
  app.use(metricsRoutes(registry));
  let server: http.Server | undefined;
  let closing: Promise<void> | undefined;

  return {
    registry,
    async start() {
      await renderer.start();
      void worker.run().catch((err) => logger.error('worker stopped', { error: String(err) }));
      slots.start();
      void callbackWorker.run().catch((err) => logger.error('callback worker stopped', { error: String(err) }));
      if (optimizer) void optimizer.run().catch((err) => logger.error('optimize worker stopped', { error: String(err) }));
      server = http.createServer(app);
      return new Promise((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.worker.port, config.host, () => {
          const addr = server!.address();
          resolve(typeof addr === 'object' && addr ? addr.port : config.worker.port);
        });
      });
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const step = async (name: string, fn: () => Promise<unknown>, ms = CLOSE_STEP_MS) => {
          if (!(await settlesWithin(fn(), ms, (err) => logger.warn(`${name} close failed`, { error: String(err) })))) logger.warn(`${name} did not close within ${ms} ms; going on`);
        };
        slots.stop();
        // Every lane stops taking jobs at once. Deferred re-encodes and callbacks waiting for
        // their turn go back to their queues now: nothing is lost, and they do not hold up the
        // exit. Renders in flight get the grace period, then go back too.
        const lanes = [worker, callbackWorker, ...(optimizer ? [optimizer] : [])];
        const lanesClosed = Promise.allSettled(lanes.map((lane) => lane.close()));
        if (optimizer) handBackAll(optimizer);
        optimizerGate?.close();
        if (!(await settlesWithin(lanesClosed, config.worker.shutdownGraceMs))) {
          logger.warn('shutdown grace over; handing unfinished jobs back to the queue', { graceMs: config.worker.shutdownGraceMs, pagesInUse: renderer.stats().pagesInUse });
          for (const lane of lanes) handBackAll(lane);
          await step('workers', () => lanesClosed);
        }
        await step('browser', () => renderer.close());
        // The rest is independent: closed side by side, so a Redis that does not answer costs one step.
        await Promise.all([
          demand && step('interactive demand', () => demand.close()),
          optimizeQueue && step('optimize queue', () => optimizeQueue.close()),
          step('destinations', () => destinations.close()),
          step('callback queue', () => callbacks.close()),
          step('redis', () => redis.quit().catch(() => redis.disconnect())),
          step('storage', () => storage.close()),
          server &&
            step('http', () => new Promise<void>((resolve) => {
              server!.close(() => resolve());
              server!.closeAllConnections();
            })),
        ]);
      })();
      return closing;
    },
  };
}
