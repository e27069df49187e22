// The environment a test process runs with: the shared test Redis under a private prefix,
// a temporary storage directory, quiet logs, any free ports.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEST_KEYS = { id: 'tester', key: 'tester-secret-key', otherId: 'other', otherKey: 'other-secret-key' };

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const redis = process.env.TEST_REDIS_URL;
  if (!redis) throw new Error('TEST_REDIS_URL is unset: run through jest (global setup starts Redis)');
  return {
    REDIS_URL: redis,
    REDIS_PREFIX: `test-${randomUUID()}`,
    STORAGE_DIR: fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'storage-')),
    API_KEYS: `${TEST_KEYS.id}:${TEST_KEYS.key},${TEST_KEYS.otherId}:${TEST_KEYS.otherKey}`,
    PORT: '0',
    WORKER_PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: '2',
    ...overrides,
  };
}

export function basicAuth(id = TEST_KEYS.id, key = TEST_KEYS.key): string {
  return `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;
}
