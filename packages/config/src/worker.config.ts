// Settings only a worker process reads: its health port, how many renders it runs at once and
// how it shares them between interactive and bulk work, the largest image it stores, when it
// re-encodes PNGs, and how it delivers callbacks.
import { z } from 'zod';
import { bool, defineFragment, int, optionalInt } from '@pixelfarm/env';
import { availableCpus } from './cpu-budget';
import { parseWebhookSecrets, type WebhookSecret } from './webhook-secrets';

/**
 * Default renders in flight per CPU the worker may use (its cgroup quota, not the host's cores).
 * Chosen by measurement (`npm run bench:matrix`, README "Performance"): with one per CPU, eight
 * clients got 0.7 of the browser's floor on small cards, as a slot's job spent part of its time
 * outside the browser (queue, storage, Redis); two per CPU kept it busy (0.83-0.96 at four and eight
 * clients), and cells with fewer clients lost nothing.
 */
export const RENDERS_PER_CPU = 2;

/**
 * Of SHUTDOWN_TIMEOUT_MS, what a stopping worker keeps after WORKER_SHUTDOWN_GRACE_MS to hand its
 * unfinished jobs back to the queue and close its browser and connections.
 */
export const SHUTDOWN_HAND_BACK_MS = 5_000;

/** Most renders one worker process runs at once (WORKER_CONCURRENCY). */
const MAX_WORKER_CONCURRENCY = 64;

export interface WorkerConfig {
  /** Port of the worker's health and metrics server. */
  port: number;
  /** Renders in flight at most. */
  concurrency: number;
  /** Render slots filled while no interactive render waits (a bulk backlog alone). */
  baseConcurrency: number;
  /** How often the waiting interactive renders are counted, in ms. */
  demandPollMs: number;
  /** Largest rendered image stored, in bytes. */
  maxOutputBytes: number;
  /** Largest jumbo image stored, in bytes. */
  maxJumboOutputBytes: number;
  /** Longest a render step outside the browser may take, and a browser step's margin beyond its budget. */
  renderStepTimeoutMs: number;
  /** How long a stopping worker lets renders in flight finish before handing them back. */
  shutdownGraceMs: number;
  /** Lossless re-encoding of render PNGs: later, on idle workers, or before storing. */
  pngOptimize: { mode: 'deferred' | 'inline'; idleMs: number; maxDelayMs: number };
  /** Delivery of callback_url notifications. */
  callbacks: {
    /** Budget of one delivery: connect, send and receive the status. */
    timeoutMs: number;
    /** Deliveries at once. */
    concurrency: number;
    /** Configured signing secrets (WEBHOOK_SECRETS); other accounts derive theirs from the API key. */
    secrets: readonly WebhookSecret[];
    /** Whether the legacy X-Signature header is sent too. */
    legacySignature: boolean;
  };
}

export const workerConfig = defineFragment({
  env: {
    /** Port of a worker's health and metrics server. Default 9100. */
    WORKER_PORT: int(9100, 0, 65535),
    /** Renders in flight per worker process. Default: RENDERS_PER_CPU per CPU of its cgroup quota (or cores), 1 to 64. */
    WORKER_CONCURRENCY: optionalInt(1, MAX_WORKER_CONCURRENCY),
    /**
     * Renders in flight while no interactive render is waiting (a bulk backlog alone); the worker
     * opens one more slot per waiting interactive render, up to WORKER_CONCURRENCY. Default: one
     * per CPU of its cgroup quota (or cores), at most WORKER_CONCURRENCY.
     */
    WORKER_BASE_CONCURRENCY: optionalInt(1, MAX_WORKER_CONCURRENCY),
    /** How often a worker counts the waiting interactive renders, in ms. Default 100. */
    WORKER_DEMAND_POLL_MS: int(100, 10, 10_000),
    /**
     * On SIGTERM, how long a worker lets its renders in flight finish before it hands the rest
     * back to the queue for another worker; below SHUTDOWN_TIMEOUT_MS, which leaves room to hand
     * back and close, and both below Kubernetes' default 30 s grace. Default 20 s.
     */
    WORKER_SHUTDOWN_GRACE_MS: int(20_000, 0, 600_000),
    /**
     * Longest a render step outside the browser may take (encode, store, copy to a destination,
     * settle) and the margin a browser step gets beyond its render budget and page lease; a step
     * past it fails the attempt, which is retried. Default 60 s.
     */
    RENDER_STEP_TIMEOUT_MS: int(60_000, 1_000, 900_000),
    /** Largest rendered image a worker stores. Default 50 MB. */
    MAX_OUTPUT_BYTES: int(50 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    /** Largest jumbo image a worker stores. Default 512 MB. */
    JUMBO_MAX_OUTPUT_BYTES: int(512 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    /**
     * When a render's PNG is re-encoded smaller (losslessly): `deferred` stores Chromium's capture
     * as it is and re-encodes it later, when the worker has no render to do (the re-encode was a
     * third of a small card's CPU outside the browser); `inline` re-encodes before storing.
     * Default deferred.
     */
    PNG_OPTIMIZE: z.enum(['deferred', 'inline'], { error: 'PNG_OPTIMIZE must be deferred or inline' }).default('deferred'),
    /** How long a worker's render slots must be idle before it re-encodes deferred PNGs. Default 500 ms. */
    PNG_OPTIMIZE_IDLE_MS: int(500, 0, 600_000),
    /** A deferred re-encode waiting longer than this runs even while the worker renders. Default 300 s. */
    PNG_OPTIMIZE_MAX_DELAY_S: int(300, 1, 7 * 24 * 3600),
    /** Budget of one callback delivery: connect, send and receive the status. Default 10 s. */
    CALLBACK_TIMEOUT_MS: int(10_000, 100, 120_000),
    /** Callbacks a worker delivers at once. Default 16. */
    CALLBACK_CONCURRENCY: int(16, 1, 1000),
    /**
     * Standard Webhooks secrets of callbacks: `id:whsec_<base64>` pairs, comma-separated; an id
     * listed twice signs with both (rotation). Accounts not listed sign with a secret derived
     * from their API key. Default: none listed.
     */
    WEBHOOK_SECRETS: z.string().default(''),
    /** Also send the legacy `X-Signature: sha256=<HMAC of the body keyed with the API key>`. Default true. */
    CALLBACK_LEGACY_SIGNATURE: bool(true),
  },
  build(e, _context: undefined, problems): WorkerConfig {
    let secrets: WebhookSecret[] = [];
    try {
      secrets = parseWebhookSecrets(e.WEBHOOK_SECRETS);
    } catch (err) {
      problems.push(`WEBHOOK_SECRETS: ${(err as Error).message}`);
    }
    const concurrency = e.WORKER_CONCURRENCY ?? Math.min(MAX_WORKER_CONCURRENCY, availableCpus() * RENDERS_PER_CPU);
    const baseConcurrency = e.WORKER_BASE_CONCURRENCY ?? Math.min(concurrency, availableCpus());
    if (baseConcurrency > concurrency) problems.push(`WORKER_BASE_CONCURRENCY: must be at most WORKER_CONCURRENCY (${concurrency})`);
    return {
      port: e.WORKER_PORT,
      concurrency,
      baseConcurrency,
      demandPollMs: e.WORKER_DEMAND_POLL_MS,
      maxOutputBytes: e.MAX_OUTPUT_BYTES,
      maxJumboOutputBytes: e.JUMBO_MAX_OUTPUT_BYTES,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      renderStepTimeoutMs: e.RENDER_STEP_TIMEOUT_MS,
      pngOptimize: { mode: e.PNG_OPTIMIZE, idleMs: e.PNG_OPTIMIZE_IDLE_MS, maxDelayMs: e.PNG_OPTIMIZE_MAX_DELAY_S * 1000 },
      callbacks: {
        timeoutMs: e.CALLBACK_TIMEOUT_MS,
        concurrency: e.CALLBACK_CONCURRENCY,
        secrets,
        legacySignature: e.CALLBACK_LEGACY_SIGNATURE,
      },
    };
  },
});
