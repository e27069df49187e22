// Duplicate detection: the content hash of a create points at the image it produced, for the
// create's dedupe window. It is a cache in Redis: losing it only means rendering again.
import type { RedisClient } from './redis-connection';

export interface DedupeCacheOptions {
  prefix: string;
}

export class DedupeCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: DedupeCacheOptions,
  ) {}

  private key(account: string, hash: string): string {
    return `${this.options.prefix}:dedupe:${account}:${hash}`;
  }

  /** The image id an identical create produced within its window, if any. Redis errors are misses. */
  async lookup(account: string, hash: string): Promise<string | null> {
    return this.redis.get(this.key(account, hash)).catch(() => null);
  }

  /** Remembers the image for `ttlSeconds`; best effort (the image exists either way). */
  async remember(account: string, hash: string, id: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    await this.redis.set(this.key(account, hash), id, 'EX', ttlSeconds).catch(() => undefined);
  }
}
