// Prometheus metrics (prom-client). Each process builds its own Registry in its composition
// root; these factories only declare the series on it. Every application metric is named
// `pixelfarm_…` (Prometheus' naming conventions: one application prefix, so a shared Prometheus
// never mixes another service's `http_requests_total` in); names are written out
// whole so that a name read on a dashboard greps to its source. prom-client's process and
// Node.js defaults keep their standard names (`process_*`, `nodejs_*`), as every exporter's do.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The prefix of every metric the apps declare (the defaults aside). */
export const METRIC_PREFIX = 'pixelfarm_';

export function createRegistry(app: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HttpMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const requests = new Counter({
    name: 'pixelfarm_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'pixelfarm_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    observe(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

export type RenderPhase = 'queued' | 'acquire' | 'load' | 'wait' | 'capture' | 'encode' | 'upload' | 'total';

export interface RenderMetrics {
  completed(): void;
  /**
   * A job failed for good, once per job: its input cannot render (`rejected`), or its last
   * attempt failed (`failed`). Attempts that are retried are counted by `retried` instead.
   */
  failed(kind: 'input' | 'internal'): void;
  /** An attempt failed with a transient fault and the job was queued again (with backoff). */
  retried(): void;
  phase(phase: RenderPhase, seconds: number): void;
  browserRestart(): void;
  browserRecycle(reason: 'renders' | 'memory'): void;
}

export function createRenderMetrics(registry: Registry): RenderMetrics {
  const jobs = new Counter({
    name: 'pixelfarm_render_jobs_total',
    help: 'Render jobs this worker finished, once per job, by outcome (completed, rejected: bad input, failed: every attempt failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'pixelfarm_render_retries_total',
    help: 'Render attempts that failed with a transient fault (browser, storage) and were queued again',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'pixelfarm_render_duration_seconds',
    help: 'Render duration by phase',
    labelNames: ['phase'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'pixelfarm_browser_restarts_total',
    help: 'Times the browser disconnected unexpectedly and was relaunched',
    registers: [registry],
  });
  const recycles = new Counter({
    name: 'pixelfarm_browser_recycles_total',
    help: 'Browsers replaced on purpose (render count or memory), by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    completed: () => jobs.inc({ outcome: 'completed' }),
    failed: (kind) => jobs.inc({ outcome: kind === 'input' ? 'rejected' : 'failed' }),
    retried: () => retries.inc(),
    phase: (phase, seconds) => duration.observe({ phase }, seconds),
    browserRestart: () => restarts.inc(),
    browserRecycle: (reason) => recycles.inc({ reason }),
  };
}

export interface ApiRenderMetrics {
  enqueued(): void;
  /** A GET served a stored variant (hit) or had to produce it (miss). */
  variantCache(hit: boolean): void;
  /** One variant produced with sharp (single flight: once per variant across API processes). */
  variantProduced(format: string, seconds: number): void;
  result(outcome: 'completed' | 'rejected' | 'failed', seconds: number): void;
}

export function createApiRenderMetrics(registry: Registry): ApiRenderMetrics {
  const enqueued = new Counter({
    name: 'pixelfarm_render_jobs_enqueued_total',
    help: 'Render jobs enqueued by this API process',
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'pixelfarm_render_request_duration_seconds',
    help: 'Time from enqueue to the stored image, as seen by the API, by outcome',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const variants = new Counter({
    name: 'pixelfarm_variant_cache_requests_total',
    help: 'Image GETs by whether the variant was already stored',
    labelNames: ['result'],
    registers: [registry],
  });
  const transforms = new Histogram({
    name: 'pixelfarm_variant_transform_duration_seconds',
    help: 'Time to produce and store one new variant (decode, crop, resize, encode, upload), by format',
    labelNames: ['format'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    enqueued: () => enqueued.inc(),
    variantProduced: (format, seconds) => transforms.observe({ format }, seconds),
    variantCache: (hit) => variants.inc({ result: hit ? 'hit' : 'miss' }),
    result: (outcome, seconds) => latency.observe({ outcome }, seconds),
  };
}

/**
 * Queue depth by state, read from Redis at scrape time, and whether that read worked. While
 * Redis cannot be read, `pixelfarm_queue_jobs` is absent rather than frozen at its last values
 * (alerts and autoscalers would act on numbers that are no longer true), and
 * `pixelfarm_queue_up` is 0.
 */
export function registerQueueDepth(
  registry: Registry,
  queue: string,
  read: () => Promise<Record<string, number>>,
): void {
  // Both gauges are collected concurrently in one scrape; they share one read of Redis.
  let reading: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    reading ??= (async () => {
      try {
        const counts = await read();
        jobs.reset();
        for (const [state, n] of Object.entries(counts)) jobs.set({ queue, state }, n);
        up.set({ queue }, 1);
      } catch {
        jobs.reset();
        up.set({ queue }, 0);
      }
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const jobs = new Gauge({
    name: 'pixelfarm_queue_jobs',
    help: 'Jobs in the queue by state (absent while Redis cannot be read: see pixelfarm_queue_up)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    collect: refresh,
  });
  const up = new Gauge({
    name: 'pixelfarm_queue_up',
    help: 'Whether this scrape read the queue counts from Redis (1) or not (0: pixelfarm_queue_jobs is absent)',
    labelNames: ['queue'],
    registers: [registry],
    collect: refresh,
  });
}

/** Pages in use and pool size of a worker's browser pool, read at scrape time. */
export function registerPoolGauge(registry: Registry, read: () => { pagesInUse: number; poolSize: number }): void {
  new Gauge({
    name: 'pixelfarm_browser_pages',
    help: 'Browser pages of this worker: in use, and the pool size',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { pagesInUse, poolSize } = read();
      this.set({ state: 'in_use' }, pagesInUse);
      this.set({ state: 'pool_size' }, poolSize);
    },
  });
}

/**
 * A worker's render slots, read at scrape time: `open`, the slots it fills for the work queued now
 * (WORKER_BASE_CONCURRENCY for a bulk backlog, up to WORKER_CONCURRENCY while interactive renders
 * wait), `busy`, renders running, and `max`, WORKER_CONCURRENCY. Saturation is busy over open: a
 * worker running its base slots for a bulk backlog is full, though it could open more.
 */
export function registerSlotGauge(registry: Registry, read: () => { open: number; busy: number; max: number }): void {
  new Gauge({
    name: 'pixelfarm_render_slots',
    help: 'Render slots of this worker: open (filled for the work queued now), busy (renders running), max (WORKER_CONCURRENCY)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { open, busy, max } = read();
      this.set({ state: 'open' }, open);
      this.set({ state: 'busy' }, busy);
      this.set({ state: 'max' }, max);
    },
  });
}

/** Storage operation latency and errors (observer for the storage package's InstrumentedDriver). */
export function createStorageMetrics(registry: Registry): { observe(operation: string, seconds: number, ok: boolean): void } {
  const duration = new Histogram({
    name: 'pixelfarm_storage_operation_duration_seconds',
    help: 'Object storage operation latency by operation',
    labelNames: ['operation'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'pixelfarm_storage_operation_errors_total',
    help: 'Object storage operations that failed, by operation',
    labelNames: ['operation'],
    registers: [registry],
  });
  return {
    observe(operation, seconds, ok) {
      duration.observe({ operation }, seconds);
      if (!ok) errors.inc({ operation });
    },
  };
}

export type CallbackOutcome = 'sent' | 'retried' | 'failed' | 'refused';

export interface CallbackMetrics {
  /**
   * One delivery attempt: `sent` (2xx), `retried` (failed, another attempt follows), `failed`
   * (last attempt failed), `refused` (the egress policy or a missing key forbids it: never sent).
   */
  delivery(outcome: CallbackOutcome, kind: 'image' | 'batch'): void;
}

export function createCallbackMetrics(registry: Registry): CallbackMetrics {
  const deliveries = new Counter({
    name: 'pixelfarm_callback_deliveries_total',
    help: 'callback_url deliveries by outcome (sent, retried, failed for good, refused by the egress policy) and kind',
    labelNames: ['outcome', 'kind'],
    registers: [registry],
  });
  return { delivery: (outcome, kind) => deliveries.inc({ outcome, kind }) };
}

export interface DestinationMetrics {
  /** One write to an account's storage destination: the base image or a variant, stored or failed for good. */
  write(object: 'base' | 'variant', outcome: 'stored' | 'failed'): void;
}

/** Writes to accounts' storage destinations on the worker (renders) and the API (variants, PUT /v1/store). */
export function createDestinationMetrics(registry: Registry): DestinationMetrics {
  const writes = new Counter({
    name: 'pixelfarm_destination_writes_total',
    help: "Objects written to accounts' storage destinations, by object (base, variant) and outcome (stored, failed after its retries)",
    labelNames: ['object', 'outcome'],
    registers: [registry],
  });
  return { write: (object, outcome) => writes.inc({ object, outcome }) };
}

export interface PngOptimizeMetrics {
  /** One deferred re-encode: `optimized` (and the bytes it saved), `kept` (not smaller), or `skipped` (gone or replaced). */
  optimized(outcome: 'optimized' | 'kept' | 'skipped', savedBytes?: number): void;
}

/** The deferred lossless PNG re-encode of renders (PNG_OPTIMIZE=deferred). */
export function createPngOptimizeMetrics(registry: Registry): PngOptimizeMetrics {
  const runs = new Counter({
    name: 'pixelfarm_png_optimizations_total',
    help: 'Deferred lossless re-encodes of rendered PNGs, by outcome (optimized, kept: not smaller, skipped: deleted or rendered again meanwhile)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const saved = new Counter({
    name: 'pixelfarm_png_optimize_saved_bytes_total',
    help: 'Bytes of storage the deferred PNG re-encodes saved',
    registers: [registry],
  });
  return {
    optimized(outcome, savedBytes = 0) {
      runs.inc({ outcome });
      if (savedBytes > 0) saved.inc(savedBytes);
    },
  };
}

export interface EgressMetrics {
  /** A page's request refused by the egress policy: `unresolved` (no address) or `not_public`. */
  refused(reason: string): void;
}

/** Requests of rendered pages the egress policy refused, by reason: probes of internal addresses show here. */
export function createEgressMetrics(registry: Registry): EgressMetrics {
  const refused = new Counter({
    name: 'pixelfarm_egress_refused_total',
    help: 'Requests of rendered pages refused by the egress policy, by reason (unresolved: no address; not_public: a private, loopback or reserved address)',
    labelNames: ['reason'],
    registers: [registry],
  });
  return { refused: (reason) => refused.inc({ reason }) };
}
