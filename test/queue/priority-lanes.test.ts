// Priority lanes: with a bulk backlog queued, an interactive create is rendered next, not
// after the backlog.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { newImageId } from '@pixelfarm/schemas';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { decodeImage } from '../support/decode-image';

describe('priority lanes', () => {
  let api: ApiApp;
  let worker: WorkerApp;

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('renders an interactive create before a queued bulk backlog', async () => {
    const config = loadConfig(testEnv({ WORKER_CONCURRENCY: '1' }));
    const logger = createLogger('t', 'silent');
    api = createApiApp(config, logger);
    await api.ready();

    const BULK = 40;
    for (let i = 0; i < BULK; i++) {
      await api.queue.enqueue(
        { id: newImageId(), account: TEST_KEYS.id, request: { html: `<div style="width:8px;height:8px;background:#333">${i}</div>`, device_scale: 1 } },
        'bulk',
      );
    }
    worker = createWorkerApp(config, logger);
    await worker.start();
    // Let the worker get going on the backlog first.
    await new Promise((r) => setTimeout(r, 300));

    const res = await request(api.handler)
      .post('/v1/image')
      .set('Authorization', basicAuth())
      .send({ html: '<div style="width:12px;height:12px;background:#f0f"></div>', device_scale: 1 });
    expect(res.status).toBe(200);
    const counts = await api.queue.counts();
    // Most of the backlog is still waiting when the interactive render is done.
    expect(counts.prioritized + counts.waiting).toBeGreaterThan(BULK / 2);
    const img = await decodeImage((await request(api.handler).get(`/v1/image/${res.body.id}`).buffer(true)).body);
    expect(img.pixel(6, 6)).toEqual([255, 0, 255, 255]);
  });
});
