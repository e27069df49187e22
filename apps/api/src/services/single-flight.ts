// Makes concurrent first requests for one variant produce it once, across every API process:
// requests in one process share a promise; across processes a short Redis lock (SET NX PX)
// elects one producer while the others wait for the lock to go and then read what it stored.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@pixelfarm/queue';
import { UnavailableError } from '@pixelfarm/errors';

export interface SingleFlightOptions {
  prefix: string;
  /** How long a producer may hold the lock; a crashed producer's lock expires after it. */
  lockMs: number;
  /** How often waiters look whether the lock is gone. Default 25 ms. */
  pollMs?: number;
}

// Deletes the lock only if this producer still holds it (an expired lock may be someone else's now).
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly options: SingleFlightOptions,
  ) {}

  /**
   * For a miss the caller has just seen: the result of `produce`, run once per key cluster-wide,
   * or what `lookup` finds once another producer has stored it.
   */
  run<T>(key: string, lookup: () => Promise<T | null>, produce: () => Promise<T>): Promise<T> {
    const shared = this.inFlight.get(key) as Promise<T> | undefined;
    if (shared) return shared;
    const flight = this.fly(key, lookup, produce).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, flight);
    return flight;
  }

  private async fly<T>(key: string, lookup: () => Promise<T | null>, produce: () => Promise<T>): Promise<T> {
    const lock = `${this.options.prefix}:flight:${key}`;
    const deadline = Date.now() + 2 * this.options.lockMs;
    for (;;) {
      const token = randomUUID();
      const acquired = await this.acquire(lock, token);
      if (acquired !== false) {
        try {
          // Another process may have stored it between the caller's lookup and this lock.
          return (await lookup()) ?? (await produce());
        } finally {
          if (acquired === true) await this.redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
        }
      }
      await this.awaitRelease(lock, deadline);
      const found = await lookup();
      if (found) return found;
    }
  }

  /** true: locked; false: someone else holds it; 'unlocked': Redis is away, produce anyway. */
  private async acquire(lock: string, token: string): Promise<boolean | 'unlocked'> {
    try {
      return (await this.redis.set(lock, token, 'PX', this.options.lockMs, 'NX')) === 'OK';
    } catch {
      // Without Redis a duplicate transform is the lesser evil: the variant is the same either way.
      return 'unlocked';
    }
  }

  private async awaitRelease(lock: string, deadline: number): Promise<void> {
    const poll = this.options.pollMs ?? 25;
    for (;;) {
      if (Date.now() > deadline) throw new UnavailableError('The image is still being prepared, please retry');
      await new Promise((r) => setTimeout(r, poll));
      const held = await this.redis.exists(lock).catch(() => 0);
      if (!held) return;
    }
  }
}
