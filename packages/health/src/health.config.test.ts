import { readFragment } from '@pixelfarm/env';
import { healthConfig } from '@pixelfarm/health';

describe('health configuration', () => {
  it('reuses a readiness answer for 2 s by default, at most a minute, and gives a check 2 s', () => {
    expect(readFragment(healthConfig, {}, undefined)).toEqual({ cacheMs: 2000, checkTimeoutMs: 2000 });
    expect(readFragment(healthConfig, { READINESS_CACHE_MS: '0', READINESS_CHECK_TIMEOUT_MS: '500' }, undefined)).toEqual({ cacheMs: 0, checkTimeoutMs: 500 });
    expect(() => readFragment(healthConfig, { READINESS_CHECK_TIMEOUT_MS: '50' }, undefined)).toThrow(/READINESS_CHECK_TIMEOUT_MS/);
    expect(() => readFragment(healthConfig, { READINESS_CACHE_MS: '60001' }, undefined)).toThrow(/READINESS_CACHE_MS/);
  });
});
