// Storage destinations end to end, with two real S3 servers on loopback: ours (the
// service's own store) and the customer's. Creates, batches, templates and bulk jobs land in the
// customer's bucket under hcti's keys (<prefix>/<id>.png, .pdf, <prefix>/<id>_<variant>.<ext>),
// decoded equal to our copy; a destination that keeps no copy here answers /v1/store urls and
// PUT /v1/store's StoreImageResult; the customer's server down is retried, then reported where
// the owner looks (listing, batch status, callback) with our copy intact; deleting an image
// leaves the customer's objects; the secret appears in no answer and no log line.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import request from 'supertest';
import sharp from 'sharp';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp, type WorkerApp } from '../../apps/worker/src/app';
import { startS3Server, type TestS3Server } from '../support/s3-server';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { decodeImage, sniffFormat } from '../support/decode-image';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { eventually } from '../support/eventually';

// The customer's key pair: the secret must appear in no answer and no log line. s3rver knows
// the key id S3RVER and checks no signature (test/support/signed-s3-server.ts does, for the
// connection tests of storage-destinations.test.ts), so the secret here is ours to choose.
const CUSTOMER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'cust-Secret-7f3a9c2e41b8d05e' };
const auth = basicAuth();

let ours: TestS3Server;
let customer: TestS3Server;
let customerDir: string;
let bucketClient: S3Client;
let api: ApiApp;
let worker: WorkerApp;
let hooks: LoopbackServer;
const callbacks: Array<Record<string, unknown>> = [];
const logLines: string[] = [];
let keepId: string;
let onlyThereId: string;

const lines = () =>
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });

async function startCustomer(port?: number): Promise<TestS3Server> {
  return startS3Server({ bucket: 'customer-renders', directory: customerDir, ...(port ? { port } : {}) });
}

async function customerObject(key: string): Promise<Buffer | null> {
  try {
    const res = await bucketClient.send(new GetObjectCommand({ Bucket: 'customer-renders', Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  } catch {
    return null;
  }
}

async function customerKeys(prefix: string): Promise<string[]> {
  const res = await bucketClient.send(new ListObjectsV2Command({ Bucket: 'customer-renders', Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

async function ourImage(url: string): Promise<Buffer> {
  const res = await request(api.handler).get(new URL(url).pathname + new URL(url).search).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

/** Both PNGs decode to the very same pixels: the bucket got the image, not a re-render or a thumbnail. */
async function expectSamePixels(a: Buffer, b: Buffer): Promise<void> {
  const [x, y] = await Promise.all([a, b].map((data) => sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  expect([x!.info.width, x!.info.height]).toEqual([y!.info.width, y!.info.height]);
  expect(x!.data.equals(y!.data)).toBe(true);
  // Two blank images would match too: the rendered text makes more than one colour.
  const first = x!.data.readUInt32BE(0);
  let colours = 1;
  for (let i = 4; i < x!.data.length && colours === 1; i += 4) if (x!.data.readUInt32BE(i) !== first) colours = 2;
  expect(colours).toBe(2);
}

const create = (body: object) => request(api.handler).post('/v1/image').set('Authorization', auth).send(body);

async function newDestination(fields: object): Promise<string> {
  const res = await request(api.handler)
    .post('/v1/storage-destinations')
    .set('Authorization', auth)
    .send({
      name: 'renders bucket',
      endpoint: customer.endpoint,
      region: 'us-east-1',
      force_path_style: true,
      bucket: 'customer-renders',
      prefix: 'renders',
      access_key_id: CUSTOMER_KEYS.accessKeyId,
      secret_access_key: CUSTOMER_KEYS.secretAccessKey,
      ...fields,
    });
  expect(res.status).toBe(200);
  expect(JSON.stringify(res.body)).not.toContain(CUSTOMER_KEYS.secretAccessKey);
  return res.body.id as string;
}

beforeAll(async () => {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  customerDir = await fs.mkdtemp(path.join(os.tmpdir(), 'customer-s3-'));
  [ours, customer] = await Promise.all([startS3Server(), startCustomer()]);
  bucketClient = new S3Client({
    endpoint: customer.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CUSTOMER_KEYS,
  });
  hooks = await serveOnLoopback((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      callbacks.push(JSON.parse(body));
      res.end('ok');
    });
  });
  const config = loadConfig(
    testEnv({
      ...ours.env,
      // The customer's server and the callback receiver are on loopback: opened for this test.
      URL_ALLOWLIST: '127.0.0.1',
      DESTINATIONS_KEY: randomBytes(32).toString('base64'),
      DESTINATION_ATTEMPTS: '2',
      DESTINATION_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
    }),
  );
  api = createApiApp(config, createLogger('api', 'debug', { destination: lines() }));
  worker = createWorkerApp(config, createLogger('worker', 'debug', { destination: lines() }));
  await api.ready();
  await worker.start();
  keepId = await newDestination({ name: 'keeps a copy' });
  onlyThereId = await newDestination({ name: 'only there', keep_copy: false, prefix: 'only' });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await api?.close();
  await hooks?.close();
  bucketClient?.destroy();
  await Promise.all([ours?.stop(), customer?.stop()]);
});

describe('a destination that keeps our copy too', () => {
  it("hcti's JSON request: the image lands at <prefix>/<id>.png, equal to ours, and the listing says stored", async () => {
    const res = await create({ html: '<h1>Saved in my bucket</h1>', storage_destination_id: keepId });
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(/\/v1\/image\/[0-9a-f-]{36}$/);
    const theirs = await customerObject(`renders/${res.body.id}.png`);
    expect(theirs && sniffFormat(theirs)).toBe('png');
    await expectSamePixels(theirs!, await ourImage(res.body.url));
    const listing = await request(api.handler).get('/v1/images').set('Authorization', auth);
    const entry = listing.body.images.find((i: { id: string }) => i.id === res.body.id);
    expect(entry.storage_destination).toEqual({ id: keepId, status: 'stored' });
  });

  it("hcti's card example, and a later variant under <prefix>/<id>_w-400.webp beside the untouched base", async () => {
    const res = await create({
      html: "<div class='card'>Saved in my bucket</div>",
      css: '.card { padding: 40px; background: #f4f4f5; }',
      storage_destination_id: keepId,
    });
    expect(res.status).toBe(200);
    const base = await customerObject(`renders/${res.body.id}.png`);
    await expectSamePixels(base!, await ourImage(res.body.url));
    await ourImage(`${res.body.url}.webp?width=400`);
    const variant = await customerObject(`renders/${res.body.id}_w-400.webp`);
    expect(variant && sniffFormat(variant)).toBe('webp');
    expect((await decodeImage(variant!)).width).toBe(400);
    expect(await customerObject(`renders/${res.body.id}.png`)).toEqual(base);
    expect(await customerKeys(`renders/${res.body.id}`)).toEqual([`renders/${res.body.id}.png`, `renders/${res.body.id}_w-400.webp`]);
  });

  it('a PDF image (pdf_options) lands as <prefix>/<id>.pdf', async () => {
    const res = await create({ html: '<p>Invoice</p>', pdf_options: { page_width: '4in', page_height: '3in' }, storage_destination_id: keepId });
    expect(res.status).toBe(200);
    const pdf = await customerObject(`renders/${res.body.id}.pdf`);
    expect(pdf && sniffFormat(pdf)).toBe('pdf');
  });

  it('a batch: default_options and a variation of its own, every image at its key', async () => {
    const res = await request(api.handler)
      .post('/v1/image/batch')
      .set('Authorization', auth)
      .send({
        default_options: { storage_destination_id: keepId },
        variations: [{ html: '<p style="color:red">one</p>' }, { html: '<p>two</p>', storage_destination_id: onlyThereId }],
      });
    expect(res.status).toBe(200);
    const [one, two] = res.body.images;
    expect(await customerObject(`renders/${one.id}.png`)).not.toBeNull();
    expect(await customerObject(`only/${two.id}.png`)).not.toBeNull();
    expect(two.url).toContain(`/v1/store/${two.id}`);
  });

  it('a template saves its destination; images made from it keep the one captured at their creation', async () => {
    const tpl = await request(api.handler)
      .post('/v1/template')
      .set('Authorization', auth)
      .send({ name: 'Stored template', html: '<h1>Saved in my bucket {{n}}</h1>', storage_destination_id: keepId });
    expect(tpl.status).toBe(201);
    const first = await create({ template_id: tpl.body.template_id, template_values: { n: 1 } });
    expect(first.status).toBe(200);
    expect(await customerObject(`renders/${first.body.id}.png`)).not.toBeNull();
    const edited = await request(api.handler)
      .post(`/v1/template/${tpl.body.template_id}`)
      .set('Authorization', auth)
      .send({ name: 'Stored template', html: '<h1>Saved in my bucket {{n}}</h1>', storage_destination_id: onlyThereId });
    expect(edited.status).toBe(201);
    const second = await create({ template_id: tpl.body.template_id, template_values: { n: 2 } });
    expect(await customerObject(`only/${second.body.id}.png`)).not.toBeNull();
    // The first image is still served by us and kept its key in the customer's bucket.
    await ourImage(first.body.url);
    expect(await customerObject(`only/${first.body.id}.png`)).toBeNull();
  });

  it('a bulk job: every item in the bucket, none reported failed', async () => {
    const res = await request(api.handler)
      .post('/v1/batches')
      .set('Authorization', auth)
      .send({ default_options: { storage_destination_id: keepId }, variations: [1, 2, 3].map((n) => ({ html: `<p>bulk ${n}</p>` })) });
    expect(res.status).toBe(202);
    const status = await eventually(
      () => request(api.handler).get(`/v1/batches/${res.body.batch_id}`).set('Authorization', auth),
      (r) => r.body.done === 3,
      60_000,
    );
    for (const image of status.body.images) {
      expect(image.storage_destination).toBeUndefined();
      await expectSamePixels((await customerObject(`renders/${image.id}.png`))!, await ourImage(image.url));
    }
  });

  it('deleting an image never deletes the customer\'s objects', async () => {
    const res = await create({ html: '<p>keep me</p>', storage_destination_id: keepId });
    const del = await request(api.handler).delete(`/v1/image/${res.body.id}`).set('Authorization', auth);
    expect(del.status).toBe(202);
    expect(await customerObject(`renders/${res.body.id}.png`)).not.toBeNull();
  });
});

describe('retries', () => {
  it("a write the customer's store answers 503 is retried with backoff and lands", async () => {
    // A loopback reverse proxy in front of the customer's server that refuses the first PUT of each image object.
    const refused = new Set<string>();
    const seen: string[] = [];
    const flaky = await serveOnLoopback((req, res) => {
      const path = req.url!.split('?')[0]!;
      seen.push(`${req.method} ${path}`);
      if (req.method === 'PUT' && /\/flaky\/[0-9a-f-]{36}\.png$/.test(path) && !refused.has(path)) {
        refused.add(path);
        req.resume();
        res.writeHead(503, { 'Content-Type': 'application/xml' }).end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
        return;
      }
      const upstream = http.request(`${customer.endpoint}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    try {
      const flakyId = await newDestination({ name: 'flaky', endpoint: flaky.origin, prefix: 'flaky' });
      const res = await create({ html: '<p>second time lucky</p>', storage_destination_id: flakyId });
      expect(res.status).toBe(200);
      const key = `/customer-renders/flaky/${res.body.id}.png`;
      expect(seen.filter((r) => r === `PUT ${key}`)).toHaveLength(2);
      await expectSamePixels((await customerObject(`flaky/${res.body.id}.png`))!, await ourImage(res.body.url));
      const listing = await request(api.handler).get('/v1/images').set('Authorization', auth);
      expect(listing.body.images.find((i: { id: string }) => i.id === res.body.id).storage_destination.status).toBe('stored');
    } finally {
      await flaky.close();
    }
  });
});

describe('a destination that keeps no copy here', () => {
  it('answers a /v1/store url; the public GET is a 404; PUT stores the base, then a variant read back from the bucket', async () => {
    const res = await create({ html: '<div style="width:600px;height:300px;background:#0b7"></div>', storage_destination_id: onlyThereId });
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(new RegExp(`/v1/store/${res.body.id}$`));
    expect((await request(api.handler).get(`/v1/image/${res.body.id}`)).status).toBe(404);
    expect((await request(api.handler).get(`/v1/image/${res.body.id}.webp?width=100`)).status).toBe(404);

    expect((await request(api.handler).put(`/v1/store/${res.body.id}`)).status).toBe(401);
    expect((await request(api.handler).put(`/v1/store/${res.body.id}`).set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))).status).toBe(404);

    const base = await request(api.handler).put(`/v1/store/${res.body.id}`).set('Authorization', auth);
    expect(base.status).toBe(200);
    expect(base.body).toEqual({
      outcome: 'complete',
      baseResult: { status: 'already_stored', target: 'storage_destination', bucket: 'customer-renders', key: `only/${res.body.id}.png` },
      transformationResult: null,
      success: true,
      message: 'The base image was already stored.',
      statusCode: 200,
    });
    const original = await decodeImage((await customerObject(`only/${res.body.id}.png`))!);
    expect(original.pixel(10, 10).slice(0, 3)).toEqual([0, 0xbb, 0x77]);

    const variant = await request(api.handler).put(`/v1/store/${res.body.id}.webp?width=300`).set('Authorization', auth);
    expect(variant.status).toBe(200);
    expect(variant.body.transformationResult).toEqual({ status: 'stored', target: 'storage_destination', bucket: 'customer-renders', key: `only/${res.body.id}_w-300.webp` });
    const decoded = await decodeImage((await customerObject(`only/${res.body.id}_w-300.webp`))!);
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['webp', 300, Math.round((300 * original.height) / original.width)]);
    const again = await request(api.handler).put(`/v1/store/${res.body.id}.webp?width=300`).set('Authorization', auth);
    expect(again.body.transformationResult.status).toBe('already_stored');
  });

  it('a PDF image (pdf_options) is printed once and never captured: one load of its page, only <id>.pdf written', async () => {
    // Before, the PNG was captured and re-encoded too, then thrown away: two loads of the page.
    let loads = 0;
    const site = await serveOnLoopback((req, res) => {
      if (req.url === '/invoice') loads += 1;
      res.writeHead(req.url === '/invoice' ? 200 : 404, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      res.end('<h1 style="color:#0b7">Invoice 42</h1>');
    });
    try {
      const res = await create({ url: `${site.origin}/invoice`, pdf_options: { page_width: '4in', page_height: '3in' }, storage_destination_id: onlyThereId });
      expect(res.status).toBe(200);
      expect(res.body.url).toMatch(new RegExp(`/v1/store/${res.body.id}$`));
      const pdf = await customerObject(`only/${res.body.id}.pdf`);
      expect(pdf && sniffFormat(pdf)).toBe('pdf');
      expect(await customerKeys(`only/${res.body.id}`)).toEqual([`only/${res.body.id}.pdf`]);
      expect(loads).toBe(1);
    } finally {
      await site.close();
    }
  });

  it('an unknown id, or another account\'s, is a 400 naming storage_destination_id', async () => {
    const unknown = await create({ html: '<h1>Saved in my bucket</h1>', storage_destination_id: 'your-storage-destination-id' });
    expect([unknown.status, unknown.body.message]).toEqual([400, expect.stringContaining('storage_destination_id')]);
    const theirs = await request(api.handler)
      .post('/v1/image')
      .set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))
      .send({ html: '<p>x</p>', storage_destination_id: keepId });
    expect([theirs.status, theirs.body.message]).toEqual([400, expect.stringContaining('storage_destination_id')]);
  });
});

describe("the customer's server down", () => {
  let port: number;
  let storedBefore: { id: string };

  beforeAll(async () => {
    storedBefore = (await create({ html: '<p>before the outage</p>', storage_destination_id: keepId })).body;
    port = customer.port;
    await customer.stop();
  });

  afterAll(async () => {
    customer = await startCustomer(port);
  });

  it('is retried, then reported failed on the listing, the callback and the batch status, with our copy intact', async () => {
    const res = await create({ html: '<p style="color:blue">outage</p>', storage_destination_id: keepId, callback_url: `${hooks.origin}/hook` });
    expect(res.status).toBe(200);
    await ourImage(res.body.url);
    const listing = await request(api.handler).get('/v1/images').set('Authorization', auth);
    const entry = listing.body.images.find((i: { id: string }) => i.id === res.body.id);
    expect(entry.storage_destination).toEqual({ id: keepId, status: 'failed', error: expect.any(String) });
    const hook = await eventually(async () => callbacks.find((c) => c.id === res.body.id), (c) => c !== undefined);
    expect(hook!.storage_destination).toEqual({ status: 'failed', bucket: 'customer-renders', key: `renders/${res.body.id}.png`, error: expect.any(String) });

    const bulk = await request(api.handler)
      .post('/v1/batches')
      .set('Authorization', auth)
      .send({ variations: [{ html: '<p>bulk outage</p>', storage_destination_id: keepId }] });
    const status = await eventually(
      () => request(api.handler).get(`/v1/batches/${bulk.body.batch_id}`).set('Authorization', auth),
      (r) => r.body.done === 1,
      60_000,
    );
    expect(status.body.images[0].storage_destination).toEqual({ status: 'failed', error: expect.any(String) });

    const metrics = await api.registry.metrics();
    const workerMetrics = await worker.registry.metrics();
    expect(workerMetrics).toMatch(/pixelfarm_destination_writes_total\{object="base",outcome="failed",app="worker"\} [1-9]/);
    expect(metrics).toContain('pixelfarm_destination_writes_total');
  });

  it('PUT /v1/store: a variant of a stored base is 424 partial; a base that cannot be written is 424 failed', async () => {
    const partial = await request(api.handler).put(`/v1/store/${storedBefore.id}.jpg?width=120`).set('Authorization', auth);
    expect(partial.status).toBe(424);
    expect(partial.body).toMatchObject({
      outcome: 'partial',
      baseResult: { status: 'already_stored', key: `renders/${storedBefore.id}.png` },
      transformationResult: { status: 'failed', key: `renders/${storedBefore.id}_w-120.jpg` },
      success: false,
      error: 'Storage destination error',
      statusCode: 424,
      referenceId: expect.any(String),
    });

    const onlyThere = await create({ html: '<p>nowhere yet</p>', storage_destination_id: onlyThereId });
    expect(onlyThere.status).toBe(200);
    const failed = await request(api.handler).put(`/v1/store/${onlyThere.body.id}.webp?width=50`).set('Authorization', auth);
    expect(failed.status).toBe(424);
    expect(failed.body).toMatchObject({
      outcome: 'failed',
      baseResult: { status: 'failed', target: 'storage_destination' },
      transformationResult: { status: 'not_attempted' },
      success: false,
      statusCode: 424,
    });

    // Back up: the same PUT renders the base again and stores both.
    customer = await startCustomer(port);
    const stored = await request(api.handler).put(`/v1/store/${onlyThere.body.id}.webp?width=50`).set('Authorization', auth);
    expect([stored.status, stored.body.outcome, stored.body.baseResult.status, stored.body.transformationResult.status]).toEqual([200, 'complete', 'stored', 'stored']);
    expect((await decodeImage((await customerObject(`only/${onlyThere.body.id}_w-50.webp`))!)).width).toBe(50);
    await customer.stop();
  });
});

describe('secrets', () => {
  it('appear in no log line of the API or the worker', () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.filter((l) => l.includes(CUSTOMER_KEYS.secretAccessKey))).toEqual([]);
  });
});
