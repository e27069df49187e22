// Per-API-key request rate, shared by every API replica: a fixed one-minute window counter in
// Redis (INCR + PEXPIRE in one MULTI). Over the limit: 429 with the seconds left in the window.
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '@pixelfarm/errors';

export interface RateLimiterOptions {
  prefix: string;
  perMinute: number;
}

const WINDOW_MS = 60_000;

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimiterOptions,
  ) {}

  /** Counts one request of this account; throws TooManyRequestsError past the limit. */
  async hit(account: string): Promise<void> {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.options.prefix}:rate:${account}:${window}`;
    const res = await this.redis.multi().incr(key).pexpire(key, WINDOW_MS).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count > this.options.perMinute) {
      const retryAfter = ((window + 1) * WINDOW_MS - now) / 1000;
      throw new TooManyRequestsError(`Rate limit of ${this.options.perMinute} requests per minute exceeded`, retryAfter);
    }
  }
}
