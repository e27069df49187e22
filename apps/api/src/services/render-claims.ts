// Who records a content-addressed image: two first requests for the same signed URL arrive
// together, and only one of them may write its record and listing entry (SET NX with a TTL).
import type { RedisClient } from '@pixelfarm/queue';

export interface RenderClaimsOptions {
  prefix: string;
  /** How long a claim holds; longer than a render wait so a slow render is not claimed twice. */
  ttlMs: number;
}

export class RenderClaims {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: RenderClaimsOptions,
  ) {}

  /** True for the first caller for this id until the claim expires or is released. */
  async claim(id: string): Promise<boolean> {
    return (await this.redis.set(`${this.options.prefix}:claim:${id}`, '1', 'PX', this.options.ttlMs, 'NX')) === 'OK';
  }

  async release(id: string): Promise<void> {
    await this.redis.del(`${this.options.prefix}:claim:${id}`).catch(() => undefined);
  }
}
