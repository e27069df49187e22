// The health package's configuration: how long readiness reuses its last answer, and how long
// one of its checks may take.
import { defineFragment, int } from '@pixelfarm/env';

export interface HealthConfig {
  /** How long /readyz reuses its last result, in ms. */
  cacheMs: number;
  /** Longest one readiness check (a Redis ping, a storage probe) may take before it counts as down, in ms. */
  checkTimeoutMs: number;
}

export const healthConfig = defineFragment({
  env: {
    /** How long /readyz reuses its last result, so frequent probes do not hammer Redis. Default 2000 ms. */
    READINESS_CACHE_MS: int(2000, 0, 60_000),
    /**
     * Longest one readiness check may take before it counts as down. Kept under the probe's own
     * timeout (3 s in k8s/base), so a hung Redis reads as down in /readyz's answer rather than as
     * a probe that never answered. Default 2000 ms.
     */
    READINESS_CHECK_TIMEOUT_MS: int(2000, 100, 60_000),
  },
  build: (e): HealthConfig => ({ cacheMs: e.READINESS_CACHE_MS, checkTimeoutMs: e.READINESS_CHECK_TIMEOUT_MS }),
});
