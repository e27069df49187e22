// Settings only the API process reads: its ports and public address, how long requests wait,
// the sizes of bodies, batches and listings, the per-key rate limit, templates and the queue
// dashboard's credentials.
import { z } from 'zod';
import { defineFragment, httpUrl, int, optionalInt } from '@pixelfarm/env';

export interface ApiConfig {
  /** HTTP port of the API. */
  port: number;
  /** Port of the API's /metrics server. */
  metricsPort: number;
  /** Origin the API's own URLs are built from, without a trailing slash. */
  publicUrl: string;
  maxBodyBytes: number;
  /** How long POST /v1/image waits for its render before answering 503. */
  renderWaitMs: number;
  /** How long GET /v1/image waits for a render that is still queued or running. */
  imageWaitMs: number;
  variantLockMs: number;
  /** Largest output side in pixels for GET width/height. */
  maxImageDimension: number;
  imageBatchMax: number;
  batchMax: number;
  batchPageSize: number;
  /** Dedupe window of html creates that do not send dedupe_duration_s, in seconds. */
  dedupeDefaultS: number;
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
  /** Most upstream proxies one account may have (/v1/proxies). */
  proxiesPerAccount: number;
  /** Open Graph images: configurations per account, and the fetch of a page's metadata. */
  og: { perAccount: number; fetchTimeoutMs: number; fetchMaxBytes: number };
  /** Handlebars templates: the budgets of one render and the compiled versions kept (TemplateRenderer). */
  templates: { loopBudget: number; maxTags: number; cacheEntries: number; cacheBytes: number };
  /** Queue dashboard credentials, when configured. */
  admin?: { user: string; password: string };
}

export const apiConfig = defineFragment({
  env: {
    /** HTTP port of the API. Default 8080. */
    PORT: int(8080, 0, 65535),
    /**
     * Port of the API's Prometheus `/metrics`, apart from the public PORT so that the internet
     * never reaches it and a scraper needs no route through the API's ingress. Default 9464 (the
     * port registered for Prometheus exporters of applications by OpenTelemetry).
     */
    METRICS_PORT: int(9464, 0, 65535),
    PUBLIC_URL: httpUrl.optional(),
    /** Largest accepted request body. Default 5 MB. */
    MAX_BODY_BYTES: int(5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    /** How long POST /v1/image waits for its render before answering 503. Default 30 s. */
    RENDER_WAIT_MS: int(30_000, 1_000, 600_000),
    /** How long GET /v1/image waits for a render that is still queued or running. Default 30 s. */
    IMAGE_WAIT_MS: int(30_000, 0, 600_000),
    /** How long one API process may hold the lock that makes a new variant render once. Default 30 s. */
    VARIANT_LOCK_MS: int(30_000, 1_000, 600_000),
    /** Largest output side in pixels for GET width/height. Default 5000. */
    MAX_IMAGE_DIMENSION: int(5000, 1, 20_000),
    /**
     * Requests per minute per API key on authenticated routes and signed-URL renders, shared by all
     * API replicas. Default: none. hcti sets no per-minute limit on creating or rendering images
     * (getting-started/using-the-api/rate-limits): the render queue's cap (QUEUE_MAX_PENDING) is
     * the backpressure; an operator who wants a per-key limit sets this.
     */
    RATE_LIMIT_PER_MINUTE: optionalInt(1, 10_000_000),
    /**
     * Requests a key may send at once: the size of its token bucket, refilled at the per-minute
     * rate. Any minute then sees at most RATE_LIMIT_PER_MINUTE + RATE_LIMIT_BURST requests (a fixed
     * window let through twice the limit around its edge). Default: 10 seconds' worth of the rate.
     * Only with RATE_LIMIT_PER_MINUTE.
     */
    RATE_LIMIT_BURST: optionalInt(1, 10_000_000),
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
    IMAGE_ALLOWANCE: optionalInt(1, Number.MAX_SAFE_INTEGER),
    /** Most upstream proxies one account may have (/v1/proxies; their passwords are sealed with DESTINATIONS_KEY). Default 25. */
    PROXIES_PER_ACCOUNT: int(25, 1, 10_000),
    /** Most Open Graph image configurations (/v1/og-configs) one account may have. Default 25. */
    OG_CONFIGS_PER_ACCOUNT: int(25, 1, 10_000),
    /** Longest fetch of a page's metadata for its Open Graph image. Default 10 s. */
    OG_FETCH_TIMEOUT_MS: int(10_000, 100, 120_000),
    /** Most bytes of a page read for its metadata (the head comes first). Default 1 MiB. */
    OG_FETCH_MAX_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
    /** Credentials of the queue dashboard at /admin/queues; unset: the dashboard is off. */
    ADMIN_USER: z.string().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),
    /** Most variations in one POST /v1/image/batch (and ids in one DELETE /v1/image/batch). Default 25. */
    IMAGE_BATCH_MAX: int(25, 1, 1000),
    /** Most variations in one bulk job (POST /v1/batches). Default 10,000. */
    BATCH_MAX: int(10_000, 1, 1_000_000),
    /** Images per page of GET /v1/batches/:id when the client sends no limit. Default 100. */
    BATCH_PAGE_SIZE: int(100, 1, 1000),
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
  },
  build(e, _context: undefined, problems): ApiConfig {
    // Below a second's worth of the rate the bucket could not hold the next request's token.
    const perMinute = e.RATE_LIMIT_PER_MINUTE;
    const minBurst = perMinute === undefined ? 0 : Math.ceil(perMinute / 60);
    const burst = perMinute === undefined ? undefined : (e.RATE_LIMIT_BURST ?? Math.max(minBurst, Math.ceil(perMinute / 6)));
    if (perMinute === undefined && e.RATE_LIMIT_BURST !== undefined) {
      problems.push('RATE_LIMIT_BURST: needs RATE_LIMIT_PER_MINUTE (there is no per-key rate limit without it)');
    } else if (perMinute !== undefined && burst !== undefined && (burst < minBurst || burst > perMinute)) {
      problems.push(`RATE_LIMIT_BURST: must be from ${minBurst} (one second of RATE_LIMIT_PER_MINUTE) to RATE_LIMIT_PER_MINUTE (${perMinute})`);
    }
    if (!!e.ADMIN_USER !== !!e.ADMIN_PASSWORD) problems.push('ADMIN_USER/ADMIN_PASSWORD: set both or neither');
    return {
      port: e.PORT,
      metricsPort: e.METRICS_PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      maxBodyBytes: e.MAX_BODY_BYTES,
      renderWaitMs: e.RENDER_WAIT_MS,
      imageWaitMs: e.IMAGE_WAIT_MS,
      variantLockMs: e.VARIANT_LOCK_MS,
      maxImageDimension: e.MAX_IMAGE_DIMENSION,
      imageBatchMax: e.IMAGE_BATCH_MAX,
      batchMax: e.BATCH_MAX,
      batchPageSize: e.BATCH_PAGE_SIZE,
      dedupeDefaultS: e.DEDUPE_DEFAULT_S,
      rateLimit: perMinute !== undefined && burst !== undefined ? { perMinute, burst, whenRedisDown: e.RATE_LIMIT_WHEN_REDIS_DOWN } : undefined,
      imageAllowance: e.IMAGE_ALLOWANCE,
      rateLimitWhenRedisDown: e.RATE_LIMIT_WHEN_REDIS_DOWN,
      managementRateLimit: { readsPerMinute: e.MANAGEMENT_READS_PER_MINUTE, writesPerMinute: e.MANAGEMENT_WRITES_PER_MINUTE },
      madeApiKeys: { perAccount: e.API_KEYS_PER_ACCOUNT, cacheMs: e.API_KEY_CACHE_MS },
      proxiesPerAccount: e.PROXIES_PER_ACCOUNT,
      og: { perAccount: e.OG_CONFIGS_PER_ACCOUNT, fetchTimeoutMs: e.OG_FETCH_TIMEOUT_MS, fetchMaxBytes: e.OG_FETCH_MAX_BYTES },
      templates: {
        loopBudget: e.TEMPLATE_LOOP_BUDGET,
        maxTags: e.TEMPLATE_MAX_TAGS,
        cacheEntries: e.TEMPLATE_CACHE_ENTRIES,
        cacheBytes: e.TEMPLATE_CACHE_BYTES,
      },
      admin: e.ADMIN_USER && e.ADMIN_PASSWORD ? { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD } : undefined,
    };
  },
});
