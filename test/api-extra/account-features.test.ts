// Batch, list, usage, dedupe, metadata and format, and account isolation, through the HTTP API
// with a worker in the same process: real Redis, real Chromium, filesystem storage.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { ApiApp } from '../../apps/api/src/app';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage } from '../support/decode-image';

const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
const div = (colour: string, w = 20, h = 10, text = '') =>
  `<div style="width:${w}px;height:${h}px;background:${colour}">${text}</div>`;

describe('batch, listing, usage and dedupe', () => {
  let api: ApiApp;
  let stack: InProcessStack;
  let page: http.Server;
  let pageUrl: string;

  beforeAll(async () => {
    page = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(div('#00f', 30, 30)));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    stack = await startInProcessStack({ PUBLIC_URL: 'http://img.test', URL_ALLOWLIST: '127.0.0.1', IMAGE_BATCH_MAX: '5' });
    api = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => page?.close(resolve));
  });

  const post = (path: string, body: object, auth = basicAuth()) => request(api.handler).post(path).set('Authorization', auth).send(body);
  const list = (query = '', auth = basicAuth()) => request(api.handler).get(`/v1/images${query}`).set('Authorization', auth);
  const pixelOf = async (id: string, x = 2, y = 2) => (await decodeImage((await request(api.handler).get(`/v1/image/${id}`).buffer(true)).body)).pixel(x, y);
  const jobsTotal = async () => Object.values(await api.queue.counts()).reduce((a, b) => a + b, 0);

  describe('POST /v1/image/batch', () => {
    it('merges each variation over default_options and answers the images in order', async () => {
      const res = await post('/v1/image/batch', {
        default_options: { device_scale: 1, css: 'div{border:0}', dedupe_duration_s: 0 },
        variations: [{ html: div('#f00') }, { html: div('#0f0', 40), format: 'jpg' }, { html: div('#00f'), device_scale: 2 }],
      });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['images']);
      expect(res.body.images).toHaveLength(3);
      const [a, b, c] = res.body.images as { id: string; url: string }[];
      expect(Object.keys(a!).sort()).toEqual(['id', 'url']);
      expect(a!.url).toBe(`http://img.test/v1/image/${a!.id}`);
      expect(b!.url).toBe(`http://img.test/v1/image/${b!.id}.jpg`);
      expect(await pixelOf(a!.id)).toEqual([255, 0, 0, 255]);
      expect(await pixelOf(b!.id)).toEqual([0, 255, 0, 255]);
      const big = await decodeImage((await request(api.handler).get(`/v1/image/${c!.id}`).buffer(true)).body);
      expect([big.width, big.height]).toEqual([40, 20]); // device_scale 2 from the variation wins
      expect((await decodeImage((await request(api.handler).get(`/v1/image/${b!.id}`).buffer(true)).body)).width).toBe(40);
    });

    it('refuses the whole batch when one variation is invalid, naming its index, and queues nothing', async () => {
      const before = await jobsTotal();
      const listed = (await list()).body.images.length;
      const res = await post('/v1/image/batch', {
        default_options: { device_scale: 1 },
        variations: [{ html: div('#123') }, { html: div('#456') }, { html: div('#789'), device_scale: 9 }],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Bad Request', statusCode: 400, message: 'variations[2]: device_scale must be between 0.1 and 3' });
      const missing = await post('/v1/image/batch', { variations: [{ html: div('#123') }, { css: 'p{}' }] });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/^variations\[1\]: HTML is Required/);
      const unknownTemplate = await post('/v1/image/batch', { variations: [{ html: div('#123') }, { template_id: 't-00000000-0000-4000-8000-000000000000' }] });
      expect(unknownTemplate.status).toBe(400);
      expect(unknownTemplate.body.message).toBe('variations[1]: Template not found');
      expect(await jobsTotal()).toBe(before);
      expect((await list()).body.images.length).toBe(listed);
    });

    it('refuses bodies that are not a batch', async () => {
      const cases: [object, RegExp][] = [
        [{}, /variations is required/],
        [{ variations: [] }, /variations is required/],
        [{ variations: 'nope' }, /variations is required/],
        [{ variations: Array.from({ length: 6 }, () => ({ html: 'x' })) }, /at most 5/],
        [{ variations: [{ html: 'x' }], default_options: 3 }, /default_options must be an object/],
        [{ variations: [{ html: 'x' }], extra: 1 }, /Unknown field: extra/],
        [{ variations: ['x'] }, /variations\[0\]: must be an object/],
      ];
      for (const [body, message] of cases) {
        const res = await post('/v1/image/batch', body);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
      }
      expect((await request(api.handler).post('/v1/image/batch').send({ variations: [{ html: 'x' }] })).status).toBe(401);
    });
  });

  describe('DELETE /v1/image/batch', () => {
    it('deletes the images of the caller, and nothing when one id is not theirs', async () => {
      const { body } = await post('/v1/image/batch', {
        default_options: { device_scale: 1, dedupe_duration_s: 0 },
        variations: [{ html: div('#111') }, { html: div('#222') }],
      });
      const ids = (body.images as { id: string }[]).map((i) => i.id);
      const theirs = (await post('/v1/image', { html: div('#333'), device_scale: 1 }, OTHER)).body.id as string;

      const mixed = await request(api.handler).delete('/v1/image/batch').set('Authorization', basicAuth()).send({ ids: [...ids, theirs] });
      expect(mixed.status).toBe(404);
      for (const id of [...ids, theirs]) expect((await request(api.handler).get(`/v1/image/${id}`)).status).toBe(200);

      const byOther = await request(api.handler).delete('/v1/image/batch').set('Authorization', OTHER).send({ ids });
      expect(byOther.status).toBe(404);

      const del = await request(api.handler).delete('/v1/image/batch').set('Authorization', basicAuth()).send({ ids });
      expect(del.status).toBe(202);
      for (const id of ids) expect((await request(api.handler).get(`/v1/image/${id}`)).status).toBe(404);
      const listedIds = (await list('?count=50')).body.images.map((i: { id: string }) => i.id);
      for (const id of ids) expect(listedIds).not.toContain(id);
      expect((await request(api.handler).get(`/v1/image/${theirs}`)).status).toBe(200);

      const bad = await request(api.handler).delete('/v1/image/batch').set('Authorization', basicAuth()).send({ ids: 'x' });
      expect(bad.status).toBe(400);
    });
  });

  describe('GET /v1/images', () => {
    it('lists newest first with metadata, pages with an opaque token, and never shows another account', async () => {
      const account = basicAuth();
      const mine: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await post('/v1/image', { html: div('#abc', 10 + i), device_scale: 1, metadata: { n: i, tag: 'list' } });
        expect(res.status).toBe(200);
        mine.unshift(res.body.id);
      }
      await post('/v1/image', { html: div('#cba'), device_scale: 1 }, OTHER);

      const first = await list('?count=2', account);
      expect(first.status).toBe(200);
      expect(Object.keys(first.body).sort()).toEqual(['has_next_page', 'images', 'next_page_token']);
      expect(first.body.images.map((i: { id: string }) => i.id)).toEqual(mine.slice(0, 2));
      expect(first.body.images[0]).toEqual({
        id: mine[0],
        url: `http://img.test/v1/image/${mine[0]}`,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        metadata: { n: 4, tag: 'list' },
      });
      expect(first.body.has_next_page).toBe(true);
      expect(first.body.next_page_token).toMatch(/^[A-Za-z0-9_-]+$/);

      const second = await list(`?count=2&page_token=${first.body.next_page_token}`, account);
      expect(second.body.images.map((i: { id: string }) => i.id)).toEqual(mine.slice(2, 4));

      // Walking every page yields each of the account's images once, and none of the other's.
      const seen: string[] = [];
      let token: string | null = null;
      do {
        const res = await list(`?count=3${token ? `&page_token=${token}` : ''}`, account);
        seen.push(...res.body.images.map((i: { id: string }) => i.id));
        token = res.body.next_page_token;
        expect(res.body.has_next_page).toBe(token !== null);
      } while (token);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.slice(0, 5)).toEqual(mine);

      const theirs = await list('?count=50', OTHER);
      expect(theirs.body.images.some((i: { id: string }) => mine.includes(i.id))).toBe(false);
      // A token of one account is refused to another.
      const stolen = await list(`?page_token=${first.body.next_page_token}`, OTHER);
      expect(stolen.status).toBe(400);
      expect(stolen.body.message).toMatch(/page_token is not valid/);
    });

    it('checks count and page_token, and requires auth', async () => {
      for (const q of ['?count=0', '?count=51', '?count=abc', '?count=-1', '?count=2.5']) {
        const res = await list(q);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('count must be a whole number from 1 to 50');
      }
      for (const q of ['?page_token=%2E%2E', '?page_token=bm90LWEta2V5', '?page_token=']) expect((await list(q)).status).toBe(400);
      expect((await request(api.handler).get('/v1/images')).status).toBe(401);
    });
  });

  describe('GET /v1/usage', () => {
    it('counts rendered images per hour, day and month in the hosted API shape', async () => {
      const before = (await request(api.handler).get('/v1/usage').set('Authorization', basicAuth())).body;
      expect(Object.keys(before).sort()).toEqual(['data', 'per_billing_period']);
      expect(Object.keys(before.data.hour)).toHaveLength(72);
      expect(Object.keys(before.data.day)).toHaveLength(60);
      expect(Object.keys(before.data.month)).toHaveLength(12);
      const hourKey = Object.keys(before.data.hour).pop()!;
      expect(hourKey).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
      expect(Object.keys(before.data.day).pop()).toMatch(/^\d{4}-\d\d-\d\dT00:00:00Z$/);
      const monthKey = Object.keys(before.data.month).pop()!;
      expect(monthKey).toMatch(/^\d{4}-\d\d-01T00:00:00Z$/);
      // Billing periods oldest first (hcti management-api/usage): the current one is the last.
      expect(before.per_billing_period).toHaveLength(12);
      expect(before.per_billing_period.at(-1)).toEqual({ total_images: before.data.month[monthKey], start: monthKey, end: expect.stringMatching(/-01T00:00:00Z$/) });
      const starts = before.per_billing_period.map((p: { start: string }) => p.start);
      expect(starts).toEqual([...starts].sort());

      const rendered = await post('/v1/image', { html: div('#0a0a0a', 12), device_scale: 1, dedupe_duration_s: 0 });
      expect(rendered.status).toBe(200);
      // A duplicate is answered from storage and is not a new render.
      const again = await post('/v1/image', { html: div('#0b0b0b', 12), device_scale: 1 });
      await post('/v1/image', { html: div('#0b0b0b', 12), device_scale: 1 });
      expect(again.status).toBe(200);
      const after = (await request(api.handler).get('/v1/usage').set('Authorization', basicAuth())).body;
      const hourNow = Object.keys(after.data.hour).pop()!;
      const grew = after.data.hour[hourNow] - (hourNow === hourKey ? before.data.hour[hourKey] : 0);
      expect(grew).toBe(2);
      expect(after.data.month[monthKey] - before.data.month[monthKey]).toBe(2);
      expect((await request(api.handler).get('/v1/usage')).status).toBe(401);
    });
  });

  describe('dedupe, metadata, format, max_render_once', () => {
    it('returns the existing image for an identical html create, unless dedupe is off', async () => {
      const body = { html: div('#fedcba', 14), device_scale: 1, metadata: { k: 'v' } };
      const a = await post('/v1/image', body);
      const b = await post('/v1/image', body);
      expect(b.body.id).toBe(a.body.id);
      const asJpg = await post('/v1/image', { ...body, format: 'jpg' });
      expect(asJpg.body.url).toMatch(/\.jpg$/);
      // A different payload (one character, or other metadata) is a new image.
      expect((await post('/v1/image', { ...body, metadata: { k: 'w' } })).body.id).not.toBe(a.body.id);
      expect((await post('/v1/image', { ...body, dedupe_duration_s: 0 })).body.id).not.toBe(a.body.id);
      // Another account never receives my image.
      expect((await post('/v1/image', body, OTHER)).body.id).not.toBe(a.body.id);
      // Once deleted, the same payload renders again.
      await request(api.handler).delete(`/v1/image/${a.body.id}`).set('Authorization', basicAuth());
      const c = await post('/v1/image', body);
      expect(c.status).toBe(200);
      expect(c.body.id).not.toBe(a.body.id);
      expect(await pixelOf(c.body.id)).toEqual([0xfe, 0xdc, 0xba, 255]);
    });

    it('does not dedupe url creates by default, and does when asked', async () => {
      const body = { url: pageUrl, viewport_width: 60, viewport_height: 40 };
      const a = await post('/v1/image', body);
      expect(a.status).toBe(200);
      expect((await post('/v1/image', body)).body.id).not.toBe(a.body.id);
      const c = await post('/v1/image', { ...body, dedupe_duration_s: 60 });
      expect((await post('/v1/image', { ...body, dedupe_duration_s: 60 })).body.id).toBe(c.body.id);
      expect(await pixelOf(c.body.id, 20, 20)).toEqual([0, 0, 255, 255]); // inside the div, past the body margin
    });

    it('keeps metadata and max_render_once in the stored request; validates them', async () => {
      const res = await post('/v1/image', { html: div('#aaa'), device_scale: 1, metadata: { a: 1, b: 'x', c: true }, max_render_once: 'true', format: 'webp' });
      expect(res.status).toBe(200);
      expect(res.body.url).toBe(`http://img.test/v1/image/${res.body.id}.webp`);
      const record = JSON.parse((await api.storage.get(`images/${res.body.id}/request.json`))!.toString());
      expect(record.request).toMatchObject({ metadata: { a: 1, b: 'x', c: true }, max_render_once: true, format: 'webp' });
      for (const [body, message] of [
        [{ html: 'x', metadata: [1] }, /metadata/],
        [{ html: 'x', metadata: { a: { deep: 1 } } }, /metadata/],
        [{ html: 'x', dedupe_duration_s: -1 }, /dedupe_duration_s/],
        [{ html: 'x', dedupe_duration_s: 'soon' }, /dedupe_duration_s/],
        [{ html: 'x', max_render_once: 'maybe' }, /max_render_once/],
        [{ html: 'x', format: 'gif' }, /format/],
      ] as [object, RegExp][]) {
        const bad = await post('/v1/image', body);
        expect(bad.status).toBe(400);
        expect(bad.body.message).toMatch(message);
      }
    });
  });
});
