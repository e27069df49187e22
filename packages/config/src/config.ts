// Validates the environment once at start and returns the typed, frozen configuration.
// Nothing else in the code base reads process.env: every knob and limit is named here.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '@pixelfarm/errors';
import { hashTagOf, parseRedisUrl, RedisUrlError } from '@pixelfarm/queue';
import { DEV_DESTINATIONS_KEY, parseDestinationKeys, type DestinationSettings } from '@pixelfarm/destinations';
import { parseApiKeys, type ApiKey } from './api-keys';
import { parseWebhookSecrets, type WebhookSecret } from './webhook-secrets';
import { parseUpstreamProxies, type UpstreamProxy } from './upstream-proxies';
import { availableCpus } from './cpu-budget';

/**
 * Default renders in flight per CPU the worker may use (its cgroup quota, not the host's cores).
 * Chosen by measurement (`npm run bench:matrix`, README "Performance"): with one per CPU, eight
 * clients got 0.7 of the browser's floor on small cards, as a slot's job spent part of its time
 * outside the browser (queue, storage, Redis); two per CPU kept it busy (0.83-0.96 at four and eight
 * clients), and cells with fewer clients lost nothing.
 */
export const RENDERS_PER_CPU = 2;

/** Most renders one worker process runs at once (WORKER_CONCURRENCY). */
const MAX_WORKER_CONCURRENCY = 64;

/** Warm pages per render slot: a page can be wiped after its job while the next job renders. */
export const PAGES_PER_RENDER = 2;
/**
 * Of SHUTDOWN_TIMEOUT_MS, what a stopping worker keeps after WORKER_SHUTDOWN_GRACE_MS to hand its
 * unfinished jobs back to the queue and close its browser and connections.
 */
export const SHUTDOWN_HAND_BACK_MS = 5_000;

/**
 * Default BROWSER_RECYCLE_MB for a pool of `pages` warm pages: 2048, or a fixed 1024 plus 64 per
 * page for larger pools. A warm page measured about 36 MB (proportional set size, 1200x630 cards)
 * over a browser's 400-500 MB, so a fixed threshold would sit below the steady state of a large
 * node's pool (64 pages: about 2.8 GB) and recycle the browser every few dozen renders, the
 * collapse issue #23 found. This keeps the threshold about 1.8 times above that steady state.
 */
export function defaultBrowserRecycleMb(pages: number): number {
  return Math.max(2048, 1024 + 64 * pages);
}

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const httpUrl = z.url({ protocol: /^https?$/ });
const listOf = (csv: string) =>
  csv
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Why a URL_ALLOWLIST entry is unusable, or null: a CIDR needs an address and a prefix length in range. */
function allowlistProblem(entry: string): string | null {
  const [addr, bits, ...rest] = entry.split('/');
  const family = isIP(addr!.replace(/^\[|\]$/g, ''));
  if (bits === undefined) return family || /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(entry) ? null : 'not a host name, address or CIDR';
  if (!family || rest.length > 0) return /^[a-z0-9_.-]+$/i.test(addr!) ? 'a CIDR must start with an IPv4 or IPv6 address' : 'not a host name, address or CIDR';
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `the prefix length must be a whole number from 0 to ${max}`;
  return null;
}

/** The development pair used when API_KEYS is unset; printed at start so nobody runs it unknowingly. */
export const DEV_API_KEY: ApiKey = { id: 'dev', key: 'dev-secret-change-me' };

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  /** HTTP port of the API. Default 8080. */
  PORT: int(8080, 0, 65535),
  /** Port of a worker's health and metrics server. Default 9100. */
  WORKER_PORT: int(9100, 0, 65535),
  /**
   * Port of the API's Prometheus `/metrics`, apart from the public PORT so that the internet
   * never reaches it and a scraper needs no route through the API's ingress (issue #22).
   * Default 9464 (the port registered for Prometheus exporters of applications by OpenTelemetry).
   */
  METRICS_PORT: int(9464, 0, 65535),
  /** Address the HTTP servers bind to. Default all interfaces. */
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: httpUrl.optional(),
  API_KEYS: z.string().optional(),
  /**
   * Where Redis is: redis://[user:pass@]host:port[/db] (rediss:// for TLS), unix:///path/to/redis.sock[?db=N]
   * for a socket (a sidecar Redis), redis-sentinel://[user:pass@]host:26379[,host:26379…]/<primary name>[/db]
   * for a primary watched by Sentinels, redis-cluster://[user:pass@]host:6379[,host:6379…] for a
   * Redis Cluster (packages/queue/src/redis-url.ts). Default redis://127.0.0.1:6379.
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
  STORAGE_DRIVER: z.enum(['fs', 's3']).default('fs'),
  STORAGE_DIR: z.string().default('./data'),
  S3_ENDPOINT: httpUrl.optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool(true),
  /** Endpoint clients reach the store at, for redirects (SERVE_MODE=redirect). Default: S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT: httpUrl.optional(),
  /** How GET /v1/image serves stored objects: `stream` through the API, or `redirect` (302 to a presigned S3 URL). */
  SERVE_MODE: z.enum(['stream', 'redirect']).default('stream'),
  /** Lifetime of a presigned redirect URL in seconds. Default 1 hour. */
  SERVE_REDIRECT_TTL_S: int(3600, 60, 7 * 24 * 3600),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Renders in flight per worker process. Default: RENDERS_PER_CPU per CPU of its cgroup quota (or cores), 1 to 64. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(MAX_WORKER_CONCURRENCY).optional(),
  /**
   * Renders in flight while no interactive render is waiting (a bulk backlog alone); the worker
   * opens one more slot per waiting interactive render, up to WORKER_CONCURRENCY. Default: one
   * per CPU of its cgroup quota (or cores), at most WORKER_CONCURRENCY.
   */
  WORKER_BASE_CONCURRENCY: z.coerce.number().int().min(1).max(MAX_WORKER_CONCURRENCY).optional(),
  /** How often a worker counts the waiting interactive renders, in ms. Default 100. */
  WORKER_DEMAND_POLL_MS: int(100, 10, 10_000),
  /**
   * Comma-separated hosts, addresses and CIDRs that rendered pages and callbacks may reach
   * although they are not public (internal sites, a fixture server). Default: none.
   */
  URL_ALLOWLIST: z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      for (const entry of listOf(value)) {
        const problem = allowlistProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)}: ${problem}` });
      }
    }),
  FONTS_CSS_URL: httpUrl.default('https://fonts.googleapis.com/css2'),
  /** Largest accepted request body. Default 5 MB. */
  MAX_BODY_BYTES: int(5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  /** Longest accepted html (and css) string, in characters. Default 2,000,000. */
  MAX_HTML_CHARS: int(2_000_000, 100, 50_000_000),
  /** How long POST /v1/image waits for its render before answering 503. Default 30 s. */
  RENDER_WAIT_MS: int(30_000, 1_000, 600_000),
  /** Hard budget for one render inside the worker (page load, waits, capture). Default 20 s. */
  RENDER_TIMEOUT_MS: int(20_000, 1_000, 300_000),
  /** Attempts per render job before it fails for good (transient faults retry with backoff). Default 3. */
  JOB_ATTEMPTS: int(3, 1, 20),
  /** How long GET /v1/image waits for a render that is still queued or running. Default 30 s. */
  IMAGE_WAIT_MS: int(30_000, 0, 600_000),
  /** How long one API process may hold the lock that makes a new variant render once. Default 30 s. */
  VARIANT_LOCK_MS: int(30_000, 1_000, 600_000),
  /** Largest variant (after crop and resize) in pixels; a bigger one is a 400. Default 25 megapixels. */
  MAX_OUTPUT_PIXELS: int(25_000_000, 10_000, 268_000_000),
  /** JPEG quality of variants, 1..100. Default 85. */
  JPEG_QUALITY: int(85, 1, 100),
  /** WebP quality of variants, 1..100. Default 85. */
  WEBP_QUALITY: int(85, 1, 100),
  /**
   * When a render's PNG is re-encoded smaller (losslessly): `deferred` stores Chromium's capture
   * as it is and re-encodes it later, when the worker has no render to do (issue #23: the
   * re-encode was a third of a small card's CPU outside the browser); `inline` re-encodes
   * before storing. Default deferred.
   */
  PNG_OPTIMIZE: z.enum(['deferred', 'inline'], { error: 'PNG_OPTIMIZE must be deferred or inline' }).default('deferred'),
  /** How long a worker's render slots must be idle before it re-encodes deferred PNGs. Default 500 ms. */
  PNG_OPTIMIZE_IDLE_MS: int(500, 0, 600_000),
  /** A deferred re-encode waiting longer than this runs even while the worker renders. Default 300 s. */
  PNG_OPTIMIZE_MAX_DELAY_S: int(300, 1, 7 * 24 * 3600),
  /** Largest output side in pixels for GET width/height. Default 5000. */
  MAX_IMAGE_DIMENSION: int(5000, 1, 20_000),
  /** Widest viewport a create may ask for. Default 6000. */
  MAX_VIEWPORT_WIDTH: int(6000, 100, 20_000),
  /** Tallest viewport a create may ask for. Default 6000. */
  MAX_VIEWPORT_HEIGHT: int(6000, 100, 20_000),
  /** Tallest capture (full page or auto-crop), in CSS pixels. Default 16384. */
  MAX_CAPTURE_HEIGHT: int(16_384, 100, 100_000),
  /**
   * Largest number of input pixels sharp will decode (pixel-bomb guard), well below sharp's own
   * 268 megapixels; at least MAX_RENDER_PIXELS so every capture can be processed. Default 50 megapixels.
   */
  MAX_INPUT_PIXELS: int(50_000_000, 1_000_000, 268_402_689),
  /** Pixel budget of one capture: viewport (or crop) width × height × device_scale². Default 40 megapixels. */
  MAX_RENDER_PIXELS: int(40_000_000, 10_000, 268_000_000),
  /**
   * Largest PDF page side in inches (pdf_options.page_width/page_height). 200 is the PDF 1.x page
   * limit (14,400 units); Chromium's printing fails somewhere between 500 and 1,000. Default 200.
   */
  PDF_MAX_PAGE_INCHES: int(200, 1, 500),
  /** JavaScript heap of one page in MB: a memory bomb crashes its page, not the machine. Default 512. */
  PAGE_HEAP_MB: int(512, 64, 16_384),
  /** Renders after which a worker replaces its browser (draining it first). Default 1000. */
  BROWSER_RECYCLE_RENDERS: int(1000, 1, 10_000_000),
  /**
   * Longest a render waits for a browser page (a relaunch after a crash included), and a browser
   * launch may take, before the attempt fails and is retried. Default 20 s.
   */
  BROWSER_LEASE_TIMEOUT_MS: int(20_000, 1_000, 300_000),
  /**
   * Longest a render step outside the browser may take (encode, store, copy to a destination,
   * settle) and the margin a browser step gets beyond its render budget and page lease; a step
   * past it fails the attempt, which is retried. Default 60 s.
   */
  RENDER_STEP_TIMEOUT_MS: int(60_000, 1_000, 900_000),
  /**
   * Memory (MB) of a worker's browser processes above which it is replaced. Default 2048, more for
   * a pool above 16 warm pages (defaultBrowserRecycleMb).
   */
  BROWSER_RECYCLE_MB: z.coerce.number().int().min(128).max(1_000_000).optional(),
  /**
   * Widest or tallest single capture in device pixels (CSS px × device_scale). A larger capture
   * without the jumbo fields is taken at a lower device_scale so that its longer side fits, as
   * hcti does, instead of Chromium repeating tiles past its texture limit. Default 16,384.
   */
  MAX_CAPTURE_SIDE: int(16_384, 1_000, 16_384),
  /** Largest jumbo_max_width / jumbo_max_height. Default 80,000 (hcti's limit). */
  JUMBO_MAX_SIDE: int(80_000, 8_001, 80_000),
  /** Largest jumbo_max_width × jumbo_max_height. Default 400,000,000 (hcti's limit). */
  JUMBO_MAX_PIXELS: int(400_000_000, 64_000_000, 400_000_000),
  /** Side of the square tiles a jumbo render is captured in, in device pixels. Default 8,000 (hcti's). */
  JUMBO_TILE_SIZE: int(8_000, 1_000, 16_384),
  /** Hard budget of one jumbo render (load, tiles, stitch) inside the worker. Default 120 s. */
  JUMBO_RENDER_TIMEOUT_MS: int(120_000, 1_000, 900_000),
  /** Largest jumbo image a worker stores. Default 512 MB. */
  JUMBO_MAX_OUTPUT_BYTES: int(512 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
  /**
   * Named upstream proxies for proxy_id: id=url pairs, comma-separated, credentials in the url
   * (https://user:pass@proxy.example:8443). Default: none (proxy_id is refused).
   */
  PROXIES: z.string().default(''),
  /** Largest rendered image a worker stores. Default 50 MB. */
  MAX_OUTPUT_BYTES: int(50 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /**
   * Requests per minute per API key on authenticated routes and signed-URL renders, shared by all
   * API replicas. Default: none. hcti sets no per-minute limit on creating or rendering images
   * (getting-started/using-the-api/rate-limits): the render queue's cap (QUEUE_MAX_PENDING) is
   * the backpressure; an operator who wants a per-key limit sets this.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).optional(),
  /**
   * Requests a key may send at once: the size of its token bucket, refilled at the per-minute
   * rate. Any minute then sees at most RATE_LIMIT_PER_MINUTE + RATE_LIMIT_BURST requests (a fixed
   * window let through twice the limit around its edge). Default: 10 seconds' worth of the rate.
   * Only with RATE_LIMIT_PER_MINUTE.
   */
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(10_000_000).optional(),
  /**
   * What the rate limit does while Redis cannot be asked: `memory` counts in each API process
   * with the same limits (so N replicas allow up to N times the rate), `allow` lets every request
   * through, `refuse` answers 503. Default memory.
   */
  RATE_LIMIT_WHEN_REDIS_DOWN: z.enum(['memory', 'allow', 'refuse']).default('memory'),
  /** Requests a minute per account to each management read group (api-key:read, proxy:read…), a sliding window. Default 100. */
  MANAGEMENT_READS_PER_MINUTE: int(100, 1, 1_000_000),
  /** Requests a minute per account to each management write group (api-key:write, proxy:write…). Default 20. */
  MANAGEMENT_WRITES_PER_MINUTE: int(20, 1, 1_000_000),
  /** Most API keys one account may make through /v1/api-keys, disabled ones included. Default 100. */
  API_KEYS_PER_ACCOUNT: int(100, 1, 100_000),
  /**
   * How long an API process trusts a made key it has read (its enabled state and permissions):
   * a key disabled or changed through another replica stops or changes there within this time.
   * 0 reads the key on every request. Default 5 s.
   */
  API_KEY_CACHE_MS: int(5_000, 0, 600_000),
  /**
   * Images each account may render per billing period (a calendar month, UTC), as hcti's plan
   * allowance: past it a create is 429 "Plan limit exceeded". Default: none. Images already stored
   * (duplicates, signed URLs seen before) are not renders and are always served.
   */
  IMAGE_ALLOWANCE: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  /** Renders admitted but not finished, per lane, across all API replicas; above it creates get 429. Default 1000. */
  QUEUE_MAX_PENDING: int(1000, 1, 10_000_000),
  /** Retry-After (seconds) sent with 429 when the queue is full. Default 5. */
  QUEUE_RETRY_AFTER_S: int(5, 1, 3600),
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
  /** How long /readyz reuses its last result, so frequent probes do not hammer Redis. Default 2000 ms. */
  READINESS_CACHE_MS: int(2000, 0, 60_000),
  /** Deadline for a graceful shutdown before the process exits anyway. Default 25 s. */
  SHUTDOWN_TIMEOUT_MS: int(25_000, 1_000, 600_000),
  /**
   * On SIGTERM, how long a worker lets its renders in flight finish before it hands the rest
   * back to the queue for another worker; below SHUTDOWN_TIMEOUT_MS, which leaves room to hand
   * back and close, and both below Kubernetes' default 30 s grace. Default 20 s.
   */
  WORKER_SHUTDOWN_GRACE_MS: int(20_000, 0, 600_000),
  /** Credentials of the queue dashboard at /admin/queues; unset: the dashboard is off. */
  ADMIN_USER: z.string().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),
  /** Most variations in one POST /v1/image/batch (and ids in one DELETE /v1/image/batch). Default 25. */
  IMAGE_BATCH_MAX: int(25, 1, 1000),
  /** Most variations in one bulk job (POST /v1/batches). Default 10,000. */
  BATCH_MAX: int(10_000, 1, 1_000_000),
  /** Images per page of GET /v1/batches/:id when the client sends no limit. Default 100. */
  BATCH_PAGE_SIZE: int(100, 1, 1000),
  /** Bulk renders admitted but not finished, across all API replicas; a batch above it gets 429. Default 100,000. */
  BULK_MAX_PENDING: int(100_000, 1, 100_000_000),
  /** How long a batch's progress is kept in Redis (and a bulk admission ticket lives). Default 7 days. */
  BATCH_RETENTION_S: int(7 * 24 * 3600, 60, 366 * 24 * 3600),
  /** Delivery attempts of one callback before it fails for good. Default 8. */
  CALLBACK_ATTEMPTS: int(8, 1, 50),
  /** Budget of one callback delivery: connect, send and receive the status. Default 10 s. */
  CALLBACK_TIMEOUT_MS: int(10_000, 100, 120_000),
  /** First retry delay of a failed callback; each later one doubles. Default 5 s. */
  CALLBACK_BACKOFF_MS: int(5_000, 10, 3_600_000),
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
  /** Dedupe window (seconds) of html creates that do not send dedupe_duration_s. Default 30 days. */
  DEDUPE_DEFAULT_S: int(30 * 24 * 3600, 0, 366 * 24 * 3600),
  /** Loop iterations ({{#each}}) one template render may run; a nested-loop bomb fails with 400. Default 100,000. */
  TEMPLATE_LOOP_BUDGET: int(100_000, 100, 100_000_000),
  /**
   * Handlebars tags ({{…}}) one template source may hold. Parsing and compiling run on the API's
   * event loop and cost ~0.2 ms per tag, more when nested: 160,000 tags took 36 s. Default 1,000.
   */
  TEMPLATE_MAX_TAGS: int(1000, 10, 1_000_000),
  /** Compiled template versions an API process keeps; 0 turns the cache off. Default 1,000. */
  TEMPLATE_CACHE_ENTRIES: int(1000, 0, 1_000_000),
  /** Total size (UTF-8 bytes of their sources) of the compiled templates kept. Default 32 MB. */
  TEMPLATE_CACHE_BYTES: int(32 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
  /**
   * AES-256 keys that seal the secret access keys of storage destinations: base64 of 32 random
   * bytes (`openssl rand -base64 32`), comma-separated; the first seals, every one opens, so a
   * key is rotated by listing the new one first. Unset: storage destinations are off, unless the
   * server runs with the development API key (then a public development key seals). Default unset.
   */
  DESTINATIONS_KEY: z.string().optional(),
  /** SDK attempts of one request to a storage destination (transient faults retry with backoff). Default 3. */
  DESTINATION_ATTEMPTS: int(3, 1, 10),
  /** Connect timeout and longest single request to a storage destination. Default 10 s. */
  DESTINATION_TIMEOUT_MS: int(10_000, 100, 300_000),
  /** Most storage destinations one account may have. Default 25. */
  DESTINATIONS_PER_ACCOUNT: int(25, 1, 10_000),
  /** Most upstream proxies one account may have (/v1/proxies; their passwords are sealed with DESTINATIONS_KEY). Default 25. */
  PROXIES_PER_ACCOUNT: int(25, 1, 10_000),
  /**
   * The IAM role whose credentials write to aws_s3 destinations: the principal customers' roles
   * trust (GET /v1/storage-destinations/aws-external-id answers it). Unset: aws_s3 destinations and
   * that route are refused (403). Default unset.
   */
  DESTINATIONS_AWS_WRITER_ROLE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/pixelfarm-writer')
    .optional(),
  /** STS endpoint this server assumes aws_s3 destinations' roles through (a VPC endpoint, say). Default AWS' regional one. */
  DESTINATIONS_AWS_STS_ENDPOINT: httpUrl.optional(),
  /** S3 endpoint of aws_s3 destinations (a VPC endpoint, say); path-style addressing then. Default AWS' regional one. */
  DESTINATIONS_AWS_S3_ENDPOINT: httpUrl.optional(),
  /** Keys of the writer identity, both or neither; unset: the AWS SDK's own chain (instance role, IRSA…). Never logged. */
  DESTINATIONS_AWS_ACCESS_KEY_ID: z.string().optional(),
  DESTINATIONS_AWS_SECRET_ACCESS_KEY: z.string().optional(),
  /** What an account's external id starts with: the rest is its API id. Default `pixelfarm:`. */
  DESTINATIONS_AWS_EXTERNAL_ID_PREFIX: z.string().regex(/^[\w+=,.@:/-]{1,64}$/, 'must be 1-64 of letters, digits and + = , . @ : / - _').default('pixelfarm:'),
  /** Most Open Graph image configurations (/v1/og-configs) one account may have. Default 25. */
  OG_CONFIGS_PER_ACCOUNT: int(25, 1, 10_000),
  /** Longest fetch of a page's metadata for its Open Graph image. Default 10 s. */
  OG_FETCH_TIMEOUT_MS: int(10_000, 100, 120_000),
  /** Most bytes of a page read for its metadata (the head comes first). Default 1 MiB. */
  OG_FETCH_MAX_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

/** Every environment variable the processes read: deployment manifests may set only these. */
export const ENV_VARS: readonly string[] = Object.freeze(Object.keys(schema.shape));

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface S3Config {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Endpoint in presigned URLs handed to clients (redirect mode). */
  publicEndpoint?: string;
}

export interface Config {
  env: string;
  host: string;
  port: number;
  workerPort: number;
  /** Port of the API's /metrics server (METRICS_PORT). */
  metricsPort: number;
  publicUrl: string;
  apiKeys: readonly ApiKey[];
  /** True when API_KEYS was unset and the development pair is in use. */
  usingDevKey: boolean;
  redisUrl: string;
  redisPrefix: string;
  storage: { driver: 'fs'; dir: string } | { driver: 's3'; s3: S3Config };
  /** How stored images reach clients. */
  serve: { mode: 'stream' | 'redirect'; redirectTtlS: number };
  /** Lossy encodings of variants. */
  encoding: {
    jpegQuality: number;
    webpQuality: number;
    /** Lossless re-encoding of render PNGs: later, on idle workers, or before storing. */
    pngOptimize: { mode: 'deferred' | 'inline'; idleMs: number; maxDelayMs: number };
  };
  chromiumPath: string;
  workerConcurrency: number;
  /** Render slots a worker fills while no interactive render waits (a bulk backlog alone). */
  workerBaseConcurrency: number;
  workerDemandPollMs: number;
  /** Warm pages the worker's browser keeps: PAGES_PER_RENDER per render slot. */
  workerPagePool: number;
  urlAllowlist: readonly string[];
  fontsCssUrl: string;
  /** Upstream proxies a render may name in proxy_id (PROXIES). */
  proxies: readonly UpstreamProxy[];
  /** Jumbo renders: limits of the request, tiles and budget of the render. */
  jumbo: { maxSide: number; maxPixels: number; tileSize: number; renderTimeoutMs: number; maxOutputBytes: number };
  limits: {
    maxBodyBytes: number;
    maxHtmlChars: number;
    renderWaitMs: number;
    renderTimeoutMs: number;
    jobAttempts: number;
    maxImageDimension: number;
    imageWaitMs: number;
    variantLockMs: number;
    maxOutputPixels: number;
    maxViewportWidth: number;
    maxViewportHeight: number;
    maxCaptureHeight: number;
    maxCaptureSide: number;
    maxInputPixels: number;
    maxRenderPixels: number;
    maxPdfPageInches: number;
    maxOutputBytes: number;
    pageHeapMb: number;
    browserRecycleRenders: number;
    browserRecycleMb: number;
    browserLeaseTimeoutMs: number;
    renderStepTimeoutMs: number;
    queueMaxPending: number;
    queueRetryAfterS: number;
    jobLockMs: number;
    jobStalledIntervalMs: number;
    jobMaxStalls: number;
    imageBatchMax: number;
    dedupeDefaultS: number;
    templateLoopBudget: number;
    templateMaxTags: number;
    batchMax: number;
    batchPageSize: number;
    bulkMaxPending: number;
    batchRetentionS: number;
  };
  /** Delivery of callback_url notifications. */
  callbacks: {
    attempts: number;
    timeoutMs: number;
    backoffMs: number;
    concurrency: number;
    /** Configured signing secrets (WEBHOOK_SECRETS); other accounts derive theirs from the API key. */
    secrets: readonly WebhookSecret[];
    /** Whether the legacy X-Signature header is sent too. */
    legacySignature: boolean;
  };
  /** Per-key request rate on authenticated routes (a token bucket in Redis); none unless RATE_LIMIT_PER_MINUTE is set. */
  rateLimit?: { perMinute: number; burst: number; whenRedisDown: 'memory' | 'allow' | 'refuse' };
  /** Images each account may render per billing period (IMAGE_ALLOWANCE); undefined: no allowance. */
  imageAllowance?: number;
  /** What every rate limit does while Redis cannot be asked (RATE_LIMIT_WHEN_REDIS_DOWN). */
  rateLimitWhenRedisDown: 'memory' | 'allow' | 'refuse';
  /** Requests a minute per account and management operation group (hcti's rate limits). */
  managementRateLimit: { readsPerMinute: number; writesPerMinute: number };
  /** Keys accounts make through /v1/api-keys. */
  madeApiKeys: { perAccount: number; cacheMs: number };
  /** Compiled Handlebars templates kept by an API process. */
  templateCache: { entries: number; bytes: number };
  /** Storage destinations: the keys sealing their secrets (none: they are off) and their limits. */
  destinations: DestinationSettings;
  /** Most upstream proxies one account may have (PROXIES_PER_ACCOUNT). */
  proxiesPerAccount: number;
  /** Open Graph images: configurations per account, and the fetch of a page's metadata. */
  og: { perAccount: number; fetchTimeoutMs: number; fetchMaxBytes: number };
  shutdownTimeoutMs: number;
  /** How long a stopping worker lets renders in flight finish before handing them back. */
  workerShutdownGraceMs: number;
  readinessCacheMs: number;
  logLevel: LogLevel;
  /** Queue dashboard credentials, when configured. */
  admin?: { user: string; password: string };
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // Empty strings mean "unset", as they do in compose files and Kubernetes manifests.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];

  let apiKeys: ApiKey[] = [DEV_API_KEY];
  if (e.API_KEYS) {
    try {
      apiKeys = parseApiKeys(e.API_KEYS);
    } catch (err) {
      problems.push(`API_KEYS: ${(err as Error).message}`);
    }
  }

  if (!e.DESTINATIONS_AWS_ACCESS_KEY_ID !== !e.DESTINATIONS_AWS_SECRET_ACCESS_KEY) {
    problems.push('DESTINATIONS_AWS_ACCESS_KEY_ID/DESTINATIONS_AWS_SECRET_ACCESS_KEY: set both or neither');
  }
  let storage: Config['storage'] = { driver: 'fs', dir: path.resolve(e.STORAGE_DIR) };
  if (e.STORAGE_DRIVER === 's3') {
    if (!e.S3_BUCKET) problems.push('S3_BUCKET: required when STORAGE_DRIVER=s3');
    if (!!e.S3_ACCESS_KEY_ID !== !!e.S3_SECRET_ACCESS_KEY) {
      problems.push('S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither');
    }
    storage = {
      driver: 's3',
      s3: {
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        bucket: e.S3_BUCKET ?? '',
        accessKeyId: e.S3_ACCESS_KEY_ID,
        secretAccessKey: e.S3_SECRET_ACCESS_KEY,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        publicEndpoint: e.S3_PUBLIC_ENDPOINT ?? e.S3_ENDPOINT,
      },
    };
  }
  if (e.SERVE_MODE === 'redirect' && e.STORAGE_DRIVER !== 's3') {
    problems.push('SERVE_MODE: redirect needs STORAGE_DRIVER=s3 (a filesystem has no URL to redirect to)');
  }
  if (e.MAX_INPUT_PIXELS < e.MAX_RENDER_PIXELS) {
    problems.push(`MAX_INPUT_PIXELS: must be at least MAX_RENDER_PIXELS (${e.MAX_RENDER_PIXELS}), or captures could not be processed`);
  }
  if (!!e.ADMIN_USER !== !!e.ADMIN_PASSWORD) problems.push('ADMIN_USER/ADMIN_PASSWORD: set both or neither');
  let webhookSecrets: WebhookSecret[] = [];
  try {
    webhookSecrets = parseWebhookSecrets(e.WEBHOOK_SECRETS);
  } catch (err) {
    problems.push(`WEBHOOK_SECRETS: ${(err as Error).message}`);
  }
  // Below a second's worth of the rate the bucket could not hold the next request's token.
  const perMinute = e.RATE_LIMIT_PER_MINUTE;
  const minBurst = perMinute === undefined ? 0 : Math.ceil(perMinute / 60);
  const burst = perMinute === undefined ? undefined : (e.RATE_LIMIT_BURST ?? Math.max(minBurst, Math.ceil(perMinute / 6)));
  if (perMinute === undefined && e.RATE_LIMIT_BURST !== undefined) {
    problems.push('RATE_LIMIT_BURST: needs RATE_LIMIT_PER_MINUTE (there is no per-key rate limit without it)');
  } else if (perMinute !== undefined && burst !== undefined && (burst < minBurst || burst > perMinute)) {
    problems.push(`RATE_LIMIT_BURST: must be from ${minBurst} (one second of RATE_LIMIT_PER_MINUTE) to RATE_LIMIT_PER_MINUTE (${perMinute})`);
  }
  if (parseRedisUrl(e.REDIS_URL).mode === 'cluster' && hashTagOf(e.REDIS_PREFIX) === undefined) {
    problems.push(
      `REDIS_PREFIX: under Redis Cluster every key must be in one hash slot, as BullMQ requires: put the prefix (or part of it) in braces, e.g. {${e.REDIS_PREFIX.replace(/[{}]/g, '')}}`,
    );
  }
  // Destinations need a sealing key; a development server gets the public one, like its API key.
  let destinationKeys: string[] = !e.API_KEYS ? [DEV_DESTINATIONS_KEY] : [];
  if (e.DESTINATIONS_KEY) {
    try {
      destinationKeys = parseDestinationKeys(e.DESTINATIONS_KEY);
    } catch (err) {
      problems.push(`DESTINATIONS_KEY: ${(err as Error).message}`);
    }
  }
  const upstream = parseUpstreamProxies(e.PROXIES);
  problems.push(...upstream.problems.map((p) => `PROXIES: ${p}`));
  const workerConcurrency = e.WORKER_CONCURRENCY ?? Math.min(MAX_WORKER_CONCURRENCY, availableCpus() * RENDERS_PER_CPU);
  const workerBaseConcurrency = e.WORKER_BASE_CONCURRENCY ?? Math.min(workerConcurrency, availableCpus());
  if (workerBaseConcurrency > workerConcurrency) problems.push(`WORKER_BASE_CONCURRENCY: must be at most WORKER_CONCURRENCY (${workerConcurrency})`);
  if (e.WORKER_SHUTDOWN_GRACE_MS + SHUTDOWN_HAND_BACK_MS > e.SHUTDOWN_TIMEOUT_MS) {
    problems.push(`WORKER_SHUTDOWN_GRACE_MS: must leave ${SHUTDOWN_HAND_BACK_MS} ms of SHUTDOWN_TIMEOUT_MS (${e.SHUTDOWN_TIMEOUT_MS}) to hand unfinished jobs back and close`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);

  const workerPagePool = workerConcurrency * PAGES_PER_RENDER;
  const config: Config = {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    workerPort: e.WORKER_PORT,
    metricsPort: e.METRICS_PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    apiKeys,
    usingDevKey: !e.API_KEYS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    storage,
    serve: { mode: e.SERVE_MODE, redirectTtlS: e.SERVE_REDIRECT_TTL_S },
    encoding: {
      jpegQuality: e.JPEG_QUALITY,
      webpQuality: e.WEBP_QUALITY,
      pngOptimize: { mode: e.PNG_OPTIMIZE, idleMs: e.PNG_OPTIMIZE_IDLE_MS, maxDelayMs: e.PNG_OPTIMIZE_MAX_DELAY_S * 1000 },
    },
    chromiumPath: e.CHROMIUM_PATH,
    workerConcurrency,
    workerBaseConcurrency,
    workerDemandPollMs: e.WORKER_DEMAND_POLL_MS,
    workerPagePool,
    urlAllowlist: listOf(e.URL_ALLOWLIST),
    fontsCssUrl: e.FONTS_CSS_URL,
    proxies: upstream.proxies,
    jumbo: {
      maxSide: e.JUMBO_MAX_SIDE,
      maxPixels: e.JUMBO_MAX_PIXELS,
      tileSize: e.JUMBO_TILE_SIZE,
      renderTimeoutMs: e.JUMBO_RENDER_TIMEOUT_MS,
      maxOutputBytes: e.JUMBO_MAX_OUTPUT_BYTES,
    },
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxHtmlChars: e.MAX_HTML_CHARS,
      renderWaitMs: e.RENDER_WAIT_MS,
      renderTimeoutMs: e.RENDER_TIMEOUT_MS,
      jobAttempts: e.JOB_ATTEMPTS,
      maxImageDimension: e.MAX_IMAGE_DIMENSION,
      imageWaitMs: e.IMAGE_WAIT_MS,
      variantLockMs: e.VARIANT_LOCK_MS,
      maxOutputPixels: e.MAX_OUTPUT_PIXELS,
      maxViewportWidth: e.MAX_VIEWPORT_WIDTH,
      maxViewportHeight: e.MAX_VIEWPORT_HEIGHT,
      maxCaptureHeight: e.MAX_CAPTURE_HEIGHT,
      maxCaptureSide: e.MAX_CAPTURE_SIDE,
      maxInputPixels: e.MAX_INPUT_PIXELS,
      maxRenderPixels: e.MAX_RENDER_PIXELS,
      maxPdfPageInches: e.PDF_MAX_PAGE_INCHES,
      maxOutputBytes: e.MAX_OUTPUT_BYTES,
      pageHeapMb: e.PAGE_HEAP_MB,
      browserRecycleRenders: e.BROWSER_RECYCLE_RENDERS,
      browserRecycleMb: e.BROWSER_RECYCLE_MB ?? defaultBrowserRecycleMb(workerPagePool),
      browserLeaseTimeoutMs: e.BROWSER_LEASE_TIMEOUT_MS,
      renderStepTimeoutMs: e.RENDER_STEP_TIMEOUT_MS,
      queueMaxPending: e.QUEUE_MAX_PENDING,
      queueRetryAfterS: e.QUEUE_RETRY_AFTER_S,
      jobLockMs: e.JOB_LOCK_MS,
      jobStalledIntervalMs: e.JOB_STALLED_INTERVAL_MS,
      jobMaxStalls: e.JOB_MAX_STALLS,
      imageBatchMax: e.IMAGE_BATCH_MAX,
      dedupeDefaultS: e.DEDUPE_DEFAULT_S,
      templateLoopBudget: e.TEMPLATE_LOOP_BUDGET,
      templateMaxTags: e.TEMPLATE_MAX_TAGS,
      batchMax: e.BATCH_MAX,
      batchPageSize: e.BATCH_PAGE_SIZE,
      bulkMaxPending: e.BULK_MAX_PENDING,
      batchRetentionS: e.BATCH_RETENTION_S,
    },
    callbacks: {
      attempts: e.CALLBACK_ATTEMPTS,
      timeoutMs: e.CALLBACK_TIMEOUT_MS,
      backoffMs: e.CALLBACK_BACKOFF_MS,
      concurrency: e.CALLBACK_CONCURRENCY,
      secrets: webhookSecrets,
      legacySignature: e.CALLBACK_LEGACY_SIGNATURE,
    },
    rateLimit: perMinute !== undefined && burst !== undefined ? { perMinute, burst, whenRedisDown: e.RATE_LIMIT_WHEN_REDIS_DOWN } : undefined,
    imageAllowance: e.IMAGE_ALLOWANCE,
    rateLimitWhenRedisDown: e.RATE_LIMIT_WHEN_REDIS_DOWN,
    managementRateLimit: { readsPerMinute: e.MANAGEMENT_READS_PER_MINUTE, writesPerMinute: e.MANAGEMENT_WRITES_PER_MINUTE },
    madeApiKeys: { perAccount: e.API_KEYS_PER_ACCOUNT, cacheMs: e.API_KEY_CACHE_MS },
    templateCache: { entries: e.TEMPLATE_CACHE_ENTRIES, bytes: e.TEMPLATE_CACHE_BYTES },
    destinations: {
      keys: destinationKeys,
      usingDevKey: !e.DESTINATIONS_KEY && !e.API_KEYS,
      attempts: e.DESTINATION_ATTEMPTS,
      timeoutMs: e.DESTINATION_TIMEOUT_MS,
      perAccount: e.DESTINATIONS_PER_ACCOUNT,
      aws: e.DESTINATIONS_AWS_WRITER_ROLE_ARN
        ? {
            writerRoleArn: e.DESTINATIONS_AWS_WRITER_ROLE_ARN,
            externalIdPrefix: e.DESTINATIONS_AWS_EXTERNAL_ID_PREFIX,
            stsEndpoint: e.DESTINATIONS_AWS_STS_ENDPOINT,
            s3Endpoint: e.DESTINATIONS_AWS_S3_ENDPOINT,
            credentials:
              e.DESTINATIONS_AWS_ACCESS_KEY_ID && e.DESTINATIONS_AWS_SECRET_ACCESS_KEY
                ? { accessKeyId: e.DESTINATIONS_AWS_ACCESS_KEY_ID, secretAccessKey: e.DESTINATIONS_AWS_SECRET_ACCESS_KEY }
                : undefined,
          }
        : undefined,
    },
    proxiesPerAccount: e.PROXIES_PER_ACCOUNT,
    og: { perAccount: e.OG_CONFIGS_PER_ACCOUNT, fetchTimeoutMs: e.OG_FETCH_TIMEOUT_MS, fetchMaxBytes: e.OG_FETCH_MAX_BYTES },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    workerShutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
    readinessCacheMs: e.READINESS_CACHE_MS,
    logLevel: e.LOG_LEVEL,
    admin: e.ADMIN_USER && e.ADMIN_PASSWORD ? { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD } : undefined,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
