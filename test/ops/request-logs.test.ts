// Logs as an operator reads them: the API and a worker (in this process, real Redis, Chromium
// and storage) log JSON lines into buffers. Each request has one access line (route, status,
// duration) carrying its request id, that id comes back in X-Request-Id, travels in the render
// job and is on the worker's line for the same render; credentials never reach a line.
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';

type Line = Record<string, unknown>;

function logInto(lines: Line[], raw: string[]) {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(text);
        lines.push(JSON.parse(text) as Line);
      }
      done();
    },
  });
}

async function until<T>(fn: () => T | undefined, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('request logs across the API and the worker', () => {
  const apiLines: Line[] = [];
  const workerLines: Line[] = [];
  const raw: string[] = [];
  let api: ApiApp;
  let worker: WorkerApp;

  beforeAll(async () => {
    const config = loadConfig(testEnv({ LOG_LEVEL: 'info', PUBLIC_URL: 'http://img.test' }));
    api = createApiApp(config, createLogger('api', 'info', { destination: logInto(apiLines, raw) }));
    worker = createWorkerApp(config, createLogger('worker', 'info', { destination: logInto(workerLines, raw) }));
    await api.ready();
    await worker.start();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const accessLines = () => apiLines.filter((l) => l.msg === 'request');

  it('writes one access line per request with route, status and duration, under the request id it echoes', async () => {
    const res = await request(api.handler).get('/v1/images?count=2').set('Authorization', basicAuth());
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await until(() => accessLines().find((l) => l.reqId === id), 'the access line');
    expect(line).toEqual({
      level: 'info',
      time: expect.any(String),
      name: 'api',
      component: 'http',
      reqId: id,
      method: 'GET',
      route: '/v1/images',
      path: '/v1/images',
      status: 200,
      account: TEST_KEYS.id,
      durationMs: expect.any(Number),
      msg: 'request',
    });
    expect(accessLines().filter((l) => l.reqId === id)).toHaveLength(1);

    const missing = await request(api.handler).get('/v1/nothing-here');
    expect(missing.status).toBe(404);
    const notFound = await until(() => accessLines().find((l) => l.reqId === missing.headers['x-request-id']), 'the 404 line');
    expect(notFound).toMatchObject({ route: 'unmatched', path: '/v1/nothing-here', status: 404, level: 'info' });
  });

  it('keeps a well-formed X-Request-Id from the client or proxy, and replaces anything else', async () => {
    const kept = await request(api.handler).get('/healthz').set('X-Request-Id', 'edge-7f3a.1');
    expect(kept.headers['x-request-id']).toBe('edge-7f3a.1');
    const replaced = await request(api.handler).get('/healthz').set('X-Request-Id', 'has spaces and "quotes"');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ties the API lines of a create to the worker line of its render by the request id', async () => {
    const res = await request(api.handler)
      .post('/v1/image')
      .set('Authorization', basicAuth())
      .set('X-Request-Id', 'trace-create-1')
      .send({ html: '<div style="width:10px;height:10px;background:#f00"></div>', device_scale: 1, dedupe_duration_s: 0 });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-create-1');
    const job = await api.queue.dashboardQueue.getJob(res.body.id);
    expect(job?.data.requestId).toBe('trace-create-1');
    const access = await until(() => accessLines().find((l) => l.reqId === 'trace-create-1'), 'the create access line');
    expect(access).toMatchObject({ method: 'POST', route: '/v1/image', status: 200 });
    const rendered = await until(() => workerLines.find((l) => l.msg === 'render done' && l.reqId === 'trace-create-1'), 'the worker line');
    expect(rendered).toMatchObject({ name: 'worker', level: 'info', job: res.body.id, jobName: 'render', durationMs: expect.any(Number) });
  });

  it('puts no credential in any line', async () => {
    await request(api.handler).get('/v1/images').set('Authorization', basicAuth());
    await request(api.handler).get('/v1/images').set('Authorization', basicAuth(TEST_KEYS.id, 'a-wrong-key-guess'));
    const text = raw.join('\n');
    for (const secret of [TEST_KEYS.key, 'a-wrong-key-guess', Buffer.from(`${TEST_KEYS.id}:${TEST_KEYS.key}`).toString('base64')]) {
      expect(text).not.toContain(secret);
    }
    expect(accessLines().some((l) => l.status === 401)).toBe(true);
  });
});
