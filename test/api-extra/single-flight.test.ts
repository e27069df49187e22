// SingleFlight makes the first requests for one variant produce it once across API processes.
// Two instances on one real Redis stand in for two processes; a client whose connection is
// closed stands in for Redis being away.
import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { UnavailableError } from '@pixelfarm/errors';
import { SingleFlight } from '../../apps/api/src/services/single-flight';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SingleFlight', () => {
  const redis = new IORedis(process.env.TEST_REDIS_URL!);
  const other = new IORedis(process.env.TEST_REDIS_URL!);
  const prefix = `test-${randomUUID()}`;

  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });

  /** A store both "processes" read and write: what a producer stored, lookups find. */
  const store = () => {
    const stored = new Map<string, string>();
    let produced = 0;
    return {
      produced: () => produced,
      lookup: (key: string) => async () => stored.get(key) ?? null,
      produce: (key: string, ms = 100) => async () => {
        produced++;
        await sleep(ms);
        stored.set(key, `variant of ${key}`);
        return `variant of ${key}`;
      },
    };
  };

  it('runs one producer for concurrent misses in two processes; everyone gets its result', async () => {
    const a = new SingleFlight(redis, { prefix, lockMs: 5000, pollMs: 10 });
    const b = new SingleFlight(other, { prefix, lockMs: 5000, pollMs: 10 });
    const s = store();
    const key = randomUUID();
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => a.run(key, s.lookup(key), s.produce(key))),
      ...Array.from({ length: 5 }, () => b.run(key, s.lookup(key), s.produce(key))),
    ]);
    expect(results).toEqual(Array(10).fill(`variant of ${key}`));
    expect(s.produced()).toBe(1);
    // The lock is released after the flight, and another key flies on its own.
    expect(await redis.exists(`${prefix}:flight:${key}`)).toBe(0);
    const key2 = randomUUID();
    await a.run(key2, s.lookup(key2), s.produce(key2, 0));
    expect(s.produced()).toBe(2);
  });

  it('produces after a crashed producer’s lock expires, when nothing was stored', async () => {
    const a = new SingleFlight(redis, { prefix, lockMs: 300, pollMs: 10 });
    const s = store();
    const key = randomUUID();
    await other.set(`${prefix}:flight:${key}`, 'crashed-producer', 'PX', 300); // held, never released
    const started = Date.now();
    expect(await a.run(key, s.lookup(key), s.produce(key, 0))).toBe(`variant of ${key}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // it waited for the lock to expire
    expect(s.produced()).toBe(1);
  });

  it('answers 503 (Unavailable) when the lock outlives twice its time', async () => {
    const a = new SingleFlight(redis, { prefix, lockMs: 100, pollMs: 10 });
    const s = store();
    const key = randomUUID();
    await other.set(`${prefix}:flight:${key}`, 'stuck', 'PX', 5000);
    await expect(a.run(key, s.lookup(key), s.produce(key, 0))).rejects.toBeInstanceOf(UnavailableError);
    expect(s.produced()).toBe(0);
    await other.del(`${prefix}:flight:${key}`);
  });

  it('does not delete a lock that expired and is someone else’s now', async () => {
    const a = new SingleFlight(redis, { prefix, lockMs: 100, pollMs: 10 });
    const key = randomUUID();
    const lock = `${prefix}:flight:${key}`;
    const produced = a.run(key, async () => null, async () => {
      await sleep(200); // outlives its lock
      await other.set(lock, 'next-producer', 'PX', 5000); // which another process then takes
      return 'late';
    });
    expect(await produced).toBe('late');
    expect(await other.get(lock)).toBe('next-producer');
    await other.del(lock);
  });

  it('produces anyway when Redis is away (a duplicate transform is the lesser evil)', async () => {
    // A client whose connection is closed: every command fails at once, as with Redis gone.
    const away = new IORedis(process.env.TEST_REDIS_URL!);
    await away.quit();
    const a = new SingleFlight(away, { prefix, lockMs: 1000, pollMs: 10 });
    const s = store();
    const key = randomUUID();
    await expect(away.set('probe', '1')).rejects.toThrow(); // the control: Redis is unusable
    expect(await a.run(key, s.lookup(key), s.produce(key, 0))).toBe(`variant of ${key}`);
    expect(s.produced()).toBe(1);
  });
});
