// Hostile requests against the whole service (API + worker in one process, real Redis and
// Chromium). Each case asserts its status and the JSON error shape, then that the service
// still renders a normal image correctly afterwards. Traffic stays on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { decodeImage } from '../support/decode-image';

type Case = {
  name: string;
  send: (app: ApiApp) => Promise<request.Response>;
  status: number;
  message?: RegExp;
};

describe('adversarial requests', () => {
  let stack: InProcessStack;
  let api: ApiApp;
  let privateHits = 0;
  let privateServer: http.Server;
  let privatePort: number;

  beforeAll(async () => {
    // 127.0.0.1 runs a server no render may reach: nothing is allow-listed here.
    privateServer = http.createServer((_req, res) => {
      privateHits++;
      res.writeHead(302, { Location: 'http://127.0.0.2/' }).end();
    });
    await new Promise<void>((r) => privateServer.listen(0, '127.0.0.1', r));
    privatePort = (privateServer.address() as AddressInfo).port;

    stack = await startInProcessStack({ MAX_BODY_BYTES: '200000', MAX_HTML_CHARS: '100000', RENDER_TIMEOUT_MS: '3000', JOB_ATTEMPTS: '2', PAGE_HEAP_MB: '128' });
    api = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
    await new Promise((r) => privateServer?.close(r));
  });

  const post = (app: ApiApp, body: unknown, type = 'application/json') =>
    request(app.handler).post('/v1/image').set('Authorization', basicAuth()).type(type).send(body as object);
  const P = () => privatePort;

  const cases: Case[] = [
    { name: 'no credentials', send: (a) => request(a.handler).post('/v1/image').send({ html: 'x' }), status: 401 },
    { name: 'wrong key', send: (a) => request(a.handler).post('/v1/image').set('Authorization', basicAuth(TEST_KEYS.id, 'x')).send({ html: 'x' }), status: 401 },
    { name: 'garbage Authorization header', send: (a) => request(a.handler).post('/v1/image').set('Authorization', 'Basic %%%').send({ html: 'x' }), status: 401 },
    { name: 'another account deletes my image', send: async (a) => {
      const { body } = await post(a, { html: '<b>x</b>', device_scale: 1 });
      return request(a.handler).delete(`/v1/image/${body.id}`).set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey));
    }, status: 404 },
    { name: 'body over MAX_BODY_BYTES', send: (a) => post(a, { html: 'x'.repeat(300_000) }), status: 413, message: /larger than/ },
    { name: 'html over MAX_HTML_CHARS', send: (a) => post(a, { html: 'x'.repeat(150_000) }), status: 400, message: /html is longer than 100000/ },
    { name: 'urlencoded form with more than 200 fields', send: (a) => post(a, `html=x&${Array.from({ length: 250 }, (_, i) => `f${i}=1`).join('&')}`, 'form'), status: 413, message: /^The form body has more than 200 fields$/ },
    { name: 'multipart form with more than 200 fields', send: (a) => {
      const req = request(a.handler).post('/v1/image').set('Authorization', basicAuth()).field('html', 'x');
      for (let i = 0; i < 250; i++) req.field(`f${i}`, '1');
      return req;
    }, status: 413, message: /^The form body has more than 200 fields$/ },
    { name: 'invalid JSON', send: (a) => post(a, '{"html":', 'application/json'), status: 400, message: /not valid JSON/ },
    { name: 'JSON array body', send: (a) => post(a, [1, 2]), status: 400 },
    { name: 'html of the wrong type', send: (a) => post(a, { html: { $gt: '' } }), status: 400, message: /html must be a string/ },
    { name: 'prototype pollution key', send: (a) => post(a, JSON.parse('{"html":"x","__proto__":{"admin":true}}')), status: 400, message: /Unknown field/ },
    { name: 'device_scale out of range', send: (a) => post(a, { html: 'x', device_scale: 100 }), status: 400, message: /device_scale/ },
    { name: 'viewport wider than allowed', send: (a) => post(a, { html: 'x', viewport_width: 100000, viewport_height: 10 }), status: 400, message: /viewport_width/ },
    { name: 'pixel bomb: 6000x6000 at scale 3', send: (a) => post(a, { html: 'x', viewport_width: 6000, viewport_height: 6000, device_scale: 3 }), status: 400, message: /over the limit of/ },
    { name: 'pixel bomb: snippet 100000px tall at scale 3', send: (a) => post(a, { html: '<div style="width:5000px;height:16000px"></div>', device_scale: 3 }), status: 400, message: /over the limit of/ },
    { name: 'url with file: scheme', send: (a) => post(a, { url: 'file:///etc/passwd' }), status: 400, message: /http or https/ },
    { name: 'url with javascript: scheme', send: (a) => post(a, { url: 'javascript:alert(1)' }), status: 400 },
    { name: 'url to loopback', send: (a) => post(a, { url: `http://127.0.0.1:${P()}/` }), status: 400, message: /private/ },
    { name: 'url to localhost by name', send: (a) => post(a, { url: `http://localhost:${P()}/` }), status: 400, message: /private/ },
    { name: 'url to decimal loopback', send: (a) => post(a, { url: `http://2130706433:${P()}/` }), status: 400, message: /private/ },
    { name: 'url to IPv4-mapped loopback', send: (a) => post(a, { url: `http://[::ffff:127.0.0.1]:${P()}/` }), status: 400, message: /private/ },
    { name: 'url to IPv6 loopback', send: (a) => post(a, { url: `http://[::1]:${P()}/` }), status: 400, message: /private/ },
    { name: 'url to cloud metadata', send: (a) => post(a, { url: 'http://169.254.169.254/latest/meta-data/' }), status: 400, message: /private/ },
    { name: 'runaway script while(true){}', send: (a) => post(a, { html: '<div>x</div><script>while(true){}</script>' }), status: 400, message: /longer than 3000 ms/ },
    { name: 'alert() loop', send: (a) => post(a, { html: '<div>x</div><script>while(true){alert(1)}</script>' }), status: 400 },
    { name: 'memory bomb', send: (a) => post(a, { html: '<div>x</div><script>let a=[];while(true)a.push(new Array(1e6).fill(Math.random()))</script>' }), status: 400 },
    { name: 'page closes its own window', send: (a) => post(a, { html: '<div>x</div><script>window.close()</script>' }), status: 400, message: /^The page closed itself \(window\.close\(\)\) before it could be captured$/ },
    { name: 'invalid selector', send: (a) => post(a, { html: '<p>x</p>', selector: '###' }), status: 400, message: /selector/ },
    { name: 'unknown timezone', send: (a) => post(a, { html: '<p>x</p>', timezone: 'Mars/Olympus' }), status: 400, message: /timezone/ },
    { name: 'file upload in multipart', send: (a) => request(a.handler).post('/v1/image').set('Authorization', basicAuth()).field('html', 'x').attach('file', Buffer.from('x'), 'x.txt'), status: 400, message: /File uploads/ },
    { name: 'traversal id on GET', send: (a) => request(a.handler).get('/v1/image/..%2F..%2Fetc%2Fpasswd'), status: 404 },
    { name: 'traversal id on DELETE', send: (a) => request(a.handler).delete('/v1/image/..%2Frequest.json').set('Authorization', basicAuth()), status: 404 },
    { name: 'encoded dot segments in GET', send: (a) => request(a.handler).get('/v1/image/%2e%2e'), status: 404 },
    { name: 'absurd resize', send: async (a) => {
      const { body } = await post(a, { html: '<b>x</b>', device_scale: 1 });
      return request(a.handler).get(`/v1/image/${body.id}.png?width=99999&height=99999`);
    }, status: 400, message: /width/ },
    { name: 'unsupported extension', send: (a) => request(a.handler).get('/v1/image/0190b1d2-0000-7000-8000-000000000000.exe'), status: 422 },
  ];

  it(`has at least 25 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await c.send(api);
    expect(res.status).toBe(c.status);
    expect(res.body).toMatchObject({ statusCode: c.status, error: expect.any(String), message: expect.any(String) });
    if (c.message) expect(res.body.message).toMatch(c.message);
    // Nothing internal leaks: no stack frames, no file paths, no secrets.
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\(|node_modules|\/work\/|tester-secret-key/);
    expect(privateHits).toBe(0);

    // And the service still renders normally afterwards.
    const ok = await post(api, { html: '<div style="width:20px;height:10px;background:#0f0"></div>', device_scale: 1 });
    expect(ok.status).toBe(200);
    const img = await decodeImage((await request(api.handler).get(`/v1/image/${ok.body.id}`).buffer(true)).body);
    expect([img.width, img.height]).toEqual([20, 10]);
    expect(img.pixel(10, 5)).toEqual([0, 255, 0, 255]);
  });
});

describe('shared limits across API replicas', () => {
  it('rate-limits a key with 429 and Retry-After, counted across two API processes', async () => {
    const env = testEnv({ RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_BURST: '3' });
    const logger = createLogger('test', 'silent');
    const a = createApiApp(loadConfig(env), logger);
    const b = createApiApp(loadConfig(env), logger);
    try {
      await Promise.all([a.ready(), b.ready()]);
      // Invalid bodies still count as requests, and need no worker.
      const statuses: number[] = [];
      for (const app of [a, b, a, b]) {
        statuses.push((await request(app.handler).post('/v1/image').set('Authorization', basicAuth()).send({})).status);
      }
      expect(statuses).toEqual([400, 400, 400, 429]);
      const limited = await request(b.handler).post('/v1/image').set('Authorization', basicAuth()).send({});
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.body).toMatchObject({ error: 'Too Many Requests', statusCode: 429 });
      // Another key is not affected.
      const other = await request(a.handler).post('/v1/image').set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey)).send({});
      expect(other.status).toBe(400);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses creates at once with 429 when the queue is full, without a race between replicas', async () => {
    // No worker runs: admitted jobs stay pending, so exactly QUEUE_MAX_PENDING are admitted.
    const env = testEnv({ QUEUE_MAX_PENDING: '3', QUEUE_RETRY_AFTER_S: '7', RENDER_WAIT_MS: '4000' });
    const logger = createLogger('test', 'silent');
    const a = createApiApp(loadConfig(env), logger);
    const b = createApiApp(loadConfig(env), logger);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          request((i % 2 ? a : b).handler).post('/v1/image').set('Authorization', basicAuth()).send({ html: `<p>${i}</p>` }),
        ),
      );
      const refused = results.filter((r) => r.status === 429);
      expect(refused).toHaveLength(5);
      for (const r of refused) {
        expect(r.headers['retry-after']).toBe('7');
        expect(r.body.message).toMatch(/queue is full/);
      }
      // The admitted ones waited for a render that never came: 503, not a hang.
      expect(results.filter((r) => r.status === 503)).toHaveLength(3);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
