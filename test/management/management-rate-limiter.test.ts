// The management rate limit's window slides (hcti: "a sliding 60-second window"): a request
// frees its place exactly one window after it was admitted, not at a minute's edge. Real Redis,
// the limiter's own script, a one-second window so that the test is quick.
import { randomUUID } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@pixelfarm/queue';
import { TooManyRequestsError } from '@pixelfarm/errors';
import { ManagementRateLimiter } from '../../apps/api/src/services/management-rate-limiter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('management rate limiter: a sliding window in Redis', () => {
  let redis: RedisClient;

  beforeAll(async () => {
    redis = createRedisClient(process.env.TEST_REDIS_URL!, 'producer');
    // The API's client fails fast instead of queueing: wait until it is connected.
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(() => redis?.quit());

  it('frees each request’s place one window after it, and refuses in between with the wait', async () => {
    const limiter = new ManagementRateLimiter(redis, { prefix: `test-${randomUUID()}`, whenRedisDown: 'refuse', readsPerMinute: 2, writesPerMinute: 1, windowMs: 1000 });
    const started = Date.now();
    expect((await limiter.hit('acct', 'proxy:read')).RateLimit).toBe('"proxy:read";r=1');
    await sleep(500);
    expect((await limiter.hit('acct', 'proxy:read')).RateLimit).toBe('"proxy:read";r=0');
    const refused = await limiter.hit('acct', 'proxy:read').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    // The first request leaves the window about 1 s after it came: Retry-After rounds that up.
    expect((refused as TooManyRequestsError).headers['Retry-After']).toBe('1');
    // Just after the first request's second, one place is free again (a fixed window would still refuse,
    // or free both); the second request still holds the other.
    await sleep(Math.max(0, started + 1100 - Date.now()));
    expect((await limiter.hit('acct', 'proxy:read')).RateLimit).toBe('"proxy:read";r=0');
    expect(await limiter.hit('acct', 'proxy:read').catch((e: unknown) => e)).toBeInstanceOf(TooManyRequestsError);
    // Groups and accounts count apart; write groups have their own limit.
    expect((await limiter.hit('acct', 'proxy:write')).RateLimit).toBe('"proxy:write";r=0');
    expect((await limiter.hit('other', 'proxy:read')).RateLimit).toBe('"proxy:read";r=1');
  });
});
