import { readFragment } from '@pixelfarm/env';
import { queueConfig } from '@pixelfarm/queue';

const context = { renderWaitMs: 30_000, renderTimeoutMs: 20_000 };

describe('queue configuration', () => {
  it('has the documented defaults', () => {
    expect(readFragment(queueConfig, {}, context)).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'pixelfarm',
      attempts: 3,
      backoffMs: 500,
      lockDurationMs: 10_000,
      stalledIntervalMs: 2_000,
      maxStalledCount: 3,
      admission: {
        retryAfterS: 5,
        // An interactive ticket outlives the create's wait plus every attempt's budget and a lock
        // expiry, and the two retries' backoff (500 ms, then 1 s).
        lanes: { interactive: { maxPending: 1000, ticketTtlMs: 30_000 + 3 * (20_000 + 60_000) + 1_500 }, bulk: { maxPending: 100_000, ticketTtlMs: 7 * 24 * 3600 * 1000 } },
      },
      batchRetentionS: 7 * 24 * 3600,
      callbacks: { attempts: 8, backoffMs: 5_000 },
    });
  });

  it('derives the ticket lifetimes from the wait and the render budget it is given', () => {
    const c = readFragment(queueConfig, { JOB_ATTEMPTS: '1', QUEUE_MAX_PENDING: '7' }, { renderWaitMs: 1_000, renderTimeoutMs: 2_000 });
    expect(c.admission.lanes.interactive).toEqual({ maxPending: 7, ticketTtlMs: 1_000 + 62_000 });
    // Three attempts, a first retry after 2 s: the ticket covers 2 s + 4 s of backoff.
    const slow = readFragment(queueConfig, { JOB_BACKOFF_MS: '2000' }, { renderWaitMs: 1_000, renderTimeoutMs: 2_000 });
    expect([slow.backoffMs, slow.admission.lanes.interactive.ticketTtlMs]).toEqual([2_000, 1_000 + 3 * 62_000 + 6_000]);
    expect(() => readFragment(queueConfig, { JOB_BACKOFF_MS: '60001' }, { renderWaitMs: 1_000, renderTimeoutMs: 2_000 })).toThrow(/JOB_BACKOFF_MS/);
  });

  it('refuses a bad REDIS_URL, and an untagged prefix under Redis Cluster', () => {
    expect(() => readFragment(queueConfig, { REDIS_URL: 'http://redis' }, context)).toThrow(/REDIS_URL: unsupported scheme http/);
    expect(() => readFragment(queueConfig, { REDIS_URL: 'redis-cluster://10.0.0.1:7000' }, context)).toThrow(/REDIS_PREFIX: under Redis Cluster/);
    expect(readFragment(queueConfig, { REDIS_URL: 'redis-cluster://10.0.0.1:7000', REDIS_PREFIX: '{pf}' }, context).prefix).toBe('{pf}');
  });
});
