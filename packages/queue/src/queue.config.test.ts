import { readFragment } from '@pixelfarm/env';
import { queueConfig } from '@pixelfarm/queue';

const context = { renderWaitMs: 30_000, renderTimeoutMs: 20_000 };

describe('queue configuration', () => {
  it('has the documented defaults', () => {
    expect(readFragment(queueConfig, {}, context)).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'pixelfarm',
      attempts: 3,
      lockDurationMs: 10_000,
      stalledIntervalMs: 2_000,
      maxStalledCount: 3,
      admission: {
        retryAfterS: 5,
        // An interactive ticket outlives the create's wait plus every attempt's budget and a lock expiry.
        lanes: { interactive: { maxPending: 1000, ticketTtlMs: 30_000 + 3 * (20_000 + 60_000) }, bulk: { maxPending: 100_000, ticketTtlMs: 7 * 24 * 3600 * 1000 } },
      },
      batchRetentionS: 7 * 24 * 3600,
      callbacks: { attempts: 8, backoffMs: 5_000 },
    });
  });

  it('derives the ticket lifetimes from the wait and the render budget it is given', () => {
    const c = readFragment(queueConfig, { JOB_ATTEMPTS: '1', QUEUE_MAX_PENDING: '7' }, { renderWaitMs: 1_000, renderTimeoutMs: 2_000 });
    expect(c.admission.lanes.interactive).toEqual({ maxPending: 7, ticketTtlMs: 1_000 + 62_000 });
  });

  it('refuses a bad REDIS_URL, and an untagged prefix under Redis Cluster', () => {
    expect(() => readFragment(queueConfig, { REDIS_URL: 'http://redis' }, context)).toThrow(/REDIS_URL: unsupported scheme http/);
    expect(() => readFragment(queueConfig, { REDIS_URL: 'redis-cluster://10.0.0.1:7000' }, context)).toThrow(/REDIS_PREFIX: under Redis Cluster/);
    expect(readFragment(queueConfig, { REDIS_URL: 'redis-cluster://10.0.0.1:7000', REDIS_PREFIX: '{pf}' }, context).prefix).toBe('{pf}');
  });
});
