// Image credits and rate limits as hcti documents them (getting-started/using-the-api/rate-limits,
// management-api/usage): no per-minute limit on creating images unless the operator sets one;
// an optional image allowance per account and billing period with hcti's plan-limit 429; the
// three x-renders-* headers on every create; billing periods oldest first. A real API and worker.
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage } from '../support/decode-image';

jest.setTimeout(120_000);

const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
const div = (color: string) => `<div style="width:8px;height:8px;background:${color}"></div>`;
const credits = (res: request.Response) => [res.headers['x-renders-allowed'], res.headers['x-renders-consumed'], res.headers['x-renders-used']];

describe('image credits with an allowance (IMAGE_ALLOWANCE=3)', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack({ IMAGE_ALLOWANCE: '3' });
  });
  afterAll(() => stack?.close());

  const post = (path: string, body: object, auth = basicAuth()) => request(stack.api.handler).post(path).set('Authorization', auth).send(body);
  const jobsTotal = async () => Object.values(await stack.api.queue.counts()).reduce((a, b) => a + b, 0);

  it('states the credits on every create, spends one per image rendered, then refuses with the plan-limit 429', async () => {
    const first = await post('/v1/image', { html: div('#100000'), device_scale: 1 });
    expect(first.status).toBe(200);
    expect(credits(first)).toEqual(['3', '1', '1']);
    // A duplicate is the stored image: no credit (guides/advanced/duplicate-detection).
    const duplicate = await post('/v1/image', { html: div('#100000'), device_scale: 1 });
    expect([duplicate.body.id, credits(duplicate)]).toEqual([first.body.id, ['3', '0', '1']]);
    const batch = await post('/v1/image/batch', { default_options: { device_scale: 1 }, variations: [{ html: div('#200000') }, { html: div('#300000') }] });
    expect([batch.status, credits(batch)]).toEqual([200, ['3', '2', '3']]);

    const jobs = await jobsTotal();
    const refused = await post('/v1/image', { html: div('#400000'), device_scale: 1 });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: 'Plan limit exceeded',
      statusCode: 429,
      message: "You've used 3 of your 3 image credits. The operator of this service sets the allowance (IMAGE_ALLOWANCE)",
    });
    // Waiting does not bring credits back: no Retry-After, and nothing was queued.
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(await jobsTotal()).toBe(jobs);
    // A batch that does not fit is refused whole.
    expect((await post('/v1/image/batch', { variations: [{ html: div('#500000') }] })).status).toBe(429);
    // A new signed URL is a render too; the stored image stays served.
    const query = new URLSearchParams({ html: div('#600000'), device_scale: '1' }).toString();
    const token = createHmac('sha256', TEST_KEYS.key).update(query).digest('hex');
    const signed = await request(stack.api.handler).get(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}?${query}`);
    expect([signed.status, signed.body.error]).toEqual([429, 'Plan limit exceeded']);
    expect((await post('/v1/image', { html: div('#100000'), device_scale: 1 })).status).toBe(200);
    const img = await decodeImage((await request(stack.api.handler).get(`/v1/image/${first.body.id}`).buffer(true)).body);
    expect(img.pixel(4, 4)).toEqual([0x10, 0, 0, 255]);

    // The allowance is each account's: another one still renders.
    const other = await post('/v1/image', { html: div('#700000'), device_scale: 1 }, OTHER);
    expect([other.status, credits(other)]).toEqual([200, ['3', '1', '1']]);

    // The period's total, in hcti's usage report: billing periods oldest first, this one last.
    const usage = (await request(stack.api.handler).get('/v1/usage').set('Authorization', basicAuth())).body;
    expect(usage.per_billing_period.at(-1).total_images).toBe(3);
    const starts = usage.per_billing_period.map((p: { start: string }) => p.start);
    expect(starts).toEqual([...starts].sort());
  });
});

describe('no per-minute limit on creating images by default', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack();
  });
  afterAll(() => stack?.close());

  it('lets 150 requests of one key through at once (the old default bucket held 100), without RateLimit headers', async () => {
    // Invalid bodies are requests like any other and need no render.
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const res = await request(stack.api.handler).post('/v1/image').set('Authorization', basicAuth()).send({});
      statuses.push(res.status);
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    }
    expect(new Set(statuses)).toEqual(new Set([400]));
  });

  it('states the credits without an allowance: x-renders-allowed is 0', async () => {
    const res = await request(stack.api.handler).post('/v1/image').set('Authorization', basicAuth()).send({ html: div('#010101'), device_scale: 1 });
    expect([res.status, credits(res)]).toEqual([200, ['0', '1', '1']]);
  });
});
