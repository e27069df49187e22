// The vertical slice in one process: API and a worker built from their composition roots,
// real Redis, real Chromium, filesystem storage. Images are checked by decoding pixels.
import request from 'supertest';
import type { ApiApp } from '../../apps/api/src/app';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage, sniffFormat } from '../support/decode-image';

const RED_DIV = '<div style="width:300px;height:150px;background:#ff0000"></div>';

describe('image lifecycle', () => {
  let stack: InProcessStack;
  let api: ApiApp;
  let workerPort: number;

  beforeAll(async () => {
    stack = await startInProcessStack({ PUBLIC_URL: 'http://img.test' });
    ({ api, workerPort } = stack);
  });

  afterAll(() => stack?.close());

  const create = (body: object | string, type = 'application/json') =>
    request(api.handler).post('/v1/image').set('Authorization', basicAuth()).type(type).send(body);

  it('renders a snippet cropped to its element at device scale 2, and serves it as PNG', async () => {
    const res = await create({ html: RED_DIV });
    expect(res.status).toBe(200);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.url).toBe(`http://img.test/v1/image/${res.body.id}`);

    const img = await request(api.handler).get(`/v1/image/${res.body.id}`).buffer(true);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(sniffFormat(img.body)).toBe('png');
    const decoded = await decodeImage(img.body);
    expect([decoded.width, decoded.height]).toEqual([600, 300]);
    expect(decoded.pixel(300, 150)).toEqual([255, 0, 0, 255]);
  });

  it('accepts urlencoded and multipart bodies with string-typed values', async () => {
    const form = await create(
      `html=${encodeURIComponent('<div style="width:100px;height:40px;background:#00ff00"></div>')}&device_scale=1`,
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
    const a = await decodeImage((await request(api.handler).get(`/v1/image/${form.body.id}`).buffer(true)).body);
    expect([a.width, a.height]).toEqual([100, 40]);
    expect(a.pixel(50, 20)).toEqual([0, 255, 0, 255]);

    const multi = await request(api.handler)
      .post('/v1/image')
      .set('Authorization', basicAuth())
      .field('html', '<div style="width:64px;height:32px;background:#0000ff"></div>')
      .field('device_scale', '1.5');
    expect(multi.status).toBe(200);
    const b = await decodeImage((await request(api.handler).get(`/v1/image/${multi.body.id}`).buffer(true)).body);
    expect([b.width, b.height]).toEqual([96, 48]);
    expect(b.pixel(48, 24)).toEqual([0, 0, 255, 255]);
  });

  it('renders a whole document at the viewport size, and crops to a selector', async () => {
    const doc = await create({
      html: '<html><body style="margin:0;background:#112233"><p id="x" style="width:50px;height:20px;background:#fff">x</p></body></html>',
      viewport_width: 320,
      viewport_height: 200,
      device_scale: 1,
    });
    expect(doc.status).toBe(200);
    const full = await decodeImage((await request(api.handler).get(`/v1/image/${doc.body.id}`).buffer(true)).body);
    expect([full.width, full.height]).toEqual([320, 200]);
    expect(full.pixel(300, 190)).toEqual([0x11, 0x22, 0x33, 255]);

    const sel = await create({ html: '<div><span id="t" style="display:inline-block;width:30px;height:10px;background:#f0f"></span></div>', selector: '#t', device_scale: 2 });
    expect(sel.status).toBe(200);
    const cropped = await decodeImage((await request(api.handler).get(`/v1/image/${sel.body.id}`).buffer(true)).body);
    expect([cropped.width, cropped.height]).toEqual([60, 20]);
    expect(cropped.pixel(30, 10)).toEqual([255, 0, 255, 255]);

    const none = await create({ html: RED_DIV, selector: '#absent' });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error: 'Bad Request', statusCode: 400, message: 'No visible element matches the selector #absent' });
  });

  it('serves jpg, jpeg and webp variants resized with sharp, keeping the aspect when one side is given', async () => {
    const { body } = await create({ html: RED_DIV });
    const jpg = await request(api.handler).get(`/v1/image/${body.id}.jpg?width=150`).buffer(true);
    expect(jpg.status).toBe(200);
    expect(jpg.headers['content-type']).toBe('image/jpeg');
    expect(sniffFormat(jpg.body)).toBe('jpeg');
    const j = await decodeImage(jpg.body);
    expect([j.width, j.height]).toEqual([150, 75]);
    const [r, g, b] = j.pixel(75, 37);
    expect(r).toBeGreaterThan(240);
    expect(g + b).toBeLessThan(30);

    const jpeg = await request(api.handler).get(`/v1/image/${body.id}.jpeg?height=30`).buffer(true);
    expect(sniffFormat(jpeg.body)).toBe('jpeg');
    expect((await decodeImage(jpeg.body)).width).toBe(60);

    const webp = await request(api.handler).get(`/v1/image/${body.id}.webp?width=40&height=40`).buffer(true);
    expect(webp.headers['content-type']).toBe('image/webp');
    expect(sniffFormat(webp.body)).toBe('webp');
    const w = await decodeImage(webp.body);
    expect([w.width, w.height]).toEqual([40, 40]);

    for (const bad of ['width=0', 'width=5001', 'height=-3', 'width=abc']) {
      const res = await request(api.handler).get(`/v1/image/${body.id}.png?${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/width|height/);
    }
  });

  it('keeps alpha for transparent_background in PNG and puts white behind it in JPEG', async () => {
    const { body } = await create({ html: '<div style="padding:10px"><div style="width:10px;height:10px;background:#00f"></div></div>', transparent_background: true, device_scale: 1 });
    const png = await decodeImage((await request(api.handler).get(`/v1/image/${body.id}`).buffer(true)).body);
    expect(png.pixel(2, 2)[3]).toBe(0);
    expect(png.pixel(15, 15)).toEqual([0, 0, 255, 255]);
    const jpg = await decodeImage((await request(api.handler).get(`/v1/image/${body.id}.jpg`).buffer(true)).body);
    const [r, g, b] = jpg.pixel(2, 2);
    expect(Math.min(r, g, b)).toBeGreaterThan(245);
  });

  it('answers unknown formats with 422 and unknown ids with 404 JSON', async () => {
    const { body } = await create({ html: RED_DIV });
    const gif = await request(api.handler).get(`/v1/image/${body.id}.gif`);
    expect(gif.status).toBe(422);
    expect(gif.body).toEqual({
      error: 'Unprocessable Entity',
      statusCode: 422,
      message: 'Sorry, we do not currently support that format. Valid image types are: jpg, webp or png',
    });
    for (const id of ['0190b1d2-0000-7000-8000-000000000000', 'not-an-id', '..%2F..%2Fetc%2Fpasswd']) {
      const res = await request(api.handler).get(`/v1/image/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'Not Found', statusCode: 404 });
    }
  });

  it('deletes an image for its owner only: 202, then 404', async () => {
    const { body } = await create({ html: RED_DIV });
    const other = await request(api.handler)
      .delete(`/v1/image/${body.id}`)
      .set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey));
    expect(other.status).toBe(404);
    expect((await request(api.handler).get(`/v1/image/${body.id}`)).status).toBe(200);

    const del = await request(api.handler).delete(`/v1/image/${body.id}`).set('Authorization', basicAuth());
    expect(del.status).toBe(202);
    expect((await request(api.handler).get(`/v1/image/${body.id}`)).status).toBe(404);
    expect((await request(api.handler).get(`/v1/image/${body.id}.jpg`)).status).toBe(404);
    expect(await api.storage.list(`images/${body.id}/`)).toEqual([]);
  });

  it('requires Basic auth with a known pair, with the JSON error shape', async () => {
    const none = await request(api.handler).post('/v1/image').send({ html: RED_DIV });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    expect(none.body).toMatchObject({ error: 'Unauthorized', statusCode: 401 });
    const wrong = await request(api.handler).post('/v1/image').set('Authorization', basicAuth(TEST_KEYS.id, 'nope')).send({ html: RED_DIV });
    expect(wrong.status).toBe(401);
    expect((await request(api.handler).delete('/v1/image/x').send()).status).toBe(401);
  });

  it('rejects bad bodies with 400 naming the problem, never 500', async () => {
    const cases: Array<[object | string, RegExp]> = [
      [{}, /HTML is Required/],
      [{ html: '<p>x</p>', url: 'https://example.com' }, /either html or url/],
      [{ html: '<p>x</p>', device_scale: 9 }, /device_scale must be between 0.1 and 3/],
      [{ html: '<p>x</p>', device_scale: 'big' }, /device_scale must be a number/],
      [{ html: '<p>x</p>', viewport_width: 300 }, /viewport_width and viewport_height/],
      [{ html: '<p>x</p>', viewport_width: 7000, viewport_height: 100 }, /viewport_width must be between/],
      [{ html: 42 }, /html must be a string/],
      [{ html: '<p>x</p>', colour: 'red' }, /Unknown field: colour/],
      [{ url: 'file:///etc/passwd' }, /url must be an http or https URL/],
      ['{"html": ', /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.message).toMatch(message);
    }
  });

  it('serves health, readiness and Prometheus metrics on the API and the worker', async () => {
    expect((await request(api.handler).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(api.handler).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ redis: 'ok', storage: 'ok' });
    // Metrics on their own server (METRICS_PORT), never on the public port.
    expect((await request(api.handler).get('/metrics')).status).toBe(404);
    const metrics = await request(api.metricsHandler).get('/metrics');
    expect(metrics.text).toMatch(/^pixelfarm_http_requests_total\{.*route="\/v1\/image".*\} \d+/m);
    expect(metrics.text).toMatch(/pixelfarm_http_request_duration_seconds_bucket/);
    expect(metrics.text).toMatch(/pixelfarm_render_jobs_enqueued_total\{app="api"\} [1-9]/);
    expect(metrics.text).toMatch(/pixelfarm_queue_jobs\{queue="render-v1",state="waiting",app="api"\}/);
    expect(metrics.text).toMatch(/^pixelfarm_queue_up\{queue="render-v1",app="api"\} 1$/m);

    const wready = await fetch(`http://127.0.0.1:${workerPort}/readyz`);
    expect(await wready.json()).toEqual({ status: 'ok', checks: { redis: 'ok', storage: 'ok', browser: 'ok' } });
    const wmetrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    expect(wmetrics).toMatch(/pixelfarm_render_jobs_total\{outcome="completed",app="worker"\} [1-9]/);
    expect(wmetrics).toMatch(/pixelfarm_render_duration_seconds_bucket\{.*phase="capture"/);
  });
});
