// Render options on signed URLs, built the way hcti's Python client 0.3.0 builds them
// (html_css_to_image/_url_builder.py: template values sorted, then dpi, height, width and the
// crop pairs, `__ro_` for a name a template value already has; the whole query form-encoded as
// WHATWG URLSearchParams does and signed). Each request shape that client sends with render
// options is here, and the image served is decoded: its size, which region of the render it holds, its density.
import { createHmac } from 'node:crypto';
import type http from 'node:http';
import request from 'supertest';
import { basicAuth, TEST_KEYS } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { serveOnLoopback, type LoopbackServer } from '../support/loopback-server';
import { decodeImage, sniffFormat } from '../support/decode-image';

jest.setTimeout(120_000);

type Pair = [string, string];

/** Python's quote_plus(value, safe="*-._") with "~" as %7E: what the client writes. */
const formComponent = (value: string) =>
  encodeURIComponent(value)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
const formEncode = (pairs: Pair[]) => pairs.map(([k, v]) => `${formComponent(k)}=${formComponent(v)}`).join('&');
const sign = (query: string, key = TEST_KEYS.key) => createHmac('sha256', key).update(query).digest('hex');

/** The client's template value text: objects as compact JSON, the rest as JavaScript prints it. */
const valueText = (value: unknown) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

/** Render options in the client's order, each under `__ro_` when a template value has its name. */
function optionPairs(options: Pair[], reserved: string[] = []): Pair[] {
  return options.map(([name, value]) => [reserved.includes(name) ? `__ro_${name}` : name, value]);
}

function templatedUrl(templateId: string, values: Record<string, unknown>, options: Pair[], format?: string): string {
  const pairs: Pair[] = Object.keys(values)
    .sort()
    .map((key) => [key, valueText(values[key])]);
  const query = formEncode([...pairs, ...optionPairs(options, Object.keys(values))]);
  return `/v1/image/${templateId}/${sign(query)}${format ? `/${format}` : ''}?${query}`;
}

function createAndRenderUrl(url: string, fields: Record<string, string>, options: Pair[], format?: string): string {
  const pairs: Pair[] = [['url', url], ...Object.keys(fields).sort().map((k): Pair => [k, fields[k]!])];
  const query = formEncode([...pairs, ...options]);
  return `/v1/image/create-and-render/${TEST_KEYS.id}/${sign(query)}${format ? `/${format}` : ''}?${query}`;
}

// Left half red, right half blue: a crop shows which part it kept.
const HALVES = (width: string) =>
  `<div style="display:flex;width:${width}px;height:{{h}}px"><b style="flex:1;background:#f00"></b><b style="flex:1;background:#00f"></b></div>`;
const RED: [number, number, number] = [255, 0, 0];
const BLUE: [number, number, number] = [0, 0, 255];

describe('render options on signed URLs, as the official clients sign them', () => {
  let stack: InProcessStack;
  let site: LoopbackServer;
  let api: http.RequestListener;
  let card: string;
  let sized: string;

  beforeAll(async () => {
    site = await serveOnLoopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<body style="margin:0">${HALVES('400').replace('{{h}}', '100')}</body>`);
    });
    stack = await startInProcessStack({ URL_ALLOWLIST: '127.0.0.1', PNG_OPTIMIZE: 'inline' });
    api = stack.api.handler;
    const template = async (html: string) => {
      const res = await request(api).post('/v1/template').set('Authorization', basicAuth()).send({ html, device_scale: 1 });
      expect(res.status).toBe(201);
      return res.body.template_id as string;
    };
    card = await template(HALVES('{{w}}'));
    // A template with a variable named like a render option.
    sized = await template(HALVES('{{width}}'));
  });
  afterAll(async () => {
    await stack?.close();
    await site?.close();
  });

  const fetchImage = async (path: string) => {
    const res = await request(api).get(path).buffer(true);
    expect([res.status, res.status === 200 ? '' : res.body.message]).toEqual([200, '']);
    return { res, img: await decodeImage(res.body as Buffer) };
  };
  const rgb = (px: number[]) => px.slice(0, 3);
  const jobsTotal = async () => Object.values(await stack.api.queue.counts()).reduce((a, b) => a + b, 0);

  it('signed template URL with width: the 200x40 render served at 50x10, as webp', async () => {
    const { res, img } = await fetchImage(templatedUrl(card, { w: 200, h: 40 }, [['width', '50']], 'webp'));
    expect(sniffFormat(res.body as Buffer)).toBe('webp');
    expect([img.width, img.height]).toEqual([50, 10]);
    // Unsized, the same signed values are the 200x40 render itself.
    const full = await fetchImage(templatedUrl(card, { w: 200, h: 40 }, [], 'png'));
    expect([full.img.width, full.img.height]).toEqual([200, 40]);
  });

  it('__ro_width beside a template value named width: the value sizes the render, the option the image', async () => {
    const url = templatedUrl(sized, { width: 100, h: 20 }, [['width', '50']], 'png');
    expect(url).toMatch(/\?h=20&width=100&__ro_width=50$/);
    const { img } = await fetchImage(url);
    expect([img.width, img.height]).toEqual([50, 10]);
    // Without the option, width is the template value alone: nothing is resized.
    const plain = await fetchImage(templatedUrl(sized, { width: 100, h: 20 }, [], 'png'));
    expect([plain.img.width, plain.img.height]).toEqual([100, 20]);
  });

  it('dpi with x_origin=end&crop_width=50px&y_1=0px&y_2=20px: the right 50x20 of the render, at that density', async () => {
    const url = templatedUrl(card, { w: 200, h: 40 }, [['dpi', '300'], ['x_origin', 'end'], ['crop_width', '50px'], ['y_1', '0px'], ['y_2', '20px']], 'png');
    const { img } = await fetchImage(url);
    expect([img.width, img.height]).toEqual([50, 20]);
    expect(rgb(img.pixel(0, 0))).toEqual(BLUE);
    expect(rgb(img.pixel(49, 19))).toEqual(BLUE);
    expect(img.density).toBe(300);
  });

  it('a crop name collision (the Go client also writes the crop_w alias under __ro_): both spellings agree', async () => {
    // Go's RenderImageOptions with a template value crop_w: crop_width plain, and __ro_crop_w.
    const query = formEncode([['crop_w', '7'], ['h', '40'], ['w', '200'], ['crop_width', '50%'], ['__ro_crop_w', '50%'], ['x_1', '0']]);
    const { img } = await fetchImage(`/v1/image/${card}/${sign(query)}/png?${query}`);
    expect([img.width, img.height]).toEqual([100, 40]);
    expect(rgb(img.pixel(99, 39))).toEqual(RED);
  });

  it('create-and-render with width, height or a crop: the url capture served at that size or region', async () => {
    const page = `${site.origin}/halves`;
    const fields = { device_scale: '1', viewport_height: '100', viewport_width: '400' };
    const wide = await fetchImage(createAndRenderUrl(page, fields, [['width', '200']], 'png'));
    expect([wide.img.width, wide.img.height]).toEqual([200, 50]);
    const tall = await fetchImage(createAndRenderUrl(page, fields, [['height', '25']]));
    expect([tall.img.width, tall.img.height]).toEqual([100, 25]);
    // The right half, cropped before the resize.
    const crop = await fetchImage(createAndRenderUrl(page, fields, [['x_1', '200px'], ['x_2', '400px'], ['width', '100']], 'png'));
    expect([crop.img.width, crop.img.height]).toEqual([100, 50]);
    expect(rgb(crop.img.pixel(0, 0))).toEqual(BLUE);
    // One render serves every option: the image id is the content's, not the option's.
    const jobs = await jobsTotal();
    await fetchImage(createAndRenderUrl(page, fields, [['aspect_ratio', '1_1'], ['crop_height', '100%']], 'png'));
    expect(await jobsTotal()).toBe(jobs);
  });

  it('a bad render option is a 400 naming it, before anything renders; options are signed like the rest', async () => {
    const jobs = await jobsTotal();
    const bad = await request(api).get(createAndRenderUrl(`${site.origin}/other`, {}, [['width', '0']]));
    expect([bad.status, bad.body.message]).toEqual([400, 'width must be between 1 and 5000']);
    const stray = await request(api).get(templatedUrl(card, { w: 10, h: 10 }, [['__ro_size', '5']]));
    expect([stray.status, stray.body.message]).toEqual([400, '__ro_size is not a render option (width, height, dpi or a crop parameter)']);
    expect(await jobsTotal()).toBe(jobs);
    // An option added after signing changes the signed query: the token no longer matches.
    const url = createAndRenderUrl(`${site.origin}/other`, {}, []);
    const tampered = await request(api).get(`${url}&width=10`);
    expect([tampered.status, tampered.body]).toEqual([401, { error: 'Unauthorized', statusCode: 401, message: 'Invalid token' }]);
  });
});
