// Per-API-key request rate, shared by every API replica: a token bucket in Redis, run through
// rate-limiter-flexible (key prefixes, ioredis script handling, the insurance limiter). Its own
// Redis limiter counts in fixed windows, which let twice the limit through around a window's
// edge, so the bucket is its documented `customIncrTtlLuaScript` hook: GCRA, one
// atomic script per request on Redis' clock. While Redis is away, RATE_LIMIT_WHEN_REDIS_DOWN
// decides: a per-process in-memory limiter (the library's insurance), everything through, or 503.
import type { RedisClient } from '@pixelfarm/queue';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError, UnavailableError } from '@pixelfarm/errors';

export interface RateLimiterOptions {
  /** Redis key prefix of the deployment. */
  prefix: string;
  /** Sustained rate per key (RATE_LIMIT_PER_MINUTE). */
  perMinute: number;
  /** Requests a key may send at once: the bucket's size (RATE_LIMIT_BURST), at least a second's worth. */
  burst: number;
  /** What happens while Redis cannot be asked (RATE_LIMIT_WHEN_REDIS_DOWN). */
  whenRedisDown: 'memory' | 'allow' | 'refuse';
}

/** Where a key stands after a request, for the RateLimit headers. */
export interface RateLimitState {
  /** Requests the key could send at once now. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
}

/**
 * GCRA over one key holding the bucket's "theoretical arrival time": the ms at which it would be
 * full again. ARGV is rate-limiter-flexible's: cost, expiry (unused), points (the burst) and
 * duration (seconds to refill the whole burst). Returns {tokens in use, ms until full} when the
 * request fits, {burst + cost, ms until it would fit} when it does not; a refused request
 * spends nothing. Redis' TIME is the clock, so replicas with drifting clocks agree.
 */
const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local burst = tonumber(ARGV[3])
local interval = tonumber(ARGV[4]) * 1000 / burst
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local newTat = tat + cost * interval
local wait = newTat - burst * interval - now
if wait > 0 then return {burst + cost, math.ceil(wait)} end
local ttl = math.ceil(newTat - now)
redis.call('SET', KEYS[1], string.format('%.0f', math.ceil(newTat)), 'PX', ttl)
return {math.ceil((newTat - now) / interval - 1e-9), ttl}
`;

export class RateLimiter {
  private readonly limiter: RateLimiterRedis;
  /** Seconds the bucket takes to refill completely: the window its policy is stated in. */
  readonly windowS: number;

  constructor(
    redis: RedisClient,
    private readonly options: RateLimiterOptions,
  ) {
    this.windowS = (options.burst * 60) / options.perMinute;
    const keyPrefix = `${options.prefix}:rate`;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points: options.burst,
      duration: this.windowS,
      customIncrTtlLuaScript: GCRA_SCRIPT,
      // A client that is not connected fails over at once instead of waiting for the command to fail.
      rejectIfRedisNotReady: true,
      // Fixed windows of the same size per process: at most twice the burst around an edge, and
      // each API replica counts on its own while Redis is away.
      insuranceLimiter: options.whenRedisDown === 'memory' ? new RateLimiterMemory({ keyPrefix, points: options.burst, duration: Math.ceil(this.windowS) }) : undefined,
    });
  }

  /** The policy as the RateLimit-Policy header states it (draft-ietf-httpapi-ratelimit-headers). */
  get policy(): { quota: number; windowS: number } {
    // A whole number of seconds, rounded up: a client that keeps to it is never refused.
    return { quota: this.options.burst, windowS: Math.ceil(this.windowS) };
  }

  /**
   * Counts one request of this account. Throws TooManyRequestsError past the limit (carrying
   * Retry-After), UnavailableError when Redis is down and RATE_LIMIT_WHEN_REDIS_DOWN=refuse;
   * resolves with the key's state, or undefined when Redis is down and requests are let through.
   */
  async hit(account: string): Promise<RateLimitState | undefined> {
    try {
      return stateOf(await this.limiter.consume(account));
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const refused = new TooManyRequestsError(
          `Rate limit of ${this.options.perMinute} requests per minute (at most ${this.options.burst} at once) exceeded`,
          err.msBeforeNext / 1000,
        );
        Object.assign(refused.headers, this.headers({ remaining: 0, resetS: Math.ceil(err.msBeforeNext / 1000) }));
        throw refused;
      }
      if (this.options.whenRedisDown === 'allow') return undefined;
      throw new UnavailableError('The rate limiter is unavailable, please retry', { cause: err });
    }
  }

  /** RateLimit-Policy and RateLimit headers for a state (draft-ietf-httpapi-ratelimit-headers). */
  headers(state: RateLimitState): Record<string, string> {
    const { quota, windowS } = this.policy;
    return {
      'RateLimit-Policy': `"default";q=${quota};w=${windowS}`,
      RateLimit: `"default";r=${state.remaining};t=${state.resetS}`,
    };
  }
}

function stateOf(res: RateLimiterRes): RateLimitState {
  return { remaining: res.remainingPoints, resetS: Math.ceil(res.msBeforeNext / 1000) };
}
