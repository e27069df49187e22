// The per-key rate limit: a token bucket in the shared Redis, stated in RateLimit-Policy /
// RateLimit headers, with no burst of twice the limit around a window's edge (the fixed
// one-minute window allowed it), and a documented behaviour while Redis is down
// (RATE_LIMIT_WHEN_REDIS_DOWN): memory by default, never everything through unless asked.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import IORedis from 'ioredis';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { TooManyRequestsError, UnavailableError } from '@pixelfarm/errors';
import { redisOptions } from '@pixelfarm/queue';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { RateLimiter, type RateLimiterOptions } from '../../apps/api/src/services/rate-limiter';
import { freePort } from '../support/ports';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/local-redis.cjs') as { startRedis(o: { port: number }): Promise<ChildProcess> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `n` requests of one key back to back; returns how many were let through. */
async function burst(limiter: RateLimiter, account: string, n: number): Promise<number> {
  let passed = 0;
  for (let i = 0; i < n; i++) {
    try {
      await limiter.hit(account);
      passed++;
    } catch (err) {
      if (!(err instanceof TooManyRequestsError)) throw err;
    }
  }
  return passed;
}

describe('rate limit on the shared Redis', () => {
  const redis = new IORedis(redisOptions(process.env.TEST_REDIS_URL!, 'producer'));
  const limiter = (options: Partial<RateLimiterOptions> = {}) =>
    new RateLimiter(redis, { prefix: `test-${randomUUID()}`, perMinute: 120, burst: 4, whenRedisDown: 'refuse', ...options });

  // rejectIfRedisNotReady: a limiter asked before the connection is up would count in memory.
  beforeAll(() => (redis.status === 'ready' ? undefined : new Promise((resolve) => redis.once('ready', resolve))));
  afterAll(() => redis.quit());

  it('lets a full bucket through at once, then refuses with Retry-After and the RateLimit headers', async () => {
    const rl = limiter();
    const states = [];
    for (let i = 0; i < 4; i++) states.push(await rl.hit('acc'));
    expect(states.map((s) => s!.remaining)).toEqual([3, 2, 1, 0]);
    // 2 per second: each spent token takes 0.5 s to come back, the whole bucket 2 s.
    expect(rl.headers(states[3]!)).toEqual({ 'RateLimit-Policy': '"default";q=4;w=2', RateLimit: '"default";r=0;t=2' });
    const refused = await rl.hit('acc').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).message).toBe('Rate limit of 120 requests per minute (at most 4 at once) exceeded');
    expect((refused as TooManyRequestsError).headers).toEqual({
      'Retry-After': '1',
      'RateLimit-Policy': '"default";q=4;w=2',
      RateLimit: '"default";r=0;t=1',
    });
    // Another key has its own bucket.
    expect(await burst(rl, 'other', 5)).toBe(4);
  });

  it('refills at the per-minute rate, and a refused request spends nothing', async () => {
    const rl = limiter();
    expect(await burst(rl, 'acc', 10)).toBe(4);
    await sleep(600);
    // One token back after 0.5 s (the six refused requests above did not push it further away).
    expect(await burst(rl, 'acc', 3)).toBe(1);
  });

  it('never lets twice the burst through around what used to be a window edge', async () => {
    // The attack on a fixed window: spend a little, wait until just before the window ends, then
    // send everything just before and just after the edge. A fixed window of 4 per 2 s let 3 + 4
    // through within 0.2 s; the bucket lets at most 4 (plus what 0.2 s refills).
    const rl = limiter();
    expect(await burst(rl, 'acc', 1)).toBe(1);
    await sleep(1900);
    const before = await burst(rl, 'acc', 10);
    await sleep(200);
    const after = await burst(rl, 'acc', 10);
    expect(before).toBe(4);
    expect(before + after).toBeLessThanOrEqual(5);
  });

  it('is one bucket for every replica sharing the Redis', async () => {
    const prefix = `test-${randomUUID()}`;
    const a = limiter({ prefix });
    const b = new RateLimiter(redis, { prefix, perMinute: 120, burst: 4, whenRedisDown: 'refuse' });
    expect((await burst(a, 'acc', 2)) + (await burst(b, 'acc', 2)) + (await burst(a, 'acc', 2))).toBe(4);
  });
});

describe('rate limit while Redis is down', () => {
  let port: number;
  let dead: IORedis;

  beforeAll(async () => {
    port = await freePort();
    // Nothing listens there: every command fails at once, as on a producer connection to a dead Redis.
    dead = new IORedis(redisOptions(`redis://127.0.0.1:${port}`, 'producer'));
    dead.on('error', () => {});
  });
  afterAll(() => dead.disconnect());

  const limiter = (whenRedisDown: RateLimiterOptions['whenRedisDown']) =>
    new RateLimiter(dead, { prefix: 'down', perMinute: 120, burst: 4, whenRedisDown });

  it('memory (the default): counts in the process with the same bucket size', async () => {
    const rl = limiter('memory');
    expect(await burst(rl, 'acc', 10)).toBe(4);
    const refused = await rl.hit('acc').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).headers['Retry-After']).toMatch(/^[12]$/);
  });

  it('allow: lets every request through, without RateLimit headers', async () => {
    const rl = limiter('allow');
    expect(await burst(rl, 'acc', 10)).toBe(10);
    expect(await rl.hit('acc')).toBeUndefined();
  });

  it('refuse: 503, which clients retry', async () => {
    const err = await limiter('refuse').hit('acc').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe('The rate limiter is unavailable, please retry');
  });
});

describe('rate limit over HTTP', () => {
  let redisServer: ChildProcess | undefined;
  let api: ApiApp | undefined;

  afterEach(async () => {
    await api?.close();
    if (redisServer && redisServer.exitCode === null) {
      await new Promise((r) => {
        redisServer!.once('exit', r);
        redisServer!.kill('SIGTERM');
      });
    }
  });

  const list = (key = TEST_KEYS) => request(api!.handler).get('/v1/images').set('Authorization', basicAuth(key.id, key.key));

  it('states the policy on every authenticated answer, refuses past it, and keeps counting in memory while Redis is away', async () => {
    const port = await freePort();
    redisServer = await startRedis({ port });
    api = createApiApp(loadConfig(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '3' })), createLogger('t', 'silent'));
    await api.ready();

    const first = await list();
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"default";q=3;w=3');
    expect(first.headers.ratelimit).toBe('"default";r=2;t=1');
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    const limited = await list();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'Too Many Requests', statusCode: 429, message: 'Rate limit of 60 requests per minute (at most 3 at once) exceeded' });
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers.ratelimit).toBe('"default";r=0;t=1');
    // Image GETs need no key and are not limited.
    expect((await request(api.handler).get('/v1/image/0193c1c0-0000-7000-8000-000000000000')).status).toBe(404);

    // Redis goes away: listing reads object storage only, so it still answers, limited in memory.
    await new Promise((r) => {
      redisServer!.once('exit', r);
      redisServer!.kill('SIGTERM');
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await list({ ...TEST_KEYS, id: TEST_KEYS.otherId, key: TEST_KEYS.otherKey })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
