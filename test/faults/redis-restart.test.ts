// Redis restarting under a running service: while it is down, creates fail fast with 503 JSON
// and stored images are still served; a render accepted before the restart is not lost (Redis
// keeps its append-only file, as in docker-compose); after it, everything works again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/local-redis.cjs') as {
  startRedis(o: { port: number; dir?: string }): Promise<ChildProcess>;
};

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
}

describe('Redis restart', () => {
  let redis: ChildProcess;
  let api: ApiApp;
  let worker: WorkerApp | undefined;
  let port: number;
  let dir: string;

  const create = (colour: string) =>
    request(api.handler)
      .post('/v1/image')
      .set('Authorization', basicAuth())
      .send({ html: `<div style="width:30px;height:10px;background:${colour}"></div>`, device_scale: 1 });

  const workerFor = (config: ReturnType<typeof loadConfig>) => createWorkerApp(config, createLogger('t', 'silent'));

  beforeAll(async () => {
    port = await freePort();
    dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'redis-'));
    redis = await startRedis({ port, dir });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    if (redis) await stopRedis(redis);
  });

  it('fails fast while down, keeps serving stored images, loses no accepted render, and recovers', async () => {
    const config = loadConfig(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, RENDER_WAIT_MS: '60000' }));
    api = createApiApp(config, createLogger('t', 'silent'));
    await api.ready();
    worker = workerFor(config);
    await worker.start();

    const before = await create('#ff0000');
    expect(before.status).toBe(200);

    // A render accepted while no worker runs stays queued in Redis across the restart.
    await worker.close();
    worker = undefined;
    const pending = create('#0000ff');
    const pendingSettled = pending.then((r) => r);
    await new Promise((r) => setTimeout(r, 500));

    // Ready before the outage, as the kubelet's probes found it.
    expect((await request(api.handler).get('/readyz')).status).toBe(200);
    await stopRedis(redis);
    const started = Date.now();
    const down = await create('#00ff00');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: 'Service Unavailable', statusCode: 503, message: expect.stringMatching(/retry/) });
    expect(Date.now() - started).toBeLessThan(5000);
    // Still Ready (it serves what it can), and readiness names what is down.
    const ready = await eventually(() => request(api.handler).get('/readyz'), (r) => r.body.checks.redis === 'down');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'degraded', checks: { redis: 'down', storage: 'ok' } });
    // Stored images need only storage.
    const img = await request(api.handler).get(`/v1/image/${before.body.id}`).buffer(true);
    expect(img.status).toBe(200);
    expect((await decodeImage(img.body)).pixel(5, 5)).toEqual([255, 0, 0, 255]);

    redis = await startRedis({ port, dir });
    const readyAgain = await eventually(() => request(api.handler).get('/readyz'), (r) => r.body.status === 'ok');
    expect(readyAgain.body).toEqual({ status: 'ok', checks: { redis: 'ok', storage: 'ok' } });

    worker = workerFor(config);
    await worker.start();
    const queued = await pendingSettled;
    expect(queued.status).toBe(200);
    const blue = await decodeImage((await request(api.handler).get(`/v1/image/${queued.body.id}`).buffer(true)).body);
    expect(blue.pixel(5, 5)).toEqual([0, 0, 255, 255]);

    const after = await create('#00ff00');
    expect(after.status).toBe(200);
    const green = await decodeImage((await request(api.handler).get(`/v1/image/${after.body.id}`).buffer(true)).body);
    expect(green.pixel(5, 5)).toEqual([0, 255, 0, 255]);
  });
});
