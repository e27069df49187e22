// A primary, a replica and three Sentinels, started here on loopback: the API and a worker reach
// Redis through ioredis' Sentinel client (REDIS_URL=redis-sentinel://…). The primary stops
// (SIGTERM: Redis 7 first lets the replica catch up, so nothing acknowledged is lost) while creates
// stream in and a bulk job is queued; the Sentinels promote the replica. Through the failover no
// create answers 500 (a 503 with Retry-After at worst), every image a create answered 200 for is
// served, the bulk job's renders all complete, and an image stored before is still served.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';
import { startSentinels, type TestSentinels } from '../support/redis-topologies';

const logger = createLogger('test', 'silent');
const auth = { Authorization: basicAuth() };
/** Image i: its own width and colour, so each stored image proves which create it answers. */
const html = (i: number) => `<div style="width:${10 + (i % 50)}px;height:6px;background:rgb(${i % 256},40,200)"></div>`;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis Sentinel failover', () => {
  let topology: TestSentinels;
  let api: ApiApp | undefined;
  let worker: WorkerApp | undefined;

  beforeAll(async () => {
    topology = await startSentinels();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await topology?.stop();
  });

  it('loses no create to a 500, no stored image and no queued render when the primary stops mid-load', async () => {
    const config = loadConfig(
      testEnv({
        REDIS_URL: topology.url,
        RENDER_WAIT_MS: '15000',
        // A render whose worker lost Redis while finishing it is re-run soon, not after 30 s.
        JOB_LOCK_MS: '4000',
        JOB_STALLED_INTERVAL_MS: '1000',
        RATE_LIMIT_PER_MINUTE: '1000000',
      }),
    );
    api = createApiApp(config, logger);
    worker = createWorkerApp(config, logger);
    await api.ready();
    await worker.start();
    const create = (i: number) => request(api!.handler).post('/v1/image').set(auth).send({ html: html(i), device_scale: 1 });

    const before = await create(0);
    expect(before.status).toBe(200);
    const N = 60;
    const batch = await request(api.handler)
      .post('/v1/batches')
      .set(auth)
      .send({ default_options: { device_scale: 1, dedupe_duration_s: 0 }, variations: Array.from({ length: N }, (_, i) => ({ html: html(1000 + i) })) });
    expect(batch.status).toBe(202);

    // Creates arrive every 50 ms whatever the earlier ones are doing, so some arrive while the
    // primary is gone and the Sentinels have not promoted the replica yet.
    const answers: Array<{ i: number; status: number; id?: string; retryAfter?: string; message?: string; sent: number }> = [];
    const inFlight: Array<Promise<void>> = [];
    let stopLoad = false;
    const load = (async () => {
      for (let i = 1; !stopLoad; i++) {
        const sent = Date.now();
        inFlight.push(
          create(i).then((res) => {
            answers.push({ i, status: res.status, id: res.body.id, retryAfter: res.headers['retry-after'], message: res.body.message, sent });
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await until('a few creates before the failure', () => answers.length >= 3);
    // Bulk renders are still queued when the primary goes.
    const queued = (await request(api.handler).get(`/v1/batches/${batch.body.batch_id}`).set(auth)).body.queued as number;
    expect(queued).toBeGreaterThan(0);
    const failedAt = Date.now();
    await topology.primary.stop('SIGTERM');
    await until('the Sentinels to promote the replica', () => topology.primaryPort() === topology.replica.port);
    const promotedAt = Date.now();
    await until('creates sent after the promotion to succeed', () => answers.filter((a) => a.sent > promotedAt && a.status === 200).length >= 5);
    stopLoad = true;
    await load;
    await Promise.all(inFlight);
    // Creates were sent while the primary was going or gone and no replica promoted yet.
    expect(answers.filter((a) => a.sent > failedAt && a.sent < promotedAt).length).toBeGreaterThan(5);

    // 200, or 503 with Retry-After while Redis was away: never a 500, nor anything else.
    const statuses = [...new Set(answers.map((a) => a.status))].sort();
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    expect(statuses).toContain(200);
    for (const a of answers.filter((x) => x.status === 503)) expect(a).toMatchObject({ retryAfter: expect.stringMatching(/^\d+$/), message: expect.stringMatching(/retry/) });

    // Every image a create answered 200 for is stored and is that create's image.
    for (const a of [...answers.filter((x) => x.status === 200), { i: 0, id: before.body.id as string }]) {
      const got = await request(api.handler).get(`/v1/image/${a.id}`).buffer(true);
      expect({ i: a.i, status: got.status }).toEqual({ i: a.i, status: 200 });
      const image = await decodeImage(got.body);
      expect({ i: a.i, width: image.width, pixel: image.pixel(2, 2) }).toEqual({ i: a.i, width: 10 + (a.i % 50), pixel: [a.i % 256, 40, 200, 255] });
    }

    // Every queued render of the bulk job completes.
    let progress: request.Response | undefined;
    await until('the bulk job to finish', async () => {
      progress = await request(api!.handler).get(`/v1/batches/${batch.body.batch_id}`).set(auth);
      return progress.status === 200 && progress.body.done + progress.body.failed === N;
    });
    expect(progress!.body).toMatchObject({ total: N, done: N, failed: 0 });
    expect((await request(api.handler).get('/readyz')).status).toBe(200);
  });
});
