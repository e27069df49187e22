// A Redis Cluster of three masters, started here on loopback: the API and a worker run on it
// through ioredis' Cluster client (REDIS_URL=redis-cluster://…) with a hash-tagged prefix,
// render, serve, run a bulk job and count usage; every key they write shares one hash slot (as
// BullMQ's multi-key scripts require), and a prefix without a hash tag is refused at start.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { cli, startCluster, type TestCluster } from '../support/redis-topologies';

const logger = createLogger('test', 'silent');

describe('Redis Cluster', () => {
  let cluster: TestCluster;
  let api: ApiApp | undefined;
  let worker: WorkerApp | undefined;
  const prefix = `{test-${randomUUID()}}`;

  beforeAll(async () => {
    cluster = await startCluster();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await cluster?.stop();
  });

  it('refuses a key prefix without a hash tag at start, naming the fix', () => {
    expect(() => loadConfig(testEnv({ REDIS_URL: cluster.url, REDIS_PREFIX: 'pixelfarm' }))).toThrow(
      'Invalid configuration: REDIS_PREFIX: under Redis Cluster every key must be in one hash slot, as BullMQ requires: put the prefix (or part of it) in braces, e.g. {pixelfarm}',
    );
  });

  it('renders, serves, runs a bulk job and counts usage, with every key in one hash slot', async () => {
    const config = loadConfig(testEnv({ REDIS_URL: cluster.url, REDIS_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '1000000' }));
    api = createApiApp(config, logger);
    worker = createWorkerApp(config, logger);
    await api.ready();
    await worker.start();
    const auth = { Authorization: basicAuth() };

    expect((await request(api.handler).get('/readyz')).body).toEqual({ status: 'ok', checks: { redis: 'ok', storage: 'ok' } });
    const created = await request(api.handler)
      .post('/v1/image')
      .set(auth)
      .send({ html: '<div style="width:40px;height:20px;background:rgb(0,128,255)"></div>', device_scale: 1 });
    expect(created.status).toBe(200);
    const image = await decodeImage((await request(api.handler).get(`/v1/image/${created.body.id}`).buffer(true)).body);
    expect([image.width, image.height]).toEqual([40, 20]);
    expect(image.pixel(20, 10)).toEqual([0, 128, 255, 255]);

    const N = 6;
    const batch = await request(api.handler)
      .post('/v1/batches')
      .set(auth)
      .send({ default_options: { device_scale: 1 }, variations: Array.from({ length: N }, (_, i) => ({ html: `<div style="width:${10 + i}px;height:8px;background:#0a0"></div>` })) });
    expect(batch.status).toBe(202);
    const deadline = Date.now() + 60_000;
    let progress: request.Response;
    do {
      await new Promise((r) => setTimeout(r, 200));
      progress = await request(api.handler).get(`/v1/batches/${batch.body.batch_id}`).set(auth);
    } while (progress.body.done + progress.body.failed < N && Date.now() < deadline);
    expect(progress.body).toMatchObject({ total: N, done: N, failed: 0 });

    const usage = await request(api.handler).get('/v1/usage').set(auth);
    expect(Object.values(usage.body.data.day as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(N + 1);

    // Every key the API and the worker wrote: all under the prefix, all in its slot, so all on
    // one master.
    const keys = cluster.masters.map((m) => ({ port: m.port, keys: cli(m.port, '--scan', '--pattern', '*').split('\n').filter(Boolean) }));
    const all = keys.flatMap((k) => k.keys);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((k) => !k.startsWith(`${prefix}:`))).toEqual([]);
    expect(keys.filter((k) => k.keys.length > 0)).toHaveLength(1);
    const slot = cli(cluster.masters[0]!.port, 'CLUSTER', 'KEYSLOT', prefix);
    const holder = keys.find((k) => k.keys.length > 0)!.port;
    for (const key of all.slice(0, 50)) expect(cli(holder, 'CLUSTER', 'KEYSLOT', key)).toBe(slot);
  });
});
