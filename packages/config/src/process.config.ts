// Settings of either process, owned by no domain package: the environment name, the address the
// HTTP servers bind to, logging, the shutdown deadline and the accounts' API keys.
import { z } from 'zod';
import { defineFragment, int } from '@pixelfarm/env';
import { parseApiKeys, type ApiKey } from './api-keys';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The development pair used when API_KEYS is unset; printed at start so nobody runs it unknowingly. */
export const DEV_API_KEY: ApiKey = { id: 'dev', key: 'dev-secret-change-me' };

export interface ProcessConfig {
  env: string;
  /** Address the HTTP servers bind to. */
  host: string;
  logLevel: LogLevel;
  /** Deadline for a graceful shutdown before the process exits anyway. */
  shutdownTimeoutMs: number;
  apiKeys: readonly ApiKey[];
  /** True when API_KEYS was unset and the development pair is in use. */
  usingDevKey: boolean;
}

export const processConfig = defineFragment({
  env: {
    NODE_ENV: z.string().default('development'),
    /** Address the HTTP servers bind to. Default all interfaces. */
    HOST: z.string().default('0.0.0.0'),
    API_KEYS: z.string().optional(),
    /** Deadline for a graceful shutdown before the process exits anyway. Default 25 s. */
    SHUTDOWN_TIMEOUT_MS: int(25_000, 1_000, 600_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  },
  build(e, _context: undefined, problems): ProcessConfig {
    let apiKeys: ApiKey[] = [DEV_API_KEY];
    if (e.API_KEYS) {
      try {
        apiKeys = parseApiKeys(e.API_KEYS);
      } catch (err) {
        problems.push(`API_KEYS: ${(err as Error).message}`);
      }
    }
    return { env: e.NODE_ENV, host: e.HOST, logLevel: e.LOG_LEVEL, shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS, apiKeys, usingDevKey: !e.API_KEYS };
  },
});
