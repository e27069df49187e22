// Admission control: a cap on renders admitted but not finished, per lane, shared by every
// API replica through one Redis sorted set. The check and the admission are one Lua script,
// so two replicas can never both take the last slot. Above the cap a create is refused at
// once (429 + Retry-After) instead of queueing forever.
import type { Redis } from 'ioredis';
import { TooManyRequestsError, UnavailableError } from '@pixelfarm/errors';
import type { Lane } from '@pixelfarm/queue';

// KEYS[1] = lane set; ARGV = now, ticket ttl, cap, ticket id.
// Tickets older than their ttl belong to an API that died mid-wait: they are dropped first.
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export interface AdmissionOptions {
  prefix: string;
  /** Pending renders allowed per lane. */
  maxPending: number;
  /** Seconds a refused client is told to wait. */
  retryAfterS: number;
  /** How long a ticket may live before it is presumed abandoned (longer than a render wait). */
  ticketTtlMs: number;
}

export class AdmissionControl {
  constructor(
    private readonly redis: Redis,
    private readonly options: AdmissionOptions,
  ) {}

  private key(lane: Lane): string {
    return `${this.options.prefix}:admission:${lane}`;
  }

  /** Takes `count` slots for these ids at once, or throws 429 taking none. */
  async admit(lane: Lane, ids: readonly string[]): Promise<void> {
    const taken: string[] = [];
    try {
      for (const id of ids) {
        const ok = await this.redis.eval(ADMIT, 1, this.key(lane), Date.now(), this.options.ticketTtlMs, this.options.maxPending, id);
        if (ok !== 1) {
          throw new TooManyRequestsError(
            'The render queue is full, please retry later',
            this.options.retryAfterS,
          );
        }
        taken.push(id);
      }
    } catch (err) {
      if (taken.length > 0) await this.release(lane, taken).catch(() => undefined);
      if (err instanceof TooManyRequestsError) throw err;
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
  }

  async release(lane: Lane, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.zrem(this.key(lane), ...ids);
  }

  async pending(lane: Lane): Promise<number> {
    return this.redis.zcard(this.key(lane));
  }
}
