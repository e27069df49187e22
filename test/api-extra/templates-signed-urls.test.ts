// Templates (create, edit, versions, list, Handlebars rendering) and signed URLs (HMAC tokens
// computed here independently, render once then serve from storage), with account isolation.
import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { ApiApp } from '../../apps/api/src/app';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage, sniffFormat } from '../support/decode-image';

const OTHER = basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey);
// The example of the hosted API's documentation: this key signs this query as this token.
const DOCS = { id: 'docs', key: 'your-api-key-here', query: 'html=%3Cdiv%3EHello%3C%2Fdiv%3E', token: 'ac5553c5a9031e09f4580101080045e7e4cbd1734aa1b53a94f1006c3496ca21' };

/** Lowercase hex HMAC-SHA256 of the query string, keyed with the API key: computed here, not by the service. */
const hmac = (query: string, key: string) => createHmac('sha256', key).update(query).digest('hex');

/** Query string of a templated signed URL as the hosted API's clients build it: keys sorted, values JSON. */
const templateQuery = (values: Record<string, unknown>) => {
  const params = new URLSearchParams();
  for (const key of Object.keys(values).sort()) params.append(key, JSON.stringify(values[key]));
  return params.toString();
};

const CARD = '<div style="display:inline-block;width:{{w}}px;height:10px;background:{{color}}"></div>';

describe('templates and signed URLs', () => {
  let api: ApiApp;
  let stack: InProcessStack;

  beforeAll(async () => {
    stack = await startInProcessStack({
      PUBLIC_URL: 'http://img.test',
      API_KEYS: `${TEST_KEYS.id}:${TEST_KEYS.key},${TEST_KEYS.otherId}:${TEST_KEYS.otherKey},${DOCS.id}:${DOCS.key}`,
      // ETags of originals are compared across GETs: the deferred re-encode (the default)
      // rewrites an original once after its render, with a new size and so a new ETag.
      PNG_OPTIMIZE: 'inline',
    });
    api = stack.api;
  });

  afterAll(() => stack?.close());

  const post = (path: string, body: object, auth = basicAuth()) => request(api.handler).post(path).set('Authorization', auth).send(body);
  const get = (path: string, auth?: string) => (auth ? request(api.handler).get(path).set('Authorization', auth) : request(api.handler).get(path));
  const image = async (path: string) => {
    const res = await request(api.handler).get(path).buffer(true);
    return { res, img: res.status === 200 ? await decodeImage(res.body) : undefined };
  };
  const jobsTotal = async () => Object.values(await api.queue.counts()).reduce((a, b) => a + b, 0);
  const newTemplate = async (body: object = { html: CARD, device_scale: 1 }, auth = basicAuth()) => {
    const res = await post('/v1/template', body, auth);
    expect(res.status).toBe(201);
    return res.body as { template_id: string; template_version: number };
  };

  describe('template routes', () => {
    it('creates a template: 201 with a t-uuid id and a ms version', async () => {
      const before = Date.now();
      const res = await post('/v1/template', { html: CARD, css: 'div{margin:0}', name: 'Card', description: 'A card', device_scale: 1 });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['template_id', 'template_version']);
      expect(res.body.template_id).toMatch(/^t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(res.body.template_version).toBeGreaterThanOrEqual(before);
      expect(res.body.template_version).toBeLessThanOrEqual(Date.now());
    });

    it('refuses bad templates with 400 naming the problem', async () => {
      const cases: [object, RegExp][] = [
        [{}, /^HTML is Required$/],
        [{ css: 'p{}' }, /^HTML is Required$/],
        [{ html: 'x', name: 'n'.repeat(65) }, /name is longer than 64/],
        [{ html: 'x', description: 'd'.repeat(1025) }, /description is longer than 1024/],
        [{ html: 'x', url: 'https://example.com' }, /url is not accepted by templates/],
        [{ html: '{{#each xs}}' }, /html is not a valid Handlebars template/],
        [{ html: '{{> partial}}' }, /partials/],
        [{ html: 'x', css: '{{#if}}' }, /css is not a valid Handlebars template/],
        // The default TEMPLATE_MAX_TAGS (1,000): 5,000 nested blocks held the parser for ~48 s.
        [{ html: `${'{{#if a}}'.repeat(5000)}x${'{{/if}}'.repeat(5000)}` }, /html has more than 1000 Handlebars tags/],
        [{ html: 'x', css: '{{a}}'.repeat(1001) }, /css has more than 1000 Handlebars tags/],
        [{ html: 'x', device_scale: 9 }, /device_scale/],
        [{ html: 'x', bogus: 1 }, /Unknown field: bogus/],
      ];
      for (const [body, message] of cases) {
        const res = await post('/v1/template', body);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
      }
      expect((await request(api.handler).post('/v1/template').send({ html: 'x' })).status).toBe(401);
    });

    it('replaces into new versions, lists versions newest first and templates per account', async () => {
      const { template_id, template_version: v1 } = await newTemplate({ html: '<p>one</p>', name: 'Versioned', ms_delay: 0 });
      const edit = await post(`/v1/template/${template_id}`, { html: '<p>two</p>', name: 'Versioned', ms_delay: 0 });
      expect(edit.status).toBe(201);
      expect(edit.body.template_id).toBe(template_id);
      const v2 = edit.body.template_version as number;
      expect(v2).toBeGreaterThan(v1);
      // A replacement: html is required again, and what it leaves out is unset.
      const noHtml = await post(`/v1/template/${template_id}`, { description: 'third' });
      expect(noHtml.status).toBe(400);
      expect(noHtml.body.message).toBe('HTML is Required');
      const v3 = (await post(`/v1/template/${template_id}`, { html: '<p>two</p>', description: 'third' })).body.template_version as number;
      expect(v3).toBeGreaterThan(v2);

      const versions = await get(`/v1/template/${template_id}`, basicAuth());
      expect(versions.status).toBe(200);
      expect(versions.body.pagination).toEqual({ next_page_start: null });
      expect(versions.body.data.map((t: { version: number }) => t.version)).toEqual([v3, v2, v1]);
      expect(versions.body.data[0]).toMatchObject({ template_type: 'html_css', id: template_id, html: '<p>two</p>', name: null, description: 'third', ms_delay: null, css: null });
      expect(versions.body.data[1]).toMatchObject({ name: 'Versioned', ms_delay: 0 });
      expect(versions.body.data[2]).toMatchObject({ html: '<p>one</p>', description: null });
      expect(versions.body.data[0].created_at).toBe(versions.body.data[2].created_at);

      for (const path of ['/v1/templates', '/v1/template']) {
        const listed = await get(path, basicAuth());
        expect(listed.status).toBe(200);
        const entry = listed.body.data.find((t: { id: string }) => t.id === template_id);
        expect(entry).toMatchObject({ version: v3, html: '<p>two</p>' });
        expect(listed.body.data.filter((t: { id: string }) => t.id === template_id)).toHaveLength(1);
      }

      // Another account cannot see, list or edit it.
      expect((await get(`/v1/template/${template_id}`, OTHER)).status).toBe(404);
      expect((await get('/v1/templates', OTHER)).body.data.some((t: { id: string }) => t.id === template_id)).toBe(false);
      const foreignEdit = await post(`/v1/template/${template_id}`, { html: 'mine now' }, OTHER);
      expect(foreignEdit.status).toBe(404);
      expect(foreignEdit.body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Template not found' });
      expect((await get(`/v1/template/${template_id}`, basicAuth())).body.data).toHaveLength(3);
      expect((await get('/v1/template/t-00000000-0000-4000-8000-000000000000', basicAuth())).status).toBe(404);
      expect((await get('/v1/template/not-a-template', basicAuth())).status).toBe(404);
    });
  });

  describe('creating images from templates', () => {
    it('substitutes values, merging the template defaults under the request options', async () => {
      const { template_id } = await newTemplate({ html: CARD, css: 'div{border-top:2px solid {{edge}} }', device_scale: 1 });
      const res = await post('/v1/image', { template_id, template_values: { w: 30, color: '#00ff00', edge: '#ff0000' } });
      expect(res.status).toBe(200);
      expect(res.body.url).toBe(`http://img.test/v1/image/${res.body.id}`);
      const { img } = await image(`/v1/image/${res.body.id}`);
      expect([img!.width, img!.height]).toEqual([30, 12]);
      expect(img!.pixel(15, 0)).toEqual([255, 0, 0, 255]); // css rendered with the values
      expect(img!.pixel(15, 8)).toEqual([0, 255, 0, 255]);

      // Request options win over the template's defaults.
      const scaled = await post('/v1/image', { template_id, template_values: { w: 30, color: '#00ff00', edge: '#f00' }, device_scale: 2 });
      const big = (await image(`/v1/image/${scaled.body.id}`)).img!;
      expect([big.width, big.height]).toEqual([60, 24]);

      // Form bodies send template_values as JSON text.
      const form = await request(api.handler)
        .post('/v1/image')
        .set('Authorization', basicAuth())
        .type('form')
        .send({ template_id, template_values: JSON.stringify({ w: 8, color: '#0000ff', edge: '#00f' }) });
      expect(form.status).toBe(200);
      expect((await image(`/v1/image/${form.body.id}`)).img!.width).toBe(8);
    });

    it('escapes {{x}} and keeps {{{x}}} raw', async () => {
      const block = '<div style="width:30px;height:30px;background:#0000ff"></div>';
      const { template_id } = await newTemplate({ html: '<div style="display:inline-block">{{{raw}}}{{escaped}}</div>', device_scale: 1 });
      const raw = await post('/v1/image', { template_id, template_values: { raw: block, escaped: '' } });
      const rawImg = (await image(`/v1/image/${raw.body.id}`)).img!;
      expect([rawImg.width, rawImg.height]).toEqual([30, 30]);
      expect(rawImg.pixel(15, 15)).toEqual([0, 0, 255, 255]);

      const escaped = await post('/v1/image', { template_id, template_values: { raw: '', escaped: block } });
      expect(escaped.status).toBe(200);
      const record = JSON.parse((await api.storage.get(`images/${escaped.body.id}/request.json`))!.toString());
      expect(record.request.html).toBe('<div style="display:inline-block">&lt;div style&#x3D;&quot;width:30px;height:30px;background:#0000ff&quot;&gt;&lt;/div&gt;</div>');
      expect(record.request.template_id).toBeUndefined();
      expect(record.template).toEqual({ id: template_id, version: expect.any(Number) });
      const text = (await image(`/v1/image/${escaped.body.id}`)).img!;
      expect(text.width).toBeGreaterThan(100); // the markup became text
    });

    it('renders a chosen version, and the hosted API path form of a templated create', async () => {
      const { template_id, template_version: v1 } = await newTemplate({ html: CARD, device_scale: 1 });
      await post(`/v1/template/${template_id}`, { html: CARD.replace('height:10px', 'height:20px'), device_scale: 1 });
      const values = { w: 10, color: '#123456' };
      const latest = await post('/v1/image', { template_id, template_values: values });
      expect((await image(`/v1/image/${latest.body.id}`)).img!.height).toBe(20);
      const old = await post('/v1/image', { template_id, template_version: v1, template_values: values });
      expect((await image(`/v1/image/${old.body.id}`)).img!.height).toBe(10);

      const pathForm = await post(`/v1/image/${template_id}`, { template_values: values });
      expect(pathForm.status).toBe(200);
      expect((await image(`/v1/image/${pathForm.body.id}`)).img!.height).toBe(20);
      const pathVersion = await post(`/v1/image/${template_id}/${v1}`, { template_values: { ...values, w: 11 } });
      expect((await image(`/v1/image/${pathVersion.body.id}`)).img!.width).toBe(11);
      // The path form takes the same bodies as POST /v1/image: a JSON array is not one.
      for (const [path, body] of [[`/v1/image/${template_id}`, []], [`/v1/image/${template_id}/${v1}`, [{ template_values: values }]]] as const) {
        const array = await post(path, body);
        expect([array.status, array.body.message]).toEqual([400, 'The request body must be a JSON object or form fields']);
      }

      const missing = await post('/v1/image', { template_id, template_version: 1, template_values: values });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe(`Template ${template_id} has no version 1`);
    });

    it('never renders another account\'s template, and validates template fields', async () => {
      const { template_id } = await newTemplate({ html: CARD, device_scale: 1 }, OTHER);
      const before = await jobsTotal();
      const res = await post('/v1/image', { template_id, template_values: { w: 5, color: 'red' } });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Template not found' });
      expect((await post(`/v1/image/${template_id}`, { template_values: {} })).status).toBe(404);
      expect(await jobsTotal()).toBe(before);
      for (const [body, message] of [
        [{ template_id, html: '<p>x</p>' }, /either template_id or html/],
        [{ html: '<p>x</p>', template_values: { a: 1 } }, /need a template_id/],
        [{ template_id: 'tpl-1' }, /template_id must look like t-<uuid>/],
        [{ template_id, template_values: [1, 2] }, /template_values must be an object/],
        [{ template_id, template_version: 'latest' }, /template_version/],
      ] as [object, RegExp][]) {
        const bad = await post('/v1/image', body);
        expect(bad.status).toBe(400);
        expect(bad.body.message).toMatch(message);
      }
    });

    it('answers a template that loops too much or renders too much html with 400', async () => {
      const { template_id } = await newTemplate({ html: '{{#each xs}}{{#each ../xs}}{{#each ../../xs}}.{{/each}}{{/each}}{{/each}}' });
      const xs = Array.from({ length: 100 }, (_, i) => i);
      const res = await post('/v1/image', { template_id, template_values: { xs } });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/loops more than/);

      // The rendered html counts against MAX_HTML_CHARS like any other html.
      const { template_id: repeat } = await newTemplate({ html: '{{#each xs}}{{../big}}{{/each}}' });
      const big = await post('/v1/image', { template_id: repeat, template_values: { xs: Array.from({ length: 300 }, () => 0), big: 'x'.repeat(10_000) } });
      expect(big.status).toBe(400);
      expect(big.body.message).toMatch(/html is longer than/);
    });
  });

  describe('signed create-and-render URLs', () => {
    const div = (colour: string, w = 24) => `<div style="width:${w}px;height:12px;background:${colour}"></div>`;

    it('renders on the first GET, then serves the stored image without rendering again', async () => {
      const query = new URLSearchParams({ html: div('#ff00ff'), device_scale: '1' }).toString();
      const path = `/v1/image/create-and-render/${TEST_KEYS.id}/${hmac(query, TEST_KEYS.key)}`;
      const listedBefore = (await get('/v1/images?count=50', basicAuth())).body.images.length;

      const first = await image(`${path}?${query}`);
      expect(first.res.status).toBe(200);
      expect(first.res.headers['content-type']).toBe('image/png');
      expect([first.img!.width, first.img!.height]).toEqual([24, 12]);
      expect(first.img!.pixel(12, 6)).toEqual([255, 0, 255, 255]);

      const jobs = await jobsTotal();
      const second = await image(`${path}/png?${query}`);
      expect(second.res.status).toBe(200);
      expect(second.res.headers.etag).toBe(first.res.headers.etag);
      // The same content signed with its parameters in another order is the same image.
      const reordered = new URLSearchParams({ device_scale: '1', html: div('#ff00ff') }).toString();
      const third = await image(`/v1/image/create-and-render/${TEST_KEYS.id}/${hmac(reordered, TEST_KEYS.key)}?${reordered}`);
      expect(third.res.status).toBe(200);
      expect(await jobsTotal()).toBe(jobs);

      // It is an image of the account like any other: listed once.
      const listed = (await get('/v1/images?count=50', basicAuth())).body.images;
      expect(listed.length).toBe(listedBefore + 1);
      expect((await get(listed[0].url.replace('http://img.test', ''))).status).toBe(200);
    });

    it('renders once when the first GETs of a signed URL arrive together, and lists the image once', async () => {
      const query = new URLSearchParams({ html: div('#00ff80', 18), device_scale: '1' }).toString();
      const path = `/v1/image/create-and-render/${TEST_KEYS.id}/${hmac(query, TEST_KEYS.key)}?${query}`;
      const listedBefore = (await get('/v1/images?count=50', basicAuth())).body.images.length;
      const jobs = await jobsTotal();
      const results = await Promise.all(Array.from({ length: 4 }, () => image(path)));
      for (const r of results) expect(r.img!.pixel(9, 6)).toEqual([0, 255, 0x80, 255]);
      expect(await jobsTotal()).toBe(jobs + 1);
      expect((await get('/v1/images?count=50', basicAuth())).body.images.length).toBe(listedBefore + 1);
    });

    it('serves the format of the path segment', async () => {
      const query = new URLSearchParams({ html: div('#00ffff'), device_scale: '1' }).toString();
      const token = hmac(query, TEST_KEYS.key);
      const jpg = await image(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}/jpg?${query}`);
      expect(jpg.res.status).toBe(200);
      expect(jpg.res.headers['content-type']).toBe('image/jpeg');
      expect(sniffFormat(jpg.res.body)).toBe('jpeg');
      const webp = await request(api.handler).get(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}/webp?${query}`).buffer(true);
      expect(sniffFormat(webp.body)).toBe('webp');
      const gif = await get(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}/gif?${query}`);
      expect(gif.status).toBe(422);
      expect(gif.body.message).toBe('Sorry, we do not currently support that format. Valid image types are: jpg, webp or png');
    });

    it('accepts the published example token of the hosted API', async () => {
      const res = await image(`/v1/image/create-and-render/${DOCS.id}/${DOCS.token}/png?${DOCS.query}`);
      expect(res.res.status).toBe(200);
      expect(res.img!.height).toBeGreaterThan(10);
    });

    it('answers 401 "Invalid token" when the token does not match, with hcti\'s JSON error shape', async () => {
      const query = new URLSearchParams({ html: div('#010203'), device_scale: '1' }).toString();
      const token = hmac(query, TEST_KEYS.key);
      const jobs = await jobsTotal();
      const attempts = [
        `/v1/image/create-and-render/${TEST_KEYS.id}/${token}?${query.replace('010203', '010204')}`, // tampered content
        `/v1/image/create-and-render/${TEST_KEYS.id}/${token}?${query}&width=10`, // extra parameter
        `/v1/image/create-and-render/${TEST_KEYS.otherId}/${token}?${query}`, // another account's id
        `/v1/image/create-and-render/nobody/${token}?${query}`, // unknown id
        `/v1/image/create-and-render/${TEST_KEYS.id}/${hmac(query, TEST_KEYS.otherKey)}?${query}`, // another key
        `/v1/image/create-and-render/${TEST_KEYS.id}/${token.slice(1)}?${query}`, // malformed
        `/v1/image/create-and-render/${TEST_KEYS.id}/${token}`, // query dropped
      ];
      for (const path of attempts) {
        const res = await get(path);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'Unauthorized', statusCode: 401, message: 'Invalid token' });
        // Not a Basic challenge: a browser showing the URL in an <img> must not prompt for credentials.
        expect(res.headers['www-authenticate']).toBeUndefined();
      }
      expect(await jobsTotal()).toBe(jobs);
    });

    it('validates the signed content like a create', async () => {
      const sign = (query: string) => `/v1/image/create-and-render/${TEST_KEYS.id}/${hmac(query, TEST_KEYS.key)}?${query}`;
      const empty = await get(sign(''));
      expect(empty.status).toBe(400);
      expect(empty.body.message).toMatch(/HTML is Required/);
      expect((await get(sign('html=a&html=b'))).body.message).toBe('html appears more than once in the query string');
      expect((await get(sign('html=x&device_scale=9'))).body.message).toMatch(/device_scale/);
      const noMatch = await get(sign(new URLSearchParams({ html: div('#333'), selector: '#absent', device_scale: '1' }).toString()));
      expect(noMatch.status).toBe(400);
      expect(noMatch.body.message).toBe('No visible element matches the selector #absent');
    });
  });

  describe('signed templated URLs', () => {
    it('renders template values from a signed query, once, and follows template versions', async () => {
      const { template_id, template_version: v1 } = await newTemplate({ html: CARD, device_scale: 1 });
      const query = templateQuery({ w: 16, color: '#ff8800' });
      expect(query).toBe('color=%22%23ff8800%22&w=16');
      const url = `/v1/image/${template_id}/${hmac(query, TEST_KEYS.key)}`;
      const first = await image(`${url}/png?${query}`);
      expect(first.res.status).toBe(200);
      expect([first.img!.width, first.img!.height]).toEqual([16, 10]);
      expect(first.img!.pixel(8, 5)).toEqual([255, 0x88, 0, 255]);
      const jobs = await jobsTotal();
      expect((await image(`${url}?${query}`)).res.status).toBe(200);
      expect(await jobsTotal()).toBe(jobs);

      // A new version changes what the unpinned URL renders; a pinned URL keeps its version.
      await post(`/v1/template/${template_id}`, { html: CARD.replace('height:10px', 'height:14px'), device_scale: 1 });
      expect((await image(`${url}?${query}`)).img!.height).toBe(14);
      const pinned = `template_version=${v1}&${query}`;
      const old = await image(`/v1/image/${template_id}/${hmac(pinned, TEST_KEYS.key)}/png?${pinned}`);
      expect(old.img!.height).toBe(10);

      // Nested values are JSON; plain (unencoded) text is taken as is.
      const { template_id: nested } = await newTemplate({ html: '<div style="display:inline-block;width:{{size.w}}px;height:6px;background:{{color}}"></div>', device_scale: 1 });
      const nestedQuery = 'color=navy&size=%7B%22w%22%3A9%7D';
      const nestedImg = await image(`/v1/image/${nested}/${hmac(nestedQuery, TEST_KEYS.key)}?${nestedQuery}`);
      expect(nestedImg.img!.width).toBe(9);
      expect(nestedImg.img!.pixel(4, 3)).toEqual([0, 0, 128, 255]);
    });

    it('answers 401 for a bad token, and 404 when the signer does not own the template', async () => {
      const { template_id } = await newTemplate({ html: CARD, device_scale: 1 });
      const query = templateQuery({ w: 5, color: '#000' });
      expect((await get(`/v1/image/${template_id}/${hmac(query, 'not-a-key-of-ours')}?${query}`)).status).toBe(401);
      expect((await get(`/v1/image/${template_id}/${hmac(query, TEST_KEYS.key)}?${query.replace('5', '6')}`)).body).toEqual({ error: 'Unauthorized', statusCode: 401, message: 'Invalid token' });
      const foreign = await get(`/v1/image/${template_id}/${hmac(query, TEST_KEYS.otherKey)}?${query}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.message).toBe('Template not found');
      // Paths that are not template ids are left to the other image routes.
      expect((await get(`/v1/image/not-a-template/${hmac(query, TEST_KEYS.key)}?${query}`)).status).toBe(404);
    });
  });
});
