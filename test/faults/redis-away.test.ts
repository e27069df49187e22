// Redis going away under a running API process, as a Redis pod's restart does on a cluster: the API
// stays Ready (so its Service keeps it and the ingress keeps routing to it), serves an image it
// stored before with 200, and answers a create 503 with Retry-After instead of hanging; readiness
// names Redis as down meanwhile. Real processes on loopback: redis-server, the built API and, to
// render the image first, a worker.
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../support/ports';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { eventually } from '../support/eventually';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/local-redis.cjs') as { startRedis(o: { port: number }): Promise<ChildProcess> };

describe('an API process whose Redis goes away', () => {
  let redis: ChildProcess | undefined;
  let api: AppProcess | undefined;
  let worker: AppProcess | undefined;
  let apiUrl: string;

  const stopRedis = () =>
    new Promise<void>((resolve) => {
      if (!redis || redis.exitCode !== null || redis.signalCode !== null) return resolve();
      redis.once('exit', () => resolve());
      redis.kill('SIGTERM');
    });

  beforeAll(async () => {
    const redisPort = await freePort();
    redis = await startRedis({ port: redisPort });
    const env = testEnv({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, READINESS_CACHE_MS: '200', QUEUE_RETRY_AFTER_S: '7' });
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = spawnApp('api', { ...env, PORT: String(port), METRICS_PORT: String(await freePort()), PUBLIC_URL: apiUrl });
    const workerPort = await freePort();
    worker = spawnApp('worker', { ...env, WORKER_PORT: String(workerPort) });
    await waitForHttp(`${apiUrl}/readyz`, api);
    await waitForHttp(`http://127.0.0.1:${workerPort}/readyz`, worker);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await stopRedis();
  });

  it('stays ready, serves its stored image with 200 and answers a create 503 with Retry-After', async () => {
    const auth = { Authorization: basicAuth(), 'Content-Type': 'application/json' };
    const created = await fetch(`${apiUrl}/v1/image`, { method: 'POST', headers: auth, body: JSON.stringify({ html: '<div style="width:40px;height:20px;background:rgb(255,0,0)"></div>', device_scale: 1 }) });
    expect(created.status).toBe(200);
    const { url } = (await created.json()) as { url: string };
    // The worker is done with its part; only the API and Redis matter from here.
    expect(await worker!.stop()).toBe(0);

    await stopRedis();
    // Readiness notices Redis is down, and still answers 200.
    const ready = await eventually(
      async () => {
        const res = await fetch(`${apiUrl}/readyz`);
        return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
      },
      (r) => r.body.checks.redis === 'down',
    );
    expect(ready).toEqual({ status: 200, body: { status: 'degraded', checks: { redis: 'down', storage: 'ok' } } });
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
    }
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);

    const image = await fetch(url);
    expect(image.status).toBe(200);
    const decoded = await decodeImage(Buffer.from(await image.arrayBuffer()));
    expect([decoded.width, decoded.height]).toEqual([40, 20]);
    expect(decoded.pixel(20, 10)).toEqual([255, 0, 0, 255]);

    const started = Date.now();
    const refused = await fetch(`${apiUrl}/v1/image`, { method: 'POST', headers: auth, body: JSON.stringify({ html: '<p>later</p>' }) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(await refused.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/, please retry$/) });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
