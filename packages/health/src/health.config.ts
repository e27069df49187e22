// The health package's configuration: how long readiness reuses its last answer.
import { defineFragment, int } from '@pixelfarm/env';

export interface HealthConfig {
  /** How long /readyz reuses its last result, in ms. */
  cacheMs: number;
}

export const healthConfig = defineFragment({
  env: {
    /** How long /readyz reuses its last result, so frequent probes do not hammer Redis. Default 2000 ms. */
    READINESS_CACHE_MS: int(2000, 0, 60_000),
  },
  build: (e): HealthConfig => ({ cacheMs: e.READINESS_CACHE_MS }),
});
