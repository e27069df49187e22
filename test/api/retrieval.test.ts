// GET /v1/image/:id in every variant: size, density, download, crops, validators, one stored
// object per variant produced once across API processes, waiting for pending renders, and
// redirects to presigned URLs of an S3 store. Checked by decoding pixels.
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createImageSchema, parseCreateImage } from '@pixelfarm/schemas';
import { ImageStore } from '@pixelfarm/storage';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { createWorkerApp } from '../../apps/worker/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage, exifDpi, sniffFormat, type DecodedImage } from '../support/decode-image';
import { startS3Server, type TestS3Server } from '../support/s3-server';

// A 400x200 page in four 200x100 quadrants, so every crop shows which part it took.
const QUADRANTS = `<html><body style="margin:0"><div style="display:grid;grid-template-columns:200px 200px;grid-template-rows:100px 100px">
<div style="background:#ff0000"></div><div style="background:#00ff00"></div>
<div style="background:#0000ff"></div><div style="background:#ffff00"></div></div></body></html>`;
const PAGE = { html: QUADRANTS, viewport_width: 400, viewport_height: 200, device_scale: 1 };
const RED = [255, 0, 0, 255];
const GREEN = [0, 255, 0, 255];
const BLUE = [0, 0, 255, 255];
const YELLOW = [255, 255, 0, 255];

async function create(api: ApiApp, body: object = PAGE): Promise<string> {
  const res = await request(api.handler).post('/v1/image').set('Authorization', basicAuth()).send(body);
  expect(res.status).toBe(200);
  return res.body.id as string;
}

async function fetchImage(api: ApiApp, path: string): Promise<DecodedImage & { res: request.Response }> {
  const res = await request(api.handler).get(path).buffer(true);
  expect({ path, status: res.status, body: res.status === 200 ? 'image' : res.body }).toEqual({ path, status: 200, body: 'image' });
  return Object.assign(await decodeImage(res.body as Buffer), { res });
}

/** Count of variants produced by one API process (the transform histogram's sample count). */
async function produced(api: ApiApp, format: string): Promise<number> {
  const text = await api.registry.metrics();
  const m = new RegExp(`variant_transform_duration_seconds_count\\{[^}]*format="${format}"[^}]*\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

describe('image retrieval', () => {
  let stack: InProcessStack;
  let api: ApiApp;
  let id: string;

  beforeAll(async () => {
    // ETags of originals are compared across GETs: the deferred re-encode (the default) rewrites
    // an original once after its render, with a new size and so a new ETag.
    stack = await startInProcessStack({ MAX_OUTPUT_PIXELS: '1000000', PNG_OPTIMIZE: 'inline' });
    api = stack.api;
    id = await create(api);
  });

  afterAll(() => stack?.close());

  it('resizes: one side keeps the aspect ratio, both give exactly that size', async () => {
    const wide = await fetchImage(api, `/v1/image/${id}?width=200`);
    expect([wide.width, wide.height]).toEqual([200, 100]);
    expect([wide.pixel(50, 25), wide.pixel(150, 25), wide.pixel(50, 75), wide.pixel(150, 75)]).toEqual([RED, GREEN, BLUE, YELLOW]);
    const short = await fetchImage(api, `/v1/image/${id}?height=50`);
    expect([short.width, short.height]).toEqual([100, 50]);
    const both = await fetchImage(api, `/v1/image/${id}.jpg?width=100&height=100`);
    expect([both.format, both.width, both.height]).toEqual(['jpeg', 100, 100]);
  });

  it('writes dpi into the density metadata of png, jpg and webp', async () => {
    const png = await fetchImage(api, `/v1/image/${id}?dpi=144`);
    expect([png.format, png.density, png.width]).toEqual(['png', 144, 400]);
    const jpg = await fetchImage(api, `/v1/image/${id}.jpg?dpi=300&width=40`);
    expect([jpg.format, jpg.density, jpg.width]).toEqual(['jpeg', 300, 40]);
    const webp = await request(api.handler).get(`/v1/image/${id}.webp?dpi=600`).buffer(true);
    expect(sniffFormat(webp.body)).toBe('webp');
    expect(await exifDpi(webp.body)).toBe(600);
  });

  it('crops a box given in px or %', async () => {
    const green = await fetchImage(api, `/v1/image/${id}?x_1=200&y_1=0&x_2=400&y_2=100`);
    expect([green.width, green.height, green.pixel(0, 0), green.pixel(199, 99)]).toEqual([200, 100, GREEN, GREEN]);
    const yellow = await fetchImage(api, `/v1/image/${id}?x_1=50%25&y_1=50%25&x_2=100%25&y_2=100%25`);
    expect([yellow.width, yellow.height, yellow.pixel(0, 0), yellow.pixel(199, 99)]).toEqual([200, 100, YELLOW, YELLOW]);
    // Missing corners default to the image's edges: the bottom half.
    const bottom = await fetchImage(api, `/v1/image/${id}?y_1=100`);
    expect([bottom.width, bottom.height, bottom.pixel(0, 0), bottom.pixel(399, 99)]).toEqual([400, 100, BLUE, YELLOW]);
  });

  it('places sized crops and aspect-ratio crops by their origins, then resizes', async () => {
    const topRight = await fetchImage(api, `/v1/image/${id}?crop_width=100&crop_height=50&x_origin=end&y_origin=start`);
    expect([topRight.width, topRight.height, topRight.pixel(0, 0), topRight.pixel(99, 49)]).toEqual([100, 50, GREEN, GREEN]);
    // 50% wide, centred: columns 100..299 of the page, half red, half green.
    const middle = await fetchImage(api, `/v1/image/${id}?crop_width=50%25&crop_height=100%25`);
    expect([middle.width, middle.height, middle.pixel(0, 0), middle.pixel(199, 0), middle.pixel(199, 199)]).toEqual([200, 200, RED, GREEN, YELLOW]);
    const square = await fetchImage(api, `/v1/image/${id}?aspect_ratio=1_1&x_origin=start`);
    expect([square.width, square.height, square.pixel(199, 0), square.pixel(0, 199)]).toEqual([200, 200, RED, BLUE]);
    const strip = await fetchImage(api, `/v1/image/${id}?aspect_ratio=4_1&y_origin=end&width=100`);
    expect([strip.width, strip.height, strip.pixel(10, 12), strip.pixel(90, 12)]).toEqual([100, 25, BLUE, YELLOW]);
  });

  it("crops as every example of hcti's API page does, on a 600x400 image like its base image", async () => {
    // Thirds in red, green and blue, with a black band along the top and a white one along the
    // bottom (20 px each), so a crop shows which columns and which rows it took.
    const thirds = await create(api, {
      html: `<html><body style="margin:0"><div style="position:relative;width:600px;height:400px;background:linear-gradient(to right,#f00 0 200px,#0f0 200px 400px,#00f 400px)">
<div style="position:absolute;left:0;right:0;top:0;height:20px;background:#000"></div>
<div style="position:absolute;left:0;right:0;bottom:0;height:20px;background:#fff"></div></div></body></html>`,
      viewport_width: 600,
      viewport_height: 400,
      device_scale: 1,
    });
    const BLACK = [0, 0, 0, 255];
    const WHITE = [255, 255, 255, 255];
    // htmlcsstoimage/docs getting-started/using-the-api.md, "Cropping examples", verbatim.
    const square = await fetchImage(api, `/v1/image/${thirds}?aspect_ratio=1_1&crop_height=100%`);
    expect([square.width, square.height]).toEqual([400, 400]); // "Crop to 1:1 square from center": columns 100..499
    expect([square.pixel(0, 200), square.pixel(99, 200), square.pixel(100, 200), square.pixel(299, 200), square.pixel(300, 200), square.pixel(399, 200)]).toEqual([
      RED, RED, GREEN, GREEN, BLUE, BLUE,
    ]);
    expect([square.pixel(200, 0), square.pixel(200, 399)]).toEqual([BLACK, WHITE]);

    const left = await fetchImage(api, `/v1/image/${thirds}?x_1=0&crop_width=33%`);
    expect([left.width, left.height, left.pixel(0, 200), left.pixel(197, 200), left.pixel(100, 0), left.pixel(100, 399)]).toEqual([
      198, 400, RED, RED, BLACK, WHITE,
    ]);

    const centre = await fetchImage(api, `/v1/image/${thirds}?x_1=33%&x_2=66%`); // columns 198..395
    expect([centre.width, centre.height, centre.pixel(1, 200), centre.pixel(2, 200), centre.pixel(197, 200)]).toEqual([198, 400, RED, GREEN, GREEN]);

    const right = await fetchImage(api, `/v1/image/${thirds}?x_1=67%&crop_width=33%`); // columns 402..599
    expect([right.width, right.height, right.pixel(0, 200), right.pixel(197, 200), right.pixel(100, 0)]).toEqual([198, 400, BLUE, BLUE, BLACK]);

    const band = await fetchImage(api, `/v1/image/${thirds}?aspect_ratio=16_9&crop_width=100%`); // rows 31..368: no black, no white
    expect([band.width, band.height]).toEqual([600, 338]);
    expect([band.pixel(0, 0), band.pixel(300, 0), band.pixel(599, 337), band.pixel(300, 337)]).toEqual([RED, GREEN, BLUE, GREEN]);

    // x_origin / y_origin in px or %: the point the region is centred on, kept inside the image.
    const bottomBand = await fetchImage(api, `/v1/image/${thirds}?aspect_ratio=16_9&crop_width=100%&y_origin=100%`);
    expect([bottomBand.height, bottomBand.pixel(300, 0), bottomBand.pixel(300, 337)]).toEqual([338, GREEN, WHITE]);
    const aroundBlue = await fetchImage(api, `/v1/image/${thirds}?crop_width=100&x_origin=500px`);
    expect([aroundBlue.width, aroundBlue.pixel(0, 200), aroundBlue.pixel(99, 200)]).toEqual([100, BLUE, BLUE]);

    // The crop comes first, then width/height: the left third, resized to 99 wide.
    const small = await fetchImage(api, `/v1/image/${thirds}.png?x_1=0&crop_width=33%&width=99`);
    expect([small.width, small.height, small.pixel(50, 100)]).toEqual([99, 200, RED]);
  });

  it('answers bad, contradictory or oversized parameters with 400 naming the parameter, never 500', async () => {
    const cases: [string, RegExp][] = [
      ['width=0', /^width must be between 1 and 5000$/],
      ['height=5001', /^height must be between 1 and 5000$/],
      ['dpi=20', /^dpi must be between 30 and 600$/],
      ['dl=maybe', /^dl must be 1 or 0$/],
      ['width=1&width=2', /width must be given once/],
      ['x_1=0&x_2=20&crop_width=10', /^x_2 cannot be combined with crop_width: both set where the crop ends \(use x_1 with one of them\)$/],
      ['x_2=20', /^x_2 must be used with x_1$/],
      ['x_origin=end', /^x_origin needs crop_width or aspect_ratio$/],
      ['x_1=0&crop_width=10&x_origin=end', /^x_origin cannot be combined with x_1/],
      ['aspect_ratio=1_1&crop_width=10&crop_height=10', /^aspect_ratio cannot be combined with crop_width and crop_height/],
      ['aspect_ratio=16x9', /^aspect_ratio must look like 16_9 \(two whole numbers above 0\)$/],
      ['x_1=0&x_2=401', /^x_2 \(401 px\) is outside the image, which is 400 px wide$/],
      ['crop_height=201', /^crop_height \(201 px\) is larger than the image, which is 200 px tall$/],
      ['aspect_ratio=1_1&crop_width=100%25', /^aspect_ratio 1:1 with crop_width of 400 px needs a crop_height of 400 px, but the image is 200 px tall$/],
      ['x_1=300&x_2=50%25', /x_2 must be greater than x_1/],
      // 5000 wide keeps the aspect: 5000x2500 is over this stack's MAX_OUTPUT_PIXELS of 1,000,000.
      ['width=5000', /5000x2500 pixels/],
    ];
    for (const [query, expected] of cases) {
      const res = await request(api.handler).get(`/v1/image/${id}.webp?${query}`);
      expect({ query, status: res.status, message: res.body.message }).toEqual({ query, status: 400, message: expect.stringMatching(expected) });
    }
    const pdf = await request(api.handler).get(`/v1/image/${id}.pdf?width=100`);
    expect([pdf.status, pdf.body.message]).toEqual([400, 'width does not apply to pdf']);
  });

  it('serves with ETag, immutable caching, exact length, 304 on If-None-Match, HEAD and dl attachments', async () => {
    for (const path of [`/v1/image/${id}`, `/v1/image/${id}.jpg?width=120`]) {
      const res = await request(api.handler).get(path).buffer(true);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-length']).toBe(String((res.body as Buffer).length));
      expect(res.headers['etag']).toMatch(/^"[\w-]+"$/);
      expect(res.headers['content-disposition']).toBeUndefined();
      const again = await request(api.handler).get(path).set('If-None-Match', res.headers['etag']!);
      expect([again.status, again.text ?? '']).toEqual([304, '']);
      const head = await request(api.handler).head(path);
      expect([head.status, head.headers['content-length'], head.headers['etag'], head.headers['content-type']]).toEqual([
        200,
        res.headers['content-length'],
        res.headers['etag'],
        res.headers['content-type'],
      ]);
      expect(head.body ?? {}).toEqual({});
    }
    const jpg = await request(api.handler).get(`/v1/image/${id}.jpg?width=120&dl=1`).buffer(true);
    expect(jpg.headers['content-type']).toBe('image/jpeg');
    expect(jpg.headers['content-disposition']).toBe(`attachment; filename="${id}.jpg"`);
    const png = await request(api.handler).head(`/v1/image/${id}?dl=1`);
    expect(png.headers['content-disposition']).toBe(`attachment; filename="${id}.png"`);
  });

  it('stores one object per variant, however its parameters are spelled', async () => {
    const list = () => api.storage.list(`images/${id}/variants/`);
    const before = (await list()).length;
    const a = await request(api.handler).get(`/v1/image/${id}.webp?width=0077&aspect_ratio=32_18&x_origin=center`).buffer(true);
    const b = await request(api.handler).get(`/v1/image/${id}.webp?aspect_ratio=16:9&width=77&dl=1`).buffer(true);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers['etag']).toBe(b.headers['etag']);
    expect((await list()).length).toBe(before + 1);
    const decoded = await decodeImage(a.body as Buffer);
    expect([decoded.width, decoded.height]).toEqual([77, 43]);
  });

  it('sends a variant it just produced without reading it back; later requests stream the stored object', async () => {
    const streams = async () => Number(/storage_operation_duration_seconds_count\{[^}]*operation="stream"[^}]*\} (\d+)/.exec(await api.registry.metrics())?.[1] ?? 0);
    const path = `/v1/image/${id}.png?width=33`;
    const before = await streams();
    const first = await fetchImage(api, path);
    expect(await streams()).toBe(before);
    const second = await fetchImage(api, path);
    expect(await streams()).toBe(before + 1);
    expect([first.width, first.height, second.width, second.height]).toEqual([33, 17, 33, 17]); // 400x200 keeps its aspect
    expect(Number(first.res.headers['content-length'])).toBe((first.res.body as Buffer).length);
    expect((first.res.body as Buffer).equals(second.res.body as Buffer)).toBe(true);
  });

  it('produces a new variant once for concurrent first requests across two API processes', async () => {
    const second = createApiApp(stack.config, createLogger('test', 'silent'));
    await second.ready();
    try {
      const before = (await produced(api, 'webp')) + (await produced(second, 'webp'));
      const path = `/v1/image/${id}.webp?width=321&crop_width=90%25`;
      const responses = await Promise.all(
        Array.from({ length: 16 }, (_, i) => request((i % 2 ? second : api).handler).get(path).buffer(true)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(16).fill(200));
      expect(new Set(responses.map((r) => (r.body as Buffer).toString('base64'))).size).toBe(1);
      const after = (await produced(api, 'webp')) + (await produced(second, 'webp'));
      expect(after - before).toBe(1);
      const decoded = await decodeImage(responses[0]!.body as Buffer);
      expect(decoded.width).toBe(321);
    } finally {
      await second.close();
    }
  });

  it("removes an image's variants with it", async () => {
    const doomed = await create(api, { ...PAGE, html: QUADRANTS.replace('#ff0000', '#ff0001') });
    await fetchImage(api, `/v1/image/${doomed}.jpg?width=50`);
    await fetchImage(api, `/v1/image/${doomed}?aspect_ratio=1_1`);
    expect((await api.storage.list(`images/${doomed}/variants/`)).length).toBe(2);
    const del = await request(api.handler).delete(`/v1/image/${doomed}`).set('Authorization', basicAuth());
    expect(del.status).toBe(202);
    for (const path of [`/v1/image/${doomed}.jpg?width=50`, `/v1/image/${doomed}?aspect_ratio=1_1`, `/v1/image/${doomed}?width=60`]) {
      const res = await request(api.handler).get(path);
      expect([path, res.status, res.body.message]).toEqual([path, 404, 'Image not found']);
    }
    expect(await api.storage.list(`images/${doomed}/`)).toEqual([]);
  });
});

describe('image retrieval of a render still queued', () => {
  /** Records an image and queues its render the way a create does, without waiting for it. */
  async function recordAndQueue(api: ApiApp, config: ReturnType<typeof loadConfig>, id: string): Promise<void> {
    const req = parseCreateImage(createImageSchema(config.requests), { ...PAGE, html: QUADRANTS.replace('#0000ff', '#0000fe') });
    await new ImageStore(api.storage).saveRecord({ id, account: TEST_KEYS.id, created_at: new Date().toISOString(), request: req });
    await api.queue.enqueue({ id, account: TEST_KEYS.id, request: req });
  }

  it('waits for the render instead of answering 404, and answers 503 with Retry-After past IMAGE_WAIT_MS', async () => {
    // No worker serves this prefix until the test starts one.
    const config = loadConfig(testEnv({ IMAGE_WAIT_MS: '20000' }));
    const logger = createLogger('test', 'silent');
    const api = createApiApp(config, logger);
    await api.ready();
    const impatient = createApiApp({ ...config, api: { ...config.api, imageWaitMs: 500 } }, logger);
    await impatient.ready();
    let worker: ReturnType<typeof createWorkerApp> | undefined;
    try {
      const id = '01936d6e-0000-7000-8000-000000000abc';
      await recordAndQueue(api, config, id);
      const unknown = await request(api.handler).get('/v1/image/01936d6e-0000-7000-8000-000000000abd');
      expect(unknown.status).toBe(404);
      const tooSoon = await request(impatient.handler).get(`/v1/image/${id}`);
      expect([tooSoon.status, tooSoon.headers['retry-after'], tooSoon.body.message]).toEqual([503, '2', 'The image is still rendering, please retry']);

      const waiting = request(api.handler).get(`/v1/image/${id}.webp?width=100`).buffer(true).then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      worker = createWorkerApp(config, logger);
      await worker.start();
      const res = await waiting;
      expect(res.status).toBe(200);
      const decoded = await decodeImage(res.body as Buffer);
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['webp', 100, 50]);
    } finally {
      await worker?.close();
      await impatient.close();
      await api.close();
    }
  });
});

describe('image retrieval by redirect to the object store', () => {
  let s3: TestS3Server;
  let stack: InProcessStack;

  beforeAll(async () => {
    s3 = await startS3Server();
    stack = await startInProcessStack({ ...s3.env, SERVE_MODE: 'redirect', SERVE_REDIRECT_TTL_S: '600', PNG_OPTIMIZE: 'inline' });
  });

  afterAll(async () => {
    await stack?.close();
    await s3?.stop();
  });

  it('answers 302 to a presigned URL that serves the variant with its type, caching and filename', async () => {
    const id = await create(stack.api);
    const res = await request(stack.api.handler).get(`/v1/image/${id}.jpg?width=100&dl=1`);
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const location = res.headers['location']!;
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/images/${id}/variants/`)).toBe(true);
    expect(location).toContain('X-Amz-Signature=');
    expect(location).toContain('X-Amz-Expires=600');

    const object = await fetch(location);
    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('image/jpeg');
    expect(object.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(object.headers.get('content-disposition')).toBe(`attachment; filename="${id}.jpg"`);
    const decoded = await decodeImage(Buffer.from(await object.arrayBuffer()));
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 100, 50]);


    const original = await request(stack.api.handler).head(`/v1/image/${id}`);
    expect(original.status).toBe(302);
    const png = await fetch(original.headers['location']!);
    const decodedPng = await decodeImage(Buffer.from(await png.arrayBuffer()));
    expect([decodedPng.format, decodedPng.width, decodedPng.height]).toEqual(['png', 400, 200]);

    const cached = await request(stack.api.handler).get(`/v1/image/${id}`).set('If-None-Match', original.headers['etag']!);
    expect(cached.status).toBe(304);
  });
});
