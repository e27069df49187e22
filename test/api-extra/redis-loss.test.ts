// What an account owns survives the loss of Redis: images, their requests, templates and the
// listing live in object storage (a real S3 server here). Redis is emptied of everything this
// deployment wrote, the API and worker are rebuilt, and list/get/render-from-template still work.
import { createHmac } from 'node:crypto';
import IORedis from 'ioredis';
import request from 'supertest';
import { loadConfig, createLogger, type Config } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { startS3Server, type TestS3Server } from '../support/s3-server';

const CARD = '<div style="display:inline-block;width:{{w}}px;height:10px;background:{{color}}"></div>';

describe('losing Redis loses no image, template or listing', () => {
  let s3: TestS3Server;
  let config: Readonly<Config>;
  let api: ApiApp;
  let worker: WorkerApp;

  const start = async () => {
    const logger = createLogger('test', 'silent');
    api = createApiApp(config, logger);
    worker = createWorkerApp(config, logger);
    await api.ready();
    await worker.start();
  };
  const stop = async () => {
    await worker.close();
    await api.close();
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    config = loadConfig(testEnv({ ...s3.env, PUBLIC_URL: 'http://img.test' }));
    await start();
  });

  afterAll(async () => {
    await stop().catch(() => undefined);
    await s3?.stop();
  });

  const post = (path: string, body: object) => request(api.handler).post(path).set('Authorization', basicAuth()).send(body);
  const pixel = async (path: string, x: number, y: number) => (await decodeImage((await request(api.handler).get(path).buffer(true)).body)).pixel(x, y);
  const jobsTotal = async () => Object.values(await api.queue.counts()).reduce((a, b) => a + b, 0);

  it('lists, serves and renders from templates after Redis is emptied and the apps restart', async () => {
    const template = (await post('/v1/template', { html: CARD, name: 'durable', device_scale: 1 })).body as { template_id: string; template_version: number };
    const plain = await post('/v1/image', { html: '<div style="width:20px;height:10px;background:#ff0000"></div>', device_scale: 1, metadata: { kind: 'plain' } });
    const templated = await post('/v1/image', { template_id: template.template_id, template_values: { w: 12, color: '#00ff00' }, metadata: { kind: 'templated' } });
    const signedQuery = new URLSearchParams({ html: '<div style="width:8px;height:8px;background:#0000ff"></div>', device_scale: '1' }).toString();
    const signedPath = `/v1/image/create-and-render/${TEST_KEYS.id}/${createHmac('sha256', TEST_KEYS.key).update(signedQuery).digest('hex')}?${signedQuery}`;
    expect((await request(api.handler).get(signedPath)).status).toBe(200);
    expect([plain.status, templated.status]).toEqual([200, 200]);
    const listedBefore = (await request(api.handler).get('/v1/images').set('Authorization', basicAuth())).body;
    expect(listedBefore.images).toHaveLength(3);

    // Redis loses everything this deployment ever wrote: queue, counters, caches, claims.
    await stop();
    const redis = new IORedis(config.queue.redisUrl);
    let keys = 0;
    for await (const batch of redis.scanStream({ match: `${config.queue.prefix}*`, count: 500 })) {
      if ((batch as string[]).length) keys += await redis.del(...(batch as string[]));
    }
    const left = await redis.keys(`${config.queue.prefix}*`);
    await redis.quit();
    expect(keys).toBeGreaterThan(0);
    expect(left).toEqual([]);
    await start();
    expect(await jobsTotal()).toBe(0);

    // The listing comes back whole, newest first, with metadata.
    const listed = (await request(api.handler).get('/v1/images').set('Authorization', basicAuth())).body;
    expect(listed).toEqual(listedBefore);
    expect(listed.images.map((i: { metadata: unknown }) => i.metadata)).toEqual([null, { kind: 'templated' }, { kind: 'plain' }]);

    // Images are served, variants produced from the stored originals.
    expect(await pixel(`/v1/image/${plain.body.id}`, 10, 5)).toEqual([255, 0, 0, 255]);
    expect((await request(api.handler).get(`/v1/image/${templated.body.id}.webp?width=6`)).status).toBe(200);
    // The signed URL is served from storage: nothing is queued.
    expect(await pixel(signedPath, 4, 4)).toEqual([0, 0, 255, 255]);
    expect(await jobsTotal()).toBe(0);

    // Templates and their versions are all there, and render.
    const versions = await request(api.handler).get(`/v1/template/${template.template_id}`).set('Authorization', basicAuth());
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([template.template_version]);
    const templates = await request(api.handler).get('/v1/templates').set('Authorization', basicAuth());
    expect(templates.body.data.map((t: { id: string }) => t.id)).toContain(template.template_id);
    const again = await post('/v1/image', { template_id: template.template_id, template_values: { w: 14, color: '#0000ff' } });
    expect(again.status).toBe(200);
    expect(await pixel(`/v1/image/${again.body.id}`, 7, 5)).toEqual([0, 0, 255, 255]);

    // Ownership is in storage too: another account still cannot delete; the owner can.
    const foreign = await request(api.handler).delete(`/v1/image/${plain.body.id}`).set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey));
    expect(foreign.status).toBe(404);
    expect((await request(api.handler).delete(`/v1/image/${plain.body.id}`).set('Authorization', basicAuth())).status).toBe(202);
    const afterDelete = (await request(api.handler).get('/v1/images').set('Authorization', basicAuth())).body.images;
    expect(afterDelete.map((i: { id: string }) => i.id)).toEqual([again.body.id, ...listedBefore.images.slice(0, 2).map((i: { id: string }) => i.id)]);
  });
});
