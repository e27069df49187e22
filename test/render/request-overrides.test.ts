// request_overrides through the API and a real worker's Chromium (hcti parameters/request_overrides):
// a loopback "CDN" counts every request that reaches it, so a blocked request is one it never
// sees; the same render without the rule is the control that shows the counting works. Url
// captures, html renders, templates and form bodies; not signed create-and-render URLs.
import type http from 'node:http';
import sharp from 'sharp';
import request from 'supertest';
import { createHmac } from 'node:crypto';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { decodeImage } from '../support/decode-image';

jest.setTimeout(120_000);

describe('request_overrides block requests in the browser', () => {
  let stack: InProcessStack;
  let cdn: LoopbackServer;
  let site: LoopbackServer;
  let api: http.RequestListener;
  const hits: string[] = [];
  let greenPng: Buffer;

  beforeAll(async () => {
    greenPng = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#00ff00' } }).png().toBuffer();
    cdn = await serveOnLoopback((req, res) => {
      hits.push(req.url!);
      if (req.url!.endsWith('.png')) return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(greenPng);
      if (req.url!.endsWith('.js')) return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end("document.body.style.background = '#ff0000';");
      if (req.url!.endsWith('.css')) return void res.writeHead(200, { 'Content-Type': 'text/css' }).end('#styled { background: #0000ff; }');
      res.writeHead(404).end();
    });
    site = await serveOnLoopback((req, res) => {
      if (req.url === '/favicon.ico') return void res.writeHead(404).end();
      const tag = req.url!.slice(1);
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(page(tag));
    });
    stack = await startInProcessStack({ URL_ALLOWLIST: '127.0.0.1' });
    api = stack.api.handler;
  });
  afterAll(async () => {
    await stack?.close();
    await site?.close();
    await cdn?.close();
  });

  /** A page with a stylesheet, an image and a script from the CDN, each named for this case. */
  const page = (tag: string) =>
    `<html><head><link rel="stylesheet" href="${cdn.origin}/${tag}/style.css"></head>` +
    `<body style="margin:0;background:#fff"><div id="styled" style="width:20px;height:20px"></div>` +
    `<img src="${cdn.origin}/${tag}/photo.png" style="display:block;width:20px;height:20px">` +
    `<script src="${cdn.origin}/${tag}/app.js"></script></body></html>`;
  const seen = (tag: string) => hits.filter((h) => h.startsWith(`/${tag}/`)).map((h) => h.slice(tag.length + 2)).sort();
  const create = (body: object) => request(api).post('/v1/image').set('Authorization', basicAuth()).send(body);
  const render = async (body: object) => {
    const res = await create({ viewport_width: 40, viewport_height: 60, device_scale: 1, ...body });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
    return decodeImage((await request(api).get(`/v1/image/${res.body.id}`).buffer(true)).body);
  };
  const rgb = (px: number[]) => px.slice(0, 3);

  it('url capture: the script (by url wildcard) and the image (by type) never reach their origin; the stylesheet does', async () => {
    const control = await render({ url: `${site.origin}/control` });
    expect(seen('control')).toEqual(['app.js', 'photo.png', 'style.css']);
    expect(rgb(control.pixel(30, 50))).toEqual([255, 0, 0]);

    const img = await render({
      url: `${site.origin}/blocked`,
      request_overrides: [
        { action: 'block', url: `*://127.0.0.1:${new URL(cdn.origin).port}/*.js` },
        { action: 'block', resource_types: ['image'] },
      ],
    });
    expect(seen('blocked')).toEqual(['style.css']);
    // The stylesheet applied, the image is missing, the script did not run.
    expect(rgb(img.pixel(10, 10))).toEqual([0, 0, 255]);
    expect(rgb(img.pixel(10, 30))).not.toEqual([0, 255, 0]);
    expect(rgb(img.pixel(30, 50))).toEqual([255, 255, 255]);
  });

  it('a rule with both matchers needs both: a script rule does not block the image of the same host', async () => {
    await render({ url: `${site.origin}/both`, request_overrides: [{ action: 'block', url: `${cdn.origin}/both/*`, resource_types: ['script'] }] });
    expect(seen('both')).toEqual(['photo.png', 'style.css']);
  });

  it('html renders: the rule blocks the subresource, and a document without rules still loads it', async () => {
    const html = (tag: string) => `<img src="${cdn.origin}/${tag}/photo.png" style="display:block;width:20px;height:20px">`;
    const open = await render({ html: html('html-open') });
    expect(seen('html-open')).toEqual(['photo.png']);
    expect(rgb(open.pixel(10, 10))).toEqual([0, 255, 0]);
    const blocked = await render({ html: html('html-blocked'), request_overrides: [{ action: 'block', resource_types: ['img'] }] });
    expect(seen('html-blocked')).toEqual([]);
    expect(rgb(blocked.pixel(10, 10))).not.toEqual([0, 255, 0]);
  });

  it('templates: rules saved with the template apply to its renders; a form body sends them as one JSON field', async () => {
    const saved = await request(api)
      .post('/v1/template')
      .set('Authorization', basicAuth())
      .send({ html: `<img src="${cdn.origin}/{{tag}}/photo.png" width="20" height="20">`, device_scale: 1, request_overrides: [{ action: 'block', url: '*/photo.png' }] });
    expect(saved.status).toBe(201);
    const res = await create({ template_id: saved.body.template_id, template_values: { tag: 'templated' } });
    expect(res.status).toBe(200);
    expect(seen('templated')).toEqual([]);

    const form = new URLSearchParams({ url: `${site.origin}/form`, request_overrides: JSON.stringify([{ action: 'block', resource_types: ['stylesheet', 'script'] }]) });
    const formRes = await request(api).post('/v1/image').set('Authorization', basicAuth()).type('form').send(form.toString());
    expect(formRes.status).toBe(200);
    expect(seen('form')).toEqual(['photo.png']);
  });

  it('is refused in signed create-and-render URLs, as hcti refuses it, and bad rules are 400s naming them', async () => {
    const query = new URLSearchParams({ url: `${site.origin}/signed`, request_overrides: '[{"action":"block","url":"*"}]' }).toString();
    const token = createHmac('sha256', TEST_KEYS.key).update(query).digest('hex');
    const signed = await request(api).get(`/v1/image/create-and-render/${TEST_KEYS.id}/${token}?${query}`);
    expect([signed.status, signed.body.message]).toEqual([400, 'request_overrides is not supported in signed create-and-render URLs: send it with POST /v1/image']);
    const bad = await create({ html: 'x', request_overrides: [{ action: 'block', resource_types: ['image'] }, { action: 'block' }] });
    expect([bad.status, bad.body.message]).toEqual([400, 'request_overrides[1] needs a url, resource_types, or both']);
    expect(seen('signed')).toEqual([]);
  });
});
