// Requests per account and management operation group (hcti's rate limits: `proxy:read` 100 a
// minute, `proxy:write` 20, and so for API keys, storage destinations and OG configurations),
// over a sliding 60-second window shared by every API replica: a sorted set per account and
// group in Redis holds the times of the requests admitted in the last window, trimmed and counted
// in one script on Redis' clock. A refused request is not recorded. While Redis cannot be asked,
// RATE_LIMIT_WHEN_REDIS_DOWN decides, as for the per-key limit: a window in this process, every
// request through, or 503.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@pixelfarm/queue';
import { TooManyRequestsError, UnavailableError } from '@pixelfarm/errors';

export interface ManagementRateLimits {
  /** Requests a minute of each read group (MANAGEMENT_READS_PER_MINUTE). */
  readsPerMinute: number;
  /** Requests a minute of each write group (MANAGEMENT_WRITES_PER_MINUTE). */
  writesPerMinute: number;
}

export interface ManagementRateLimiterOptions extends ManagementRateLimits {
  /** Redis key prefix of the deployment. */
  prefix: string;
  whenRedisDown: 'memory' | 'allow' | 'refuse';
  /** The sliding window, hcti's 60 s; shorter only in tests of the window itself. */
  windowMs?: number;
}

const WINDOW_MS = 60_000;

/**
 * KEYS[1] the group's set; ARGV window ms, limit, a unique member. Returns {1, remaining} when the
 * request is admitted, {0, ms until the oldest request leaves the window} when it is not.
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, limit - n - 1}
`;

export class ManagementRateLimiter {
  /** The process' own windows, used only while Redis is away and whenRedisDown is memory. */
  private readonly local = new Map<string, number[]>();

  private readonly windowMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ManagementRateLimiterOptions,
  ) {
    this.windowMs = options.windowMs ?? WINDOW_MS;
  }

  limitOf(group: string): number {
    return group.endsWith(':read') ? this.options.readsPerMinute : this.options.writesPerMinute;
  }

  /**
   * Counts one request of the account in the group and returns the RateLimit headers; throws
   * TooManyRequestsError (hcti's message naming the group, Retry-After) when the window is full,
   * UnavailableError when Redis is down and requests are refused then.
   */
  async hit(account: string, group: string): Promise<Record<string, string>> {
    const limit = this.limitOf(group);
    let admitted: boolean;
    let value: number;
    try {
      const key = `${this.options.prefix}:mgmt-rate:${account}:${group}`;
      [admitted, value] = toReply(await this.redis.eval(SLIDING_WINDOW, 1, key, this.windowMs, limit, randomUUID()));
    } catch (err) {
      if (this.options.whenRedisDown === 'allow') return this.headers(group);
      if (this.options.whenRedisDown === 'refuse') throw new UnavailableError('The rate limiter is unavailable, please retry', { cause: err });
      [admitted, value] = this.hitLocally(`${account}\n${group}`, limit);
    }
    if (admitted) return this.headers(group, value);
    const refused = new TooManyRequestsError(
      `Rate limit exceeded. The ${group} operation group allows ${limit} requests per minute per organization.`,
      value / 1000,
    );
    Object.assign(refused.headers, this.headers(group, 0));
    throw refused;
  }

  /** hcti's headers: the group's quota and window, and what remains of it when known. */
  headers(group: string, remaining?: number): Record<string, string> {
    const headers: Record<string, string> = { 'RateLimit-Policy': `"${group}";q=${this.limitOf(group)};w=${Math.ceil(this.windowMs / 1000)}` };
    if (remaining !== undefined) headers.RateLimit = `"${group}";r=${remaining}`;
    return headers;
  }

  private hitLocally(key: string, limit: number): [boolean, number] {
    const now = Date.now();
    const times = (this.local.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.local.set(key, times);
    if (times.length >= limit) return [false, Math.max(1, times[0]! + this.windowMs - now)];
    times.push(now);
    return [true, limit - times.length];
  }
}

function toReply(reply: unknown): [boolean, number] {
  const [admitted, value] = reply as [number, number];
  return [admitted === 1, Number(value)];
}
