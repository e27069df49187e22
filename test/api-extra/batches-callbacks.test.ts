// Bulk jobs (POST/GET /v1/batches) and callbacks (callback_url on creates and batches), through
// the HTTP API with a worker in the same process: real Redis, real Chromium, filesystem storage,
// and webhook receivers on loopback (127.0.0.1 allow-listed, 127.0.0.2 not).
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import IORedis from 'ioredis';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { BatchProgress, LANE_PRIORITY, callbackJobIds } from '@pixelfarm/queue';
import { batchPageToken } from '@pixelfarm/schemas';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage } from '../support/decode-image';

const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
const BATCH_MAX = 40;
const BULK_MAX_PENDING = 35;
const PAGE_SIZE = 10;

interface Delivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

/** A webhook receiver: records every POST; `plan` chooses the status per path and attempt. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private readonly server: http.Server;
  private readonly hits = new Map<string, number>();
  base = '';

  constructor(private readonly plan: (path: string, attempt: number) => number = () => 200) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          // recorded as received
        }
        const attempt = (this.hits.get(path) ?? 0) + 1;
        this.hits.set(path, attempt);
        this.deliveries.push({ path, headers: req.headers, raw, body });
        res.writeHead(this.plan(path, attempt)).end();
      });
    });
  }

  async listen(host: string): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    this.base = `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === path);
  }

  async waitFor(path: string, count = 1, timeoutMs = 30_000): Promise<Delivery[]> {
    await until(() => this.at(path).length >= count, timeoutMs, `${count} deliveries to ${path}`);
    return this.at(path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sign = (raw: string, key = TEST_KEYS.key) => `sha256=${createHmac('sha256', key).update(raw).digest('hex')}`;

/** Item i of the big batch: its own size and colour, so every image proves which variation it is. */
const item = (i: number) => ({ w: 10 + i, h: 6 + (i % 5), rgb: [(i * 8) % 256, 255 - ((i * 8) % 256), 100] as const });
const itemHtml = (i: number) => {
  const { w, h, rgb } = item(i);
  return `<div style="width:${w}px;height:${h}px;background:rgb(${rgb.join(',')})"></div>`;
};

describe('bulk jobs and callbacks', () => {
  let stack: InProcessStack;
  let api: ApiApp;
  let receiver: Receiver;
  let forbidden: Receiver;
  const prefix = `test-${randomUUID()}`;

  beforeAll(async () => {
    // /flaky answers 500 to its first delivery, then 200.
    receiver = new Receiver((path, attempt) => (path.startsWith('/flaky') && attempt === 1 ? 500 : 200));
    await receiver.listen('127.0.0.1');
    forbidden = new Receiver();
    await forbidden.listen('127.0.0.2');
    stack = await startInProcessStack({
      REDIS_PREFIX: prefix,
      PUBLIC_URL: 'http://img.test',
      URL_ALLOWLIST: '127.0.0.1',
      BATCH_MAX: String(BATCH_MAX),
      BATCH_PAGE_SIZE: String(PAGE_SIZE),
      BULK_MAX_PENDING: String(BULK_MAX_PENDING),
      CALLBACK_ATTEMPTS: '3',
      CALLBACK_BACKOFF_MS: '100',
      CALLBACK_TIMEOUT_MS: '2000',
    });
    api = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    await forbidden?.close();
  });

  const post = (path: string, body: object, auth = basicAuth()) => request(api.handler).post(path).set('Authorization', auth).send(body);
  const status = (id: string, query = '', auth = basicAuth()) => request(api.handler).get(`/v1/batches/${id}${query}`).set('Authorization', auth);
  const image = async (id: string) => decodeImage((await request(api.handler).get(`/v1/image/${id}`).buffer(true)).body);
  const jobsTotal = async () => Object.values(await api.queue.counts()).reduce((a, b) => a + b, 0);
  const pendingBulk = () => api.redis.zcard(`${prefix}:admission:bulk`);
  const untilFinished = async (batchId: string, timeoutMs = 90_000) => {
    let last: request.Response | undefined;
    await until(
      async () => {
        last = await status(batchId);
        return last.status === 200 && last.body.done + last.body.failed === last.body.total;
      },
      timeoutMs,
      `batch ${batchId} to finish`,
    );
    return last!;
  };
  const callbackJobState = async (jobId: string) => (await api.callbacks.dashboardQueue.getJob(jobId))?.getState();
  const workerMetric = async (outcome: string, kind: string) => {
    const text = await stack.worker.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('pixelfarm_callback_deliveries_total{') && l.includes(`outcome="${outcome}"`) && l.includes(`kind="${kind}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  describe('POST /v1/batches', () => {
    const N = 30;
    let batchId: string;
    let acceptedAt: number;

    it('accepts 30 variations with 202, queues them in the bulk lane and renders every one', async () => {
      const usageBefore = await request(api.handler).get('/v1/usage').set('Authorization', basicAuth());
      const variations = Array.from({ length: N }, (_, i) => ({ html: itemHtml(i), ...(i === 3 ? { callback_url: `${receiver.base}/item-3` } : {}) }));
      const res = await post('/v1/batches', {
        default_options: { device_scale: 1, dedupe_duration_s: 0 },
        variations,
        callback_url: `${receiver.base}/batch-done`,
      });
      acceptedAt = Date.now();
      expect(res.status).toBe(202);
      expect(Object.keys(res.body).sort()).toEqual(['batch_id', 'status_url']);
      batchId = res.body.batch_id;
      expect(batchId).toMatch(/^b-[0-9a-f-]{36}$/);
      expect(res.body.status_url).toBe(`http://img.test/v1/batches/${batchId}`);
      expect(res.headers.location).toBe(res.body.status_url);

      // Straight after the 202 the status is readable, in order, with nothing lost.
      const early = await status(batchId);
      expect(early.status).toBe(200);
      expect(early.body.total).toBe(N);
      // (queued is total - done - failed by construction: what can be checked is the split.)
      expect(early.body.failed).toBe(0);
      expect(early.body.queued).toBeGreaterThan(0);

      // Every job is in the bulk lane (prioritized), not the interactive one.
      const firstPage = early.body.images as { id: string }[];
      for (const { id } of firstPage.slice(0, 3)) {
        const job = await api.queue.dashboardQueue.getJob(id);
        expect(job?.opts.priority).toBe(LANE_PRIORITY.bulk);
        expect(job?.data.notify?.batch?.id).toBe(batchId);
      }

      const done = await untilFinished(batchId);
      expect(done.body).toMatchObject({ batch_id: batchId, total: N, queued: 0, done: N, failed: 0 });

      // Bulk renders count as usage, once each; and the lane's admission tickets are all released.
      const usageAfter = await request(api.handler).get('/v1/usage').set('Authorization', basicAuth());
      const sum = (r: request.Response) => Object.values(r.body.data.day as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum(usageAfter) - sum(usageBefore)).toBe(N);
      expect(await pendingBulk()).toBe(0);
    });

    it('pages through the images in order, each decoding to its own size and colour', async () => {
      const first = await status(batchId);
      expect(first.body.images).toHaveLength(PAGE_SIZE); // BATCH_PAGE_SIZE is the default page
      expect(typeof first.body.next_page_token).toBe('string');

      const seen: { index: number; id: string; url: string; status: string }[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await status(batchId, `?limit=7${token ? `&page_token=${token}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.images.length).toBeLessThanOrEqual(7);
        seen.push(...res.body.images);
        token = res.body.next_page_token;
        pages++;
      } while (token);
      expect(pages).toBe(Math.ceil(N / 7));
      expect(seen.map((s) => s.index)).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(new Set(seen.map((s) => s.id)).size).toBe(N);
      for (const s of seen) {
        expect(Object.keys(s).sort()).toEqual(['id', 'index', 'status', 'url']);
        expect(s.status).toBe('done');
        expect(s.url).toBe(`http://img.test/v1/image/${s.id}`);
        const img = await image(s.id);
        const { w, h, rgb } = item(s.index);
        expect([img.width, img.height]).toEqual([w, h]);
        expect(img.pixel(Math.floor(w / 2), Math.floor(h / 2))).toEqual([...rgb, 255]);
      }
      // The images belong to the account like any others: they are listed.
      const listed = await request(api.handler).get('/v1/images?count=50').set('Authorization', basicAuth());
      const listedIds = new Set((listed.body.images as { id: string }[]).map((i) => i.id));
      expect(seen.every((s) => listedIds.has(s.id))).toBe(true);

      const badToken = await status(batchId, '?page_token=nope!');
      expect(badToken.status).toBe(400);
      expect(badToken.body.message).toMatch(/page_token/);
      const badLimit = await status(batchId, '?limit=0');
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.message).toBe('limit must be a whole number from 1 to 1000');
    });

    it('sends the batch callback once, signed, and the per-item callback of the item that asked', async () => {
      const [done] = await receiver.waitFor('/batch-done');
      expect(done!.body).toEqual({ batch_id: batchId, total: N, done: N, failed: 0, status_url: `http://img.test/v1/batches/${batchId}` });
      expect(done!.headers['x-signature']).toBe(sign(done!.raw));
      expect(done!.headers['content-type']).toBe('application/json');
      const [item3] = await receiver.waitFor('/item-3');
      const page = await status(batchId, '?limit=5');
      const third = (page.body.images as { index: number; id: string; url: string }[])[3]!;
      expect(item3!.body).toEqual({ id: third.id, url: third.url, status: 'done' });
      expect(item3!.headers['x-signature']).toBe(sign(item3!.raw));
      // Only the item that set callback_url was called back; the batch callback came once.
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.deliveries.filter((d) => d.path.startsWith('/item-'))).toHaveLength(1);
      expect(receiver.at('/batch-done')).toHaveLength(1);
      expect(Date.now() - acceptedAt).toBeLessThan(120_000);
    });

    it('is visible to its own account only', async () => {
      const other = await status(batchId, '', OTHER);
      expect(other.status).toBe(404);
      expect(other.body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Batch not found' });
      expect((await status('b-0190a8e4-0000-7000-8000-000000000000')).body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Batch not found' });
      // A malformed id is refused by its shape, before any storage or Redis key is built from it.
      expect((await status('not-a-batch')).body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Batch not found' });
      expect((await status('../../etc')).status).toBe(404);
      expect((await request(api.handler).get(`/v1/batches/${batchId}`)).status).toBe(401);
    });

    it('counts an item that cannot render as failed, once, with its reason, and still completes', async () => {
      const res = await post('/v1/batches', {
        default_options: { device_scale: 1, dedupe_duration_s: 0 },
        variations: [{ html: itemHtml(1) }, { html: itemHtml(2), selector: '#absent' }, { html: itemHtml(3) }],
        callback_url: `${receiver.base}/batch-partial`,
      });
      expect(res.status).toBe(202);
      const done = await untilFinished(res.body.batch_id);
      expect(done.body).toMatchObject({ total: 3, queued: 0, done: 2, failed: 1 });
      const failed = done.body.images[1];
      expect(failed).toMatchObject({ index: 1, status: 'failed', error: 'No visible element matches the selector #absent' });
      // As for a single create, a request that cannot render leaves no image behind.
      expect((await request(api.handler).get(`/v1/image/${failed.id}`)).status).toBe(404);
      const [callback] = await receiver.waitFor('/batch-partial');
      expect(callback!.body).toMatchObject({ batch_id: res.body.batch_id, total: 3, done: 2, failed: 1 });
      expect(await pendingBulk()).toBe(0);
    });

    it('refuses a bad variation with 400 naming its index, and queues nothing', async () => {
      const before = await jobsTotal();
      const bad = await post('/v1/batches', {
        default_options: { device_scale: 1 },
        variations: [{ html: itemHtml(0) }, { html: itemHtml(1) }, { html: itemHtml(2), device_scale: 9 }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'Bad Request', statusCode: 400, message: 'variations[2]: device_scale must be between 0.1 and 3' });
      const badCallback = await post('/v1/batches', { variations: [{ html: 'x' }, { html: 'y', callback_url: 'ftp://example.com/' }] });
      expect(badCallback.status).toBe(400);
      expect(badCallback.body.message).toBe('variations[1]: callback_url must be an http or https URL');
      const missingTemplate = await post('/v1/batches', { variations: [{ html: 'x' }, { template_id: 't-00000000-0000-4000-8000-000000000000' }] });
      expect(missingTemplate.status).toBe(400);
      expect(missingTemplate.body.message).toBe('variations[1]: Template not found');
      for (const [body, message] of [
        [{ variations: [{ html: 'x' }], callback_url: 'javascript:alert(1)' }, 'callback_url must be an http or https URL'],
        [{ variations: [{ html: 'x' }], callback_url: 'not a url' }, 'callback_url must be an http or https URL'],
        [{ variations: [] }, 'variations is required: an array of create options'],
        [{ variations: [{ html: 'x' }], extra: 1 }, 'Unknown field: extra'],
        [{ variations: [{ html: 'x' }], default_options: [] }, 'default_options must be an object of create options'],
      ] as [object, string][]) {
        const res = await post('/v1/batches', body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe(message);
      }
      expect(await jobsTotal()).toBe(before);
      expect(await pendingBulk()).toBe(0);
    });

    it('refuses more than BATCH_MAX variations with 400', async () => {
      const res = await post('/v1/batches', { variations: Array.from({ length: BATCH_MAX + 1 }, (_, i) => ({ html: itemHtml(i) })) });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`variations has ${BATCH_MAX + 1} entries; at most ${BATCH_MAX} are allowed`);
    });

    it('answers 429 with Retry-After when the batch would overflow the bulk lane, queueing nothing', async () => {
      const before = await jobsTotal();
      const listedBefore = (await request(api.handler).get('/v1/images?count=50').set('Authorization', basicAuth())).body.images.length;
      const res = await post('/v1/batches', {
        default_options: { dedupe_duration_s: 0 },
        variations: Array.from({ length: BULK_MAX_PENDING + 1 }, (_, i) => ({ html: itemHtml(i) })),
      });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual({ error: 'Too Many Requests', statusCode: 429, message: 'The render queue is full, please retry later' });
      expect(await jobsTotal()).toBe(before);
      expect(await pendingBulk()).toBe(0);
      const listedAfter = (await request(api.handler).get('/v1/images?count=50').set('Authorization', basicAuth())).body.images.length;
      expect(listedAfter).toBe(listedBefore);
    });
  });

  it('reads a template once for all the variations of a bulk job, and renders each from it', async () => {
    const created = await post('/v1/template', { html: '<div style="width:20px;height:10px;background:{{c}}"></div>', name: 'Bulk' });
    expect(created.status).toBe(201);
    const lists = async () => Number(/storage_operation_duration_seconds_count\{[^}]*operation="list"[^}]*\} (\d+)/.exec(await api.registry.metrics())?.[1] ?? 0);
    const colours = ['#ff0000', '#00ff00', '#0000ff', '#ffff00', '#ff00ff', '#00ffff', '#000000', '#ffffff'];
    const before = await lists();
    const res = await post('/v1/batches', {
      default_options: { template_id: created.body.template_id, device_scale: 1, dedupe_duration_s: 0 },
      variations: colours.map((c) => ({ template_values: { c } })),
    });
    expect(res.status).toBe(202);
    expect((await lists()) - before).toBe(1); // the template's versions, listed once
    let done = await status(res.body.batch_id);
    for (let i = 0; i < 200 && done.body.done < colours.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = await status(res.body.batch_id);
    }
    expect(done.body.done).toBe(colours.length);
    const items = done.body.images as { id: string }[];
    for (const [i, c] of colours.entries()) {
      const img = await image(items[i]!.id);
      expect(img.pixel(5, 5)).toEqual([parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16), 255]);
    }
  });

  describe('callback_url on a single create', () => {
    it('POSTs the stored image, signed with the API key', async () => {
      const res = await post('/v1/image', { html: itemHtml(7), device_scale: 1, dedupe_duration_s: 0, callback_url: `${receiver.base}/single?x=1` });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['id', 'url']);
      const [delivery] = await receiver.waitFor('/single?x=1');
      expect(delivery!.body).toEqual({ id: res.body.id, url: res.body.url, status: 'done' });
      expect(delivery!.headers['x-signature']).toBe(sign(delivery!.raw));
      expect(delivery!.headers['x-signature']).not.toBe(sign(delivery!.raw, TEST_KEYS.otherKey));
      // callback_url is not part of what is rendered or stored with the image.
      const record = JSON.parse((await api.storage.get(`images/${res.body.id}/request.json`))!.toString());
      expect(record.request.callback_url).toBeUndefined();
    });

    it('calls back when an identical create reuses the stored image', async () => {
      const body = { html: itemHtml(8), device_scale: 1 };
      const first = await post('/v1/image', body);
      const again = await post('/v1/image', { ...body, callback_url: `${receiver.base}/dedupe` });
      expect(again.body.id).toBe(first.body.id);
      const [delivery] = await receiver.waitFor('/dedupe');
      expect(delivery!.body).toEqual({ id: first.body.id, url: first.body.url, status: 'done' });
    });

    it('reports a render that failed for good, with its reason', async () => {
      const res = await post('/v1/image', { html: itemHtml(9), selector: '#absent', callback_url: `${receiver.base}/failed` });
      expect(res.status).toBe(400);
      const [delivery] = await receiver.waitFor('/failed');
      expect(delivery!.body).toMatchObject({ status: 'failed', error: 'No visible element matches the selector #absent' });
      expect(delivery!.body.url).toBe(`http://img.test/v1/image/${delivery!.body.id}`);
      expect(delivery!.headers['x-signature']).toBe(sign(delivery!.raw));
    });

    it('retries a receiver that answered 500, with the same signed body', async () => {
      const retriedBefore = await workerMetric('retried', 'image');
      const res = await post('/v1/image', { html: itemHtml(10), device_scale: 1, dedupe_duration_s: 0, callback_url: `${receiver.base}/flaky` });
      expect(res.status).toBe(200);
      const [first, second] = await receiver.waitFor('/flaky', 2);
      expect(first!.raw).toBe(second!.raw);
      expect(second!.headers['x-signature']).toBe(sign(second!.raw));
      expect(second!.body).toEqual({ id: res.body.id, url: res.body.url, status: 'done' });
      await until(async () => (await callbackJobState(callbackJobIds.image(res.body.id))) === 'completed', 10_000, 'the delivery to complete');
      expect(await workerMetric('retried', 'image')).toBe(retriedBefore + 1);
      expect(await workerMetric('sent', 'image')).toBeGreaterThanOrEqual(1);
    });

    it('refuses a callback_url that is not http(s) with 400', async () => {
      for (const callback_url of ['ftp://127.0.0.1/', 'file:///etc/passwd', 'not a url', 'http://', 42]) {
        const res = await post('/v1/image', { html: 'x', callback_url });
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('callback_url must be an http or https URL');
      }
    });
  });

  describe('callback targets obey the egress policy', () => {
    it('never contacts a private address that is not allow-listed (single create and batch)', async () => {
      const refusedBefore = await workerMetric('refused', 'image');
      const res = await post('/v1/image', { html: itemHtml(11), device_scale: 1, dedupe_duration_s: 0, callback_url: `${forbidden.base}/x` });
      // The create itself succeeds: only delivery is refused.
      expect(res.status).toBe(200);
      await until(async () => (await callbackJobState(callbackJobIds.image(res.body.id))) === 'failed', 15_000, 'the callback to be refused');
      const job = await api.callbacks.dashboardQueue.getJob(callbackJobIds.image(res.body.id));
      expect(job!.attemptsMade).toBe(1); // refused for good, not retried
      expect(job!.failedReason).toMatch(/not allowed by the egress policy/);
      expect(await workerMetric('refused', 'image')).toBe(refusedBefore + 1);

      const batch = await post('/v1/batches', {
        default_options: { device_scale: 1, dedupe_duration_s: 0 },
        variations: [{ html: itemHtml(12), callback_url: `${forbidden.base}/item` }],
        callback_url: `${forbidden.base}/batch`,
      });
      expect(batch.status).toBe(202);
      await untilFinished(batch.body.batch_id);
      await until(async () => (await callbackJobState(callbackJobIds.batch(batch.body.batch_id))) === 'failed', 15_000, 'the batch callback to be refused');
      expect(forbidden.deliveries).toEqual([]);
    });
  });
});

describe('a bulk job of 10,000 items', () => {
  let api: ApiApp;

  afterAll(async () => {
    await api?.close();
  });

  it('is accepted in one request and queued whole in the bulk lane (no worker: nothing renders)', async () => {
    const config = loadConfig(testEnv({ PUBLIC_URL: 'http://img.test' }));
    api = createApiApp(config, createLogger('t', 'silent'));
    await api.ready();
    const N = config.api.batchMax;
    expect(N).toBe(10_000); // the default
    const started = Date.now();
    const res = await request(api.handler)
      .post('/v1/batches')
      .set('Authorization', basicAuth())
      .send({ default_options: { device_scale: 1 }, variations: Array.from({ length: N }, (_, i) => ({ html: `<p>${i}</p>` })) });
    expect(res.status).toBe(202);
    const took = Date.now() - started;
    const counts = await api.queue.counts();
    expect(counts.prioritized).toBe(N);
    expect(counts.waiting).toBe(0);
    const last = await request(api.handler).get(`/v1/batches/${res.body.batch_id}?limit=1000&page_token=${batchPageToken(N - 1000)}`).set('Authorization', basicAuth());
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ total: N, queued: N, done: 0, failed: 0 });
    expect(last.body.images).toHaveLength(1000);
    expect(last.body.images[999]).toMatchObject({ index: N - 1, status: 'queued' });
    expect(last.body.next_page_token).toBeUndefined();
    const job = await api.queue.dashboardQueue.getJob(last.body.images[999].id);
    expect(job?.data.request.html).toBe(`<p>${N - 1}</p>`);
    expect(took).toBeLessThan(60_000);
  });
});

describe('bulk progress in Redis', () => {
  const redis = new IORedis(process.env.TEST_REDIS_URL!);
  const progress = new BatchProgress(redis, { prefix: `test-${randomUUID()}`, retentionS: 60 });

  afterAll(async () => {
    await redis.quit();
  });

  it('counts each item once, however often or in whatever order its outcomes are reported', async () => {
    await progress.start('b1', { account: 'a', total: 3, statusUrl: 'http://s/b1', callbackUrl: 'http://cb/', doneIndices: [2] });
    const first = await progress.record('b1', 0, 'done');
    expect(first).toMatchObject({ changed: true, finished: false, done: 2, failed: 0, callbackUrl: 'http://cb/', account: 'a' });
    // The same outcome again (a re-run after a worker died, or processor and event both reporting).
    expect(await progress.record('b1', 0, 'done')).toMatchObject({ changed: false, done: 2, failed: 0 });
    expect(await progress.record('b1', 1, 'failed', 'boom')).toMatchObject({ changed: true, finished: true, done: 2, failed: 1 });
    expect(await progress.record('b1', 1, 'failed', 'boom')).toMatchObject({ changed: false, done: 2, failed: 1 });
    // A failed item that later succeeds moves to done; its reason goes.
    expect(await progress.record('b1', 1, 'done')).toMatchObject({ changed: true, finished: true, done: 3, failed: 0 });
    const page = await progress.page('b1', 0, 3);
    expect(page).toEqual({ total: 3, done: 3, failed: 0, outcomes: ['done', 'done', 'done'], errors: [null, null, null] });
    expect(await progress.record('unknown', 0, 'done')).toBeNull();
    expect(await progress.page('unknown', 0, 1)).toBeNull();
  });
});
