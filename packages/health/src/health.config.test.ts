import { readFragment } from '@pixelfarm/env';
import { healthConfig } from '@pixelfarm/health';

describe('health configuration', () => {
  it('reuses a readiness answer for 2 s by default, at most a minute', () => {
    expect(readFragment(healthConfig, {}, undefined)).toEqual({ cacheMs: 2000 });
    expect(readFragment(healthConfig, { READINESS_CACHE_MS: '0' }, undefined)).toEqual({ cacheMs: 0 });
    expect(() => readFragment(healthConfig, { READINESS_CACHE_MS: '60001' }, undefined)).toThrow(/READINESS_CACHE_MS/);
  });
});
