import { readFragment } from '@pixelfarm/env';
import { apiConfig } from './api.config';

describe('API configuration', () => {
  it('has the documented defaults', () => {
    expect(readFragment(apiConfig, {}, undefined)).toEqual({
      port: 8080,
      metricsPort: 9464,
      publicUrl: 'http://localhost:8080',
      maxBodyBytes: 5 * 1024 * 1024,
      renderWaitMs: 30_000,
      imageWaitMs: 30_000,
      variantLockMs: 30_000,
      maxImageDimension: 5000,
      imageBatchMax: 25,
      batchMax: 10_000,
      batchPageSize: 100,
      dedupeDefaultS: 30 * 24 * 3600,
      rateLimit: undefined,
      imageAllowance: undefined,
      rateLimitWhenRedisDown: 'memory',
      managementRateLimit: { readsPerMinute: 100, writesPerMinute: 20 },
      madeApiKeys: { perAccount: 100, cacheMs: 5_000 },
      proxiesPerAccount: 25,
      og: { perAccount: 25, fetchTimeoutMs: 10_000, fetchMaxBytes: 1024 * 1024 },
      templates: { loopBudget: 100_000, maxTags: 1000, cacheEntries: 1000, cacheBytes: 32 * 1024 * 1024 },
      admin: undefined,
    });
  });

  it('builds its own URLs from PUBLIC_URL without a trailing slash', () => {
    expect(readFragment(apiConfig, { PUBLIC_URL: 'https://img.example/' }, undefined).publicUrl).toBe('https://img.example');
  });

  it('needs both dashboard credentials or neither, and a burst of one second to a minute of the rate', () => {
    expect(() => readFragment(apiConfig, { ADMIN_USER: 'ops' }, undefined)).toThrow('ADMIN_USER/ADMIN_PASSWORD: set both or neither');
    expect(readFragment(apiConfig, { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'long-enough-pass' }, undefined).admin).toEqual({ user: 'ops', password: 'long-enough-pass' });
    expect(() => readFragment(apiConfig, { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '9' }, undefined)).toThrow(/RATE_LIMIT_BURST: must be from 10/);
    expect(() => readFragment(apiConfig, { RATE_LIMIT_BURST: '9' }, undefined)).toThrow(/RATE_LIMIT_BURST: needs RATE_LIMIT_PER_MINUTE/);
  });
});
