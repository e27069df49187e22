// The API and a worker built from their composition roots in this process (real Redis,
// Chromium and storage), for tests that talk to the API with supertest.
import { createLogger, loadConfig, type Config } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { testEnv } from './test-env';

export interface InProcessStack {
  /** The configuration both were built from (another API process can share it). */
  config: Readonly<Config>;
  api: ApiApp;
  worker: WorkerApp;
  /** The worker's health and metrics port. */
  workerPort: number;
  close(): Promise<void>;
}

export async function startInProcessStack(overrides: Record<string, string> = {}): Promise<InProcessStack> {
  const config = loadConfig(testEnv(overrides));
  const logger = createLogger('test', 'silent');
  const api = createApiApp(config, logger);
  const worker = createWorkerApp(config, logger);
  await api.ready();
  const workerPort = await worker.start();
  return {
    config,
    api,
    worker,
    workerPort,
    async close() {
      await worker.close();
      await api.close();
    },
  };
}
