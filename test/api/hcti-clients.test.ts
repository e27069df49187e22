// hcti's official clients and Terraform provider, replayed: the image and template requests they
// send (methods, paths, bodies with every unset field as null), read from their source and tests
// (htmlcsstoimage/go-client management/render_definitions.go, rendering.go, templates.go,
// templated_batches.go; terraform-provider-html-css-to-image render_resource.go,
// render_mapping.go, template_data_source.go; dotnet-client; the docs' templated batch example),
// and the answers decoded into the fields those clients read and check. Each resource goes through
// its lifecycle: create, read, update, list with paging, delete, read after delete. The official
// TypeScript client drives its own methods through test/support/official-client.mjs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import express from 'express';
import { createLogger } from '@pixelfarm/config';
import { createStorage, ImageStore } from '@pixelfarm/storage';
import { mountRoutes } from '../../apps/api/src/http/route';
import { requireAuth } from '../../apps/api/src/http/auth.middleware';
import { routeGuard } from '../../apps/api/src/http/authorize.middleware';
import { errorHandler } from '../../apps/api/src/http/error-handler';
import { imageDefinitionRoutes } from '../../apps/api/src/routes/image-definition.routes';
import { ImageDefinitionService } from '../../apps/api/src/services/image-definition.service';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { decodeImage, sniffFormat } from '../support/decode-image';
import { runOfficialClient, type ClientResult } from '../support/run-official-client';

jest.setTimeout(180_000);

type Body = Record<string, unknown>;

// The management package's payload(kind) field lists, in its order: what it sends, null when unset.
const TEMPLATE_FIELDS = ['html', 'name', 'description', 'css', 'device_scale', 'google_fonts', 'max_wait_ms', 'ms_delay', 'render_when_ready', 'selector',
  'viewport_height', 'viewport_width', 'disable_twemoji', 'color_scheme', 'timezone', 'viewport_mobile', 'viewport_landscape', 'viewport_touch', 'media_type',
  'proxy_id', 'storage_destination_id', 'jumbo_max_height', 'jumbo_max_width', 'transparent_background'];
const HTML_CSS_FIELDS = ['html', 'css', 'device_scale', 'google_fonts', 'max_wait_ms', 'metadata', 'ms_delay', 'render_when_ready', 'selector', 'viewport_height',
  'viewport_width', 'pdf_options', 'disable_twemoji', 'max_render_once', 'color_scheme', 'timezone', 'viewport_mobile', 'viewport_landscape', 'viewport_touch',
  'media_type', 'proxy_id', 'storage_destination_id', 'jumbo_max_height', 'jumbo_max_width', 'transparent_background', 'format'];
const URL_FIELDS = ['url', 'css', 'device_scale', 'full_screen', 'max_wait_ms', 'metadata', 'ms_delay', 'render_when_ready', 'selector', 'viewport_height',
  'viewport_width', 'pdf_options', 'disable_twemoji', 'max_render_once', 'color_scheme', 'timezone', 'block_consent_banners', 'identify_as_hcti', 'headers',
  'additional_header_origins', 'include_headers_on_subrequests', 'viewport_mobile', 'viewport_landscape', 'viewport_touch', 'media_type', 'proxy_id',
  'storage_destination_id', 'jumbo_max_height', 'jumbo_max_width', 'transparent_background', 'format'];

/** A management payload: every field of the kind, null unless set; images disable dedupe. */
function payload(fields: string[], set: Body, image: boolean): Body {
  return { ...Object.fromEntries(fields.map((f) => [f, null])), ...set, ...(image ? { dedupe_duration_s: 0 } : {}) };
}

/** What the Terraform provider reads back: each input it sent, as sent (google_fonts compared as a set, as it does). */
function expectSameInputs(read: Body, sent: Body, skip: string[] = []): void {
  for (const [field, value] of Object.entries(sent)) {
    if (['format', 'dedupe_duration_s', ...skip].includes(field)) continue;
    if (field === 'google_fonts' && typeof value === 'string') {
      const fonts = (v: unknown) => String(v).split('|').map((f) => f.trim().replace(/\+/g, ' ')).sort();
      expect({ field, value: fonts(read[field]) }).toEqual({ field, value: fonts(value) });
    } else {
      expect({ field, value: read[field] }).toEqual({ field, value });
    }
  }
}

/** GetImageMetadata's checks: the id, a created_at, a known image_type, and that type's source. */
function expectImageMetadata(read: Body, id: string, kind: 'html_css' | 'url' | 'templated'): void {
  expect(read.id).toBe(id);
  expect(typeof read.created_at).toBe('string');
  expect(read.image_type).toBe(kind);
  if (kind === 'html_css') expect(typeof read.html).toBe('string');
  if (kind === 'url') expect(typeof read.url).toBe('string');
  if (kind === 'templated') {
    expect(read.template_id).toMatch(/^t-/);
    expect(read.template_version).toBeGreaterThan(0);
    expect(Object.keys(read.template_values as Body).length).toBeGreaterThan(0);
  }
}

/** GetTemplateDefinition's checks on each entry of a page. */
function expectTemplateEntry(entry: Body, id: string): void {
  expect(entry.id).toBe(id);
  expect(entry.version).toBeGreaterThan(0);
  expect(typeof entry.created_at).toBe('string');
  expect(typeof entry.updated_at).toBe('string');
  expect(entry.template_type).toBe('html_css');
  expect(typeof entry.html).toBe('string');
  // Go's time.Time and .NET's DateTime parse them.
  expect(Number.isNaN(Date.parse(entry.created_at as string))).toBe(false);
}

const colour = (hex: string): [number, number, number, number] => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), 255];

describe("hcti's official clients and Terraform provider, replayed", () => {
  let stack: InProcessStack;
  let site: LoopbackServer;
  let server: http.Server;
  let base: string;
  const auth = basicAuth();
  const call = (method: 'get' | 'post' | 'delete', path: string, body?: unknown) => {
    const req = request(stack.api.handler)[method](path).set('Authorization', auth);
    return body === undefined ? req : req.send(body as object);
  };
  const pixels = async (path: string) => {
    const res = await request(stack.api.handler).get(path).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    return res.body as Buffer;
  };
  const imagePath = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    site = await serveOnLoopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<body style="margin:0;background:#1e90ff"></body>');
    });
    stack = await startInProcessStack({ URL_ALLOWLIST: '127.0.0.1' });
    server = http.createServer(stack.api.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
    await site?.close();
  });

  it('Terraform htmlcsstoimage_template: create, read (count=1), update twice as new versions, exact versions by paging, list, delete, read after delete', async () => {
    // TestTemplateLifecycle: html and google_fonts set (the provider sorts the fonts and joins them with |, spaces as +).
    const first = payload(TEMPLATE_FIELDS, { html: '<div style="width:20px;height:20px;background:{{bg}}"></div>', google_fonts: 'Open+Sans|Roboto', name: 'card' }, false);
    const created = await call('post', '/v1/template', first);
    expect(created.status).toBe(201);
    const id = created.body.template_id as string;
    const v1 = Number(created.body.template_version);
    expect(id).toMatch(/^t-/);
    expect(v1).toBeGreaterThan(0);

    const read = await call('get', `/v1/template/${id}?count=1`);
    expect(read.status).toBe(200);
    expect(read.body.data).toHaveLength(1);
    expectTemplateEntry(read.body.data[0], id);
    expect(read.body.data[0].version).toBe(v1);
    expectSameInputs(read.body.data[0], first);

    // An image pinned to the first version (the provider's templated image, before the template changes).
    const pinned = await call('post', `/v1/image/${id}/${v1}`, { template_values: { bg: '#00ff00' }, format: null, dedupe_duration_s: 0 });
    expect(pinned.status).toBe(200);

    // Update: ms_delay=0 added, then removed again (sent as an explicit null: unset in the new version).
    const second = { ...first, ms_delay: 0 };
    const v2 = Number((await call('post', `/v1/template/${id}`, second)).body.template_version);
    expect(v2).toBeGreaterThan(v1);
    expect((await call('get', `/v1/template/${id}?count=1`)).body.data[0]).toMatchObject({ version: v2, ms_delay: 0 });
    const updated = await call('post', `/v1/template/${id}`, first);
    expect(updated.status).toBe(201);
    expect(updated.body.template_id).toBe(id);
    const v3 = Number(updated.body.template_version);
    expect(v3).toBeGreaterThan(v2);
    const latest = (await call('get', `/v1/template/${id}?count=1`)).body;
    expect(latest.data[0]).toMatchObject({ version: v3, ms_delay: null });
    expectSameInputs(latest.data[0], first);
    expect(latest.data[0].created_at).toBe(read.body.data[0].created_at);

    // GetTemplateDefinition(id, &v1) pages with an exclusive max_version until it finds v1; count=1 makes every step a page.
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: request.Response = await call('get', `/v1/template/${id}?count=1${cursor === null ? '' : `&max_version=${cursor}`}`);
      expect(page.status).toBe(200);
      for (const entry of page.body.data) expectTemplateEntry(entry, id);
      seen.push(...page.body.data.map((e: Body) => e.version as number));
      const next: number | null = page.body.pagination.next_page_start;
      if (next !== null && cursor !== null) expect(next).toBeLessThan(cursor);
      cursor = next;
    } while (cursor !== null);
    expect(seen).toEqual([v3, v2, v1]);
    // The template_versions data source: count 100, newest first, one page.
    const all = await call('get', `/v1/template/${id}?count=100`);
    expect(all.body.data.map((e: Body) => e.version)).toEqual([v3, v2, v1]);
    expect(all.body.pagination).toEqual({ next_page_start: null });

    // Listing (GET /v1/template, as the Go client's ListTemplates and .NET's ListTemplatesAsync page it).
    const other = (await call('post', '/v1/template', payload(TEMPLATE_FIELDS, { html: '<p>{{x}}</p>' }, false))).body;
    const listed: Body[] = [];
    let next: number | null = null;
    do {
      const page: request.Response = await call('get', `/v1/template?count=1${next === null ? '' : `&max_version=${next}`}`);
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(1);
      listed.push(...page.body.data);
      next = page.body.pagination.next_page_start;
    } while (next !== null);
    expect(listed.map((t) => [t.id, t.version])).toEqual([[other.template_id, other.template_version], [id, v3]]);
    expect((await call('get', '/v1/template')).body.data).toHaveLength(2);

    // Delete: the template and every version; the image made from it stays.
    const deleted = await call('delete', `/v1/template/${id}`);
    expect(deleted.status).toBe(204);
    const gone = await call('get', `/v1/template/${id}?count=1`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Template not found' });
    expect((await call('delete', `/v1/template/${id}`)).status).toBe(404);
    expect((await call('post', `/v1/image/${id}`, { template_values: { bg: '#000000' } })).status).toBe(404);
    expect((await call('get', '/v1/template')).body.data.map((t: Body) => t.id)).toEqual([other.template_id]);
    const kept = await decodeImage(await pixels(imagePath(pinned.body.url)));
    expect(kept.pixel(5, 5)).toEqual(colour('#00ff00'));
    expectImageMetadata((await call('get', `/v1/images/${pinned.body.id}`)).body, pinned.body.id, 'templated');
    // Another account sees none of it.
    expect((await request(stack.api.handler).get(`/v1/template/${other.template_id}`).set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))).status).toBe(404);
  });

  it('Terraform htmlcsstoimage_image_html_css: create with nulls, read back every input, render, replace (format webp), list, delete, read after delete', async () => {
    const sent = payload(HTML_CSS_FIELDS, { html: '<div style="width:30px;height:20px;background:#ff0000"></div>', ms_delay: 0, render_when_ready: false, metadata: { purpose: 'invoice' } }, true);
    const created = await call('post', '/v1/image', sent);
    expect(created.status).toBe(200);
    const { id, url } = created.body;
    expect(url).toMatch(new RegExp(`/v1/image/${id}$`));
    const read = await call('get', `/v1/images/${id}`);
    expect(read.status).toBe(200);
    expectImageMetadata(read.body, id, 'html_css');
    expectSameInputs(read.body, sent);
    expect(read.body).toMatchObject({ format: null, storage_destination_hcti_storage_disabled: false, og_config_id: null, last_render_stored_at: null });
    const png = await decodeImage(await pixels(imagePath(url)));
    expect([png.width, png.height]).toEqual([60, 40]); // device_scale defaults to 2 for html
    expect(png.pixel(30, 20)).toEqual(colour('#ff0000'));

    // Replacing (the provider's plan for a changed input): a new image with format webp, the old one deleted.
    const replacement = await call('post', '/v1/image', { ...sent, format: 'webp' });
    expect(replacement.body.url).toMatch(/\.webp$/);
    expect(sniffFormat(await pixels(imagePath(replacement.body.url)))).toBe('webp');
    expectSameInputs((await call('get', `/v1/images/${replacement.body.id}`)).body, sent);

    // Both are listed, newest first, a page at a time.
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page: request.Response = await call('get', `/v1/images?count=1${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      ids.push(...page.body.images.map((i: Body) => i.id));
      token = page.body.has_next_page ? page.body.next_page_token : undefined;
    } while (token);
    expect(ids.indexOf(replacement.body.id)).toBeLessThan(ids.indexOf(id));

    expect((await call('delete', `/v1/image/${id}`)).status).toBe(202);
    const gone = await call('get', `/v1/images/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'Not Found', statusCode: 404, message: 'Image not found' });
    expect((await request(stack.api.handler).get(imagePath(url))).status).toBe(404);
    // Another account cannot read the definition.
    expect((await request(stack.api.handler).get(`/v1/images/${replacement.body.id}`).set('Authorization', basicAuth(TEST_KEYS.otherId, TEST_KEYS.otherKey))).status).toBe(404);
  });

  it('Terraform TestImagePDFLifecycle: pdf_options with pt, mm, cm and px margins read back as sent, and the PDF prints', async () => {
    const pdf_options = { page_width: '8.5in', page_height: '11in', scale: 0.1, print_background: true, margins: ['1pt', '2mm', '3cm', '4px'] };
    const sent = payload(HTML_CSS_FIELDS, { html: '<h1>Hello</h1>', format: 'pdf', pdf_options, metadata: { purpose: 'invoice' } }, true);
    const created = await call('post', '/v1/image', sent);
    expect(created.status).toBe(200);
    expect(created.body.url).toMatch(/\.pdf$/);
    expectSameInputs((await call('get', `/v1/images/${created.body.id}`)).body, sent);
    const document = await pixels(imagePath(created.body.url));
    expect(sniffFormat(document)).toBe('pdf');
    // US Letter: 612 x 792 pt.
    expect(document.toString('latin1')).toMatch(/\/MediaBox \[0 0 612 792\]/);
  });

  it('Terraform htmlcsstoimage_image_url: every unset input null, read back, render, delete', async () => {
    const sent = payload(URL_FIELDS, { url: `${site.origin}/page`, viewport_width: 40, viewport_height: 30, device_scale: 1, headers: { 'X-Preview': 'yes' } }, true);
    const created = await call('post', '/v1/image', sent);
    expect(created.status).toBe(200);
    const read = (await call('get', `/v1/images/${created.body.id}`)).body;
    expectImageMetadata(read, created.body.id, 'url');
    expectSameInputs(read, sent);
    const png = await decodeImage(await pixels(imagePath(created.body.url)));
    expect([png.width, png.height]).toEqual([40, 30]);
    expect(png.pixel(20, 15)).toEqual(colour('#1e90ff'));
    expect((await call('delete', `/v1/image/${created.body.id}`)).status).toBe(202);
    expect((await call('get', `/v1/images/${created.body.id}`)).status).toBe(404);
  });

  it('Terraform htmlcsstoimage_image_templated: latest and pinned versions through the URL, values read back, the resolved version', async () => {
    const template = (await call('post', '/v1/template', payload(TEMPLATE_FIELDS, { html: '<div style="width:10px;height:10px;background:{{bg}}"></div><i style="display:none">{{name}}</i>', device_scale: 1 }, false))).body;
    const values = { bg: '#0000ff', name: '😀', nested: [false, null] };
    // Unpinned: POST /v1/image/{template_id}; the body holds template_values, format and dedupe only.
    const latest = await call('post', `/v1/image/${template.template_id}`, { template_values: values, format: null, dedupe_duration_s: 0 });
    expect(latest.status).toBe(200);
    const read = (await call('get', `/v1/images/${latest.body.id}`)).body;
    expectImageMetadata(read, latest.body.id, 'templated');
    expect(read).toMatchObject({ template_id: template.template_id, template_version: template.template_version, template_values: values, html: null });
    const png = await decodeImage(await pixels(imagePath(latest.body.url)));
    expect(png.pixel(5, 5)).toEqual(colour('#0000ff'));

    // Pinned: POST /v1/image/{template_id}/{version}, after a newer version exists.
    const v2 = (await call('post', `/v1/template/${template.template_id}`, payload(TEMPLATE_FIELDS, { html: '<div style="width:10px;height:10px;background:#000"></div><i style="display:none">{{name}}</i>', device_scale: 1 }, false))).body;
    const pinned = await call('post', `/v1/image/${template.template_id}/${template.template_version}`, { template_values: values, format: 'jpg', dedupe_duration_s: 0 });
    expect([pinned.status, pinned.body.url]).toEqual([200, expect.stringMatching(/\.jpg$/)]);
    // The pinned version's pixels (v1's blue, not v2's black), as lossy JPEG keeps them.
    const [r, g, b] = (await decodeImage(await pixels(imagePath(pinned.body.url)))).pixel(5, 5);
    expect([r! < 60, g! < 60, b! > 200]).toEqual([true, true, true]);
    expect((await call('get', `/v1/images/${pinned.body.id}`)).body).toMatchObject({ template_version: template.template_version, template_values: values });
    const unpinned = await call('post', `/v1/image/${template.template_id}`, { template_values: values, format: null, dedupe_duration_s: 0 });
    expect((await call('get', `/v1/images/${unpinned.body.id}`)).body.template_version).toBe(v2.template_version);
    expect((await decodeImage(await pixels(imagePath(unpinned.body.url)))).pixel(5, 5)).toEqual(colour('#000000'));
  });

  it('GET /v1/images/{id} is read from storage alone: a graph with the route and a storage driver, and no Redis client or queue, serves it', async () => {
    const created = (await call('post', '/v1/image', payload(HTML_CSS_FIELDS, { html: '<p>stored</p>' }, true))).body;
    const storage = createStorage(stack.config.storage.driver === 'fs' ? stack.config.storage : { driver: 's3', s3: { ...stack.config.storage.s3 } });
    const app = express();
    app.use(mountRoutes(imageDefinitionRoutes({ definitions: new ImageDefinitionService({ images: new ImageStore(storage) }) }), {
      auth: requireAuth(stack.config.apiKeys),
      // Management rate limits live in Redis; an image read has none, so this graph never asks.
      guard: routeGuard({ hit: () => Promise.reject(new Error('this graph has no Redis')) }),
      bodyParsers: [],
    }));
    app.use(errorHandler(createLogger('test', 'silent'), 1));
    try {
      const read = await request(app).get(`/v1/images/${created.id}`).set('Authorization', auth);
      expect(read.status).toBe(200);
      expectImageMetadata(read.body, created.id, 'html_css');
      expect(read.body.html).toBe('<p>stored</p>');
      expect((await request(app).get(`/v1/images/${created.id}`)).status).toBe(401);
    } finally {
      await storage.close();
    }
  });

  it('POST /v1/image/batch/templated: the docs\' example, values merged key by key (objects recursively, arrays and null replace), versions and formats inherited', async () => {
    const card = '<div style="width:10px;height:10px;background:{{brand.color}}"></div><i>{{brand.name}} {{title}} {{subtitle}} {{#each tags}}{{this}}{{/each}}</i>';
    const product = (await call('post', '/v1/template', { html: card, device_scale: 1 })).body;
    const productV2 = (await call('post', `/v1/template/${product.template_id}`, { html: card.replace('{{brand.color}}', '#000000'), device_scale: 1 })).body;
    const promo = (await call('post', '/v1/template', { html: '<div style="width:10px;height:10px;background:#ffff00"></div><i style="display:none">{{title}} {{brand.name}}</i>', device_scale: 1 })).body;
    // The Go client's TemplatedBatchRequest (omitempty) carrying the docs' body, version 1 pinned.
    const body = {
      default_options: {
        template_id: product.template_id,
        template_version: product.template_version,
        format: 'webp',
        template_values: { brand: { name: 'Acme', color: '#2563eb' }, tags: ['New'], subtitle: 'Available now' },
      },
      variations: [
        { template_values: { title: 'First product' } },
        { template_values: { title: 'Second product', brand: { color: '#dc2626' }, tags: ['Sale'], subtitle: null } },
        { template_id: promo.template_id, format: 'png', template_values: { title: 'Weekend sale' } },
        { template_id: product.template_id, template_values: { title: 'Latest' } },
      ],
    };
    const res = await call('post', '/v1/image/batch/templated', body);
    expect(res.status).toBe(200);
    const images = res.body.images as { id: string; url: string }[];
    expect(images).toHaveLength(4);
    // format is inherited like the rest; the third variation sets png (no extension).
    expect(images.map((i) => i.url.match(/(\.\w+)?$/)![0])).toEqual(['.webp', '.webp', '', '.webp']);
    const defs = await Promise.all(images.map(async (i) => (await call('get', `/v1/images/${i.id}`)).body));
    expect(defs[0]).toMatchObject({ template_id: product.template_id, template_version: product.template_version, template_values: { brand: { name: 'Acme', color: '#2563eb' }, tags: ['New'], subtitle: 'Available now', title: 'First product' } });
    expect(defs[1].template_values).toEqual({ brand: { name: 'Acme', color: '#dc2626' }, tags: ['Sale'], subtitle: null, title: 'Second product' });
    // Naming a template resets the inherited version: the latest of that template.
    expect(defs[2]).toMatchObject({ template_id: promo.template_id, template_version: promo.template_version, template_values: { brand: { name: 'Acme', color: '#2563eb' }, tags: ['New'], subtitle: 'Available now', title: 'Weekend sale' } });
    expect(defs[3]).toMatchObject({ template_id: product.template_id, template_version: productV2.template_version });
    // Read as png: webp is lossy.
    const colours = await Promise.all(images.map(async (i) => (await decodeImage(await pixels(`/v1/image/${i.id}`))).pixel(5, 5)));
    expect(colours).toEqual([colour('#2563eb'), colour('#dc2626'), colour('#ffff00'), colour('#000000')]);

    // Refusals name the variation.
    const refused = async (b: Body, message: string) => {
      const r = await call('post', '/v1/image/batch/templated', b);
      expect({ status: r.status, message: r.body.message }).toEqual({ status: 400, message });
    };
    await refused({ variations: [{ template_values: { a: 1 } }] }, 'variations[0]: template_id is required (in the variation or in default_options)');
    await refused({ variations: [{ template_id: product.template_id }] }, 'variations[0]: template_values must not be empty');
    await refused({ default_options: { template_id: product.template_id }, variations: [{ template_values: { a: 1 }, html: '<p>x</p>' }] },
      'variations[0]: Unknown field: html (a templated batch takes template_id, template_version, template_values and format; render settings come from each template)');
    await refused({ variations: [] }, 'variations is required: a nonempty array of template options');
    // The docs: an invalid template selection fails validation, naming the variation.
    await refused({ variations: [{ template_id: product.template_id, template_values: { a: 1 } }, { template_id: 't-00000000-0000-4000-8000-000000000000', template_values: { a: 1 } }] },
      'variations[1]: Template not found');
  });

  it('the Go client (CreateTemplate, ListTemplates, ListTemplateVersions, DeleteTemplate) and .NET (CreateTemplateAsync, ListTemplatesAsync) decode the answers', async () => {
    // Go's TemplateRequest (omitempty): google_fonts as the SDK serializes its list.
    const go = await call('post', '/v1/template', { html: '<p>{{who}}</p>', google_fonts: 'Roboto|Open+Sans', name: 'go', description: 'from Go', ms_delay: 10 });
    expect(go.status).toBe(201);
    // .NET's CreateTemplateRequest (snake_case, nulls left out), including max_render_once and an enum as a string.
    const dotnet = await call('post', '/v1/template', { name: 'dotnet', max_render_once: true, color_scheme: 'dark', html: '<p>{{who}}</p>', css: 'p{color:red}', google_fonts: 'Roboto' });
    expect(dotnet.status).toBe(201);
    // .NET: GET /v1/template?count=10, then &max_version=next_page_start.
    const page = await call('get', '/v1/template?count=10');
    const entries = page.body.data as Body[];
    for (const e of [go.body, dotnet.body]) {
      const entry = entries.find((t) => t.id === e.template_id)!;
      expectTemplateEntry(entry, e.template_id);
      expect(entry.version).toBe(e.template_version);
    }
    expect(entries.find((t) => t.id === dotnet.body.template_id)).toMatchObject({ name: 'dotnet', color_scheme: 'dark', css: 'p{color:red}', google_fonts: 'Roboto', description: null, device_scale: null });
    expect(entries.find((t) => t.id === go.body.template_id)).toMatchObject({ name: 'go', description: 'from Go', ms_delay: 10, google_fonts: 'Roboto|Open Sans' });
    // Go: ListTemplateVersions with Count 0 leaves count out (the default page of 10).
    const versions = await call('get', `/v1/template/${go.body.template_id}`);
    expect(versions.body).toMatchObject({ data: [{ id: go.body.template_id, version: go.body.template_version }], pagination: { next_page_start: null } });
    const badCount = await call('get', `/v1/template?count=101`);
    expect({ status: badCount.status, message: badCount.body.message }).toEqual({ status: 400, message: 'count must be a whole number from 1 to 100' });
    expect((await call('get', `/v1/template?max_version=soon`)).body.message).toBe('max_version must be a template version (a whole number)');
    // DeleteTemplate: any 2xx.
    expect((await call('delete', `/v1/template/${go.body.template_id}`)).status).toBe(204);
    expect((await call('get', `/v1/template/${go.body.template_id}`)).status).toBe(404);
  });

  it('the official TypeScript client: createImage (html, url, template), createImageBatch, deleteImage and deleteImageBatch, each read back in between', async () => {
    const template = (await call('post', '/v1/template', { html: '<div style="width:8px;height:8px;background:{{c}}"></div>', device_scale: 1 })).body;
    const [html, url, templated, batch] = (await runOfficialClient(base, [
      { call: 'createImage', type: 'html_css', init: { html: '<div style="width:8px;height:8px;background:#123456"></div>', device_scale: 1, dedupe_duration_s: 0 } },
      { call: 'createImage', type: 'url', init: { url: `${site.origin}/ts`, viewport_width: 20, viewport_height: 20 } },
      { call: 'createImage', type: 'templated', init: { template_id: template.template_id, template_values: { c: '#654321' } } },
      { call: 'createImageBatch', type: 'html_css', variations: [{ html: '<p>a</p>' }, { html: '<p>b</p>' }], defaults: { css: 'p{margin:0}', device_scale: 1 } },
    ])) as ClientResult[];
    for (const r of [html, url, templated, batch]) expect(r!.success).toBe(true);
    expectImageMetadata((await call('get', `/v1/images/${html!.id}`)).body, html!.id!, 'html_css');
    expectImageMetadata((await call('get', `/v1/images/${url!.id}`)).body, url!.id!, 'url');
    expect((await call('get', `/v1/images/${templated!.id}`)).body).toMatchObject({ image_type: 'templated', template_id: template.template_id, template_values: { c: '#654321' } });
    expect((await decodeImage(await pixels(imagePath(templated!.url!)))).pixel(4, 4)).toEqual(colour('#654321'));
    const batchIds = batch!.images!.map((i) => i.id);
    expect((await call('get', `/v1/images/${batchIds[1]}`)).body).toMatchObject({ html: '<p>b</p>', css: 'p{margin:0}', device_scale: 1 });

    const [one, many] = (await runOfficialClient(base, [{ call: 'deleteImage', id: html!.id }, { call: 'deleteImageBatch', ids: batchIds }])) as ClientResult[];
    expect(one!.success).toBe(true);
    expect(many!.success).toBe(true);
    for (const id of [html!.id!, ...batchIds]) expect((await call('get', `/v1/images/${id}`)).status).toBe(404);
    expect((await call('get', `/v1/images/${url!.id}`)).status).toBe(200);
  });

  it('n8n: the credential check is GET /v1/ping, 200 for a valid pair (whatever it was granted) and 401 otherwise', async () => {
    const ok = await request(stack.api.handler).get('/v1/ping').set('Authorization', auth);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok', api_id: TEST_KEYS.id });
    const bare = await call('post', '/v1/api-keys', { name: 'n8n', description: null, disabled: false, all_future_permissions: false, permissions: [] });
    expect(bare.status).toBe(200);
    const pong = await request(stack.api.handler).get('/v1/ping').set('Authorization', basicAuth(bare.body.api_id, bare.body.api_key));
    expect(pong.status).toBe(200);
    const wrong = await request(stack.api.handler).get('/v1/ping').set('Authorization', basicAuth(TEST_KEYS.id, 'wrong'));
    expect(wrong.status).toBe(401);
    expect((await request(stack.api.handler).get('/v1/ping')).status).toBe(401);
  });
});
