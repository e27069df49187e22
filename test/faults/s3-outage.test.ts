// The object store failing for a while: requests that need it get 503 JSON (never 500), a
// render caught by the outage retries with backoff and lands once the store is back.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { startS3Server, type TestS3Server } from '../support/s3-server';
import { freePort } from '../support/ports';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { eventually } from '../support/eventually';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('S3 outage', () => {
  let s3: TestS3Server | undefined;
  let api: ApiApp;
  let worker: WorkerApp | undefined;

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await s3?.stop();
  });

  it('answers 503 while the store is down, and a render caught by the outage is stored once it is back', async () => {
    const port = await freePort();
    const directory = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 's3-'));
    s3 = await startS3Server({ port, directory });
    const config = loadConfig(testEnv({ ...s3.env, JOB_ATTEMPTS: '8', RENDER_WAIT_MS: '60000' }));
    const logger = createLogger('t', 'silent');
    api = createApiApp(config, logger);
    await api.ready();
    worker = createWorkerApp(config, logger);
    await worker.start();

    const create = (colour: string) =>
      request(api.handler)
        .post('/v1/image')
        .set('Authorization', basicAuth())
        .send({ html: `<div style="width:30px;height:10px;background:${colour}"></div>`, device_scale: 1 });

    const stored = await create('#ff0000');
    expect(stored.status).toBe(200);

    // Accept a render while no worker runs, then take the store down before a worker picks it up.
    await worker.close();
    worker = undefined;
    const caught = create('#0000ff').then((r) => r);
    await new Promise((r) => setTimeout(r, 500));
    // Ready before the outage, as the kubelet's probes found it.
    expect((await request(api.handler).get('/readyz')).status).toBe(200);
    await s3.stop();

    const get = await request(api.handler).get(`/v1/image/${stored.body.id}.jpg`);
    expect(get.status).toBe(503);
    expect(get.body).toMatchObject({ error: 'Service Unavailable', statusCode: 503, message: expect.stringMatching(/object store/) });
    const post = await create('#00ff00');
    expect(post.status).toBe(503);
    expect(post.body.statusCode).toBe(503);
    // Still Ready: every replica shares the store, and this one answers 503 JSON meanwhile.
    const ready = await eventually(() => request(api.handler).get('/readyz'), (r) => r.body.checks.storage === 'down');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', checks: { storage: 'down' } });

    // The worker renders, fails to upload, and retries with backoff while the store is down.
    worker = createWorkerApp(config, logger);
    await worker.start();
    await new Promise((r) => setTimeout(r, 2500));
    s3 = await startS3Server({ port, directory });

    const landed = await caught;
    expect(landed.status).toBe(200);
    const blue = await decodeImage((await request(api.handler).get(`/v1/image/${landed.body.id}`).buffer(true)).body);
    expect(blue.pixel(5, 5)).toEqual([0, 0, 255, 255]);
    const red = await decodeImage((await request(api.handler).get(`/v1/image/${stored.body.id}`).buffer(true)).body);
    expect(red.pixel(5, 5)).toEqual([255, 0, 0, 255]);
  });
});
