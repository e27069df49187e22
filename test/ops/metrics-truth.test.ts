// Metrics that alerts and autoscalers act on must say what is true: a render that fails all its
// attempts is one failed job (not one per attempt), and the queue depth disappears while Redis
// cannot be read (with pixelfarm_queue_up saying so) instead of repeating its last values.
// Real Redis, Chromium and storage, the apps built from their composition roots.
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { basicAuth, testEnv } from '../support/test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/local-redis.cjs') as { startRedis(o: { port: number }): Promise<ChildProcess> };

const logger = createLogger('test', 'silent');
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(series.replace(/\}$/, ',')));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

describe('render outcomes on a worker whose store refuses every write', () => {
  let api: ApiApp;
  let worker: WorkerApp;

  beforeAll(async () => {
    const env = testEnv({ JOB_ATTEMPTS: '3', RENDER_WAIT_MS: '20000' });
    api = createApiApp(loadConfig(env), logger);
    await api.ready();
    // The worker's storage directory is a file: every put fails (ENOTDIR), a transient fault
    // that is retried with backoff until the job's attempts run out.
    const blocked = path.join(env.STORAGE_DIR!, 'not-a-directory');
    fs.writeFileSync(blocked, '');
    worker = createWorkerApp(loadConfig({ ...env, STORAGE_DIR: blocked }), logger);
    await worker.start();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('counts a job that failed every attempt once, its retried attempts apart, and a rejected input once', async () => {
    const create = (html: string) => request(api.handler).post('/v1/image').set('Authorization', basicAuth()).send({ html, device_scale: 1 });

    const failed = await create('<div style="width:10px;height:10px;background:red"></div>');
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ statusCode: 503, message: 'The render failed, please retry' });
    // The worker counts in its 'failed' listener, which runs after the job is marked failed in
    // Redis: the API can answer the create before that, so the count is awaited, not read at once.
    const settled = (series: string) => eventually(() => worker.registry.metrics(), (t) => sample(t, series) !== undefined, 5_000, 20);
    let text = await settled('pixelfarm_render_jobs_total{outcome="failed"}');
    expect(sample(text, 'pixelfarm_render_jobs_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'pixelfarm_render_retries_total{app="worker"}')).toBe(2);

    const rejected = await create('<div>x</div><script>window.close()</script>');
    expect(rejected.status).toBe(400);
    expect(rejected.body.message).toBe('The page closed itself (window.close()) before it could be captured');
    text = await settled('pixelfarm_render_jobs_total{outcome="rejected"}');
    expect(sample(text, 'pixelfarm_render_jobs_total{outcome="rejected"}')).toBe(1);
    expect(sample(text, 'pixelfarm_render_jobs_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'pixelfarm_render_retries_total{app="worker"}')).toBe(2);
  });
});

describe('queue depth while Redis is away', () => {
  let redis: ChildProcess | undefined;
  let api: ApiApp | undefined;

  afterAll(async () => {
    await api?.close();
    redis?.kill('SIGKILL');
  });

  it('is absent, not frozen, and pixelfarm_queue_up says why; both come back with Redis', async () => {
    const port = await freePort();
    redis = await startRedis({ port });
    api = createApiApp(loadConfig(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}` })), logger);
    await api.ready();
    const scrape = async () => (await request(api!.metricsHandler).get('/metrics')).text;

    let text = await scrape();
    expect(sample(text, 'pixelfarm_queue_jobs{queue="render-v1",state="waiting"}')).toBe(0);
    expect(sample(text, 'pixelfarm_queue_up{queue="render-v1"}')).toBe(1);

    await new Promise((resolve) => {
      redis!.once('exit', resolve);
      redis!.kill('SIGKILL');
    });
    text = await scrape();
    expect(text).not.toMatch(/^pixelfarm_queue_jobs\{/m);
    expect(sample(text, 'pixelfarm_queue_up{queue="render-v1"}')).toBe(0);

    redis = await startRedis({ port });
    const deadline = Date.now() + 15_000;
    while (sample(text, 'pixelfarm_queue_up{queue="render-v1"}') !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      text = await scrape();
    }
    expect(sample(text, 'pixelfarm_queue_up{queue="render-v1"}')).toBe(1);
    expect(sample(text, 'pixelfarm_queue_jobs{queue="render-v1",state="waiting"}')).toBe(0);
  });
});
