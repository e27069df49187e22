// The smaller differences from hcti's docs, over HTTP with a worker: every cropping example of
// hcti's current API page (getting-started/using-the-api, "Cropping examples", on its 600x400
// base image) and the negative forms its parameter table gave (from the right or bottom edge),
// each checked for its size and, pixel for pixel, for which region of the original it holds;
// ms_delay beyond the old 10 s; jpeg as a format; headers and identify_as_hcti ignored on html.
import request from 'supertest';
import sharp from 'sharp';
import { basicAuth } from '../support/test-env';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { decodeImage, sniffFormat } from '../support/decode-image';

jest.setTimeout(120_000);

describe("hcti's smaller differences", () => {
  let stack: InProcessStack;
  let original: Buffer;
  let id: string;
  const get = async (path: string) => {
    const res = await request(stack.api.handler).get(path).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    return res;
  };
  const create = (body: object) => request(stack.api.handler).post('/v1/image').set('Authorization', basicAuth()).send(body);

  beforeAll(async () => {
    stack = await startInProcessStack();
    // 600x400 like the docs' base image; red follows x and green follows y, so every region differs.
    const res = await create({
      html: '<html><body style="margin:0;width:600px;height:400px;background:linear-gradient(to right,#000,#f00),linear-gradient(to bottom,#000,#0f0);background-blend-mode:screen"></body></html>',
      viewport_width: 600,
      viewport_height: 400,
      device_scale: 1,
    });
    expect(res.status).toBe(200);
    id = res.body.id;
    original = (await get(`/v1/image/${id}`)).body as Buffer;
    const img = await decodeImage(original);
    expect([img.width, img.height]).toEqual([600, 400]);
    expect(img.pixel(599, 0)[0]).toBeGreaterThan(img.pixel(300, 0)[0]);
    expect(img.pixel(0, 399)[1]).toBeGreaterThan(img.pixel(0, 200)[1]);
  });
  afterAll(() => stack?.close());

  const raw = async (png: Buffer, rect?: { left: number; top: number; width: number; height: number }) => {
    const pipeline = rect ? sharp(png).extract(rect) : sharp(png);
    return pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  };

  it.each<[string, string[][], { left: number; top: number; width: number; height: number }]>([
    // The current page's examples, verbatim.
    ['Crop to 1:1 square from center', [['aspect_ratio', '1_1'], ['crop_height', '100%']], { left: 100, top: 0, width: 400, height: 400 }],
    ['Crop left third', [['x_1', '0'], ['crop_width', '33%']], { left: 0, top: 0, width: 198, height: 400 }],
    ['Crop center section', [['x_1', '33%'], ['x_2', '66%']], { left: 198, top: 0, width: 198, height: 400 }],
    ['Crop right third', [['x_1', '67%'], ['crop_width', '33%']], { left: 402, top: 0, width: 198, height: 400 }],
    ['Crop to 16:9 aspect ratio', [['aspect_ratio', '16_9'], ['crop_width', '100%']], { left: 0, top: 31, width: 600, height: 338 }],
    // Counted from the far edge, as the parameter table had it.
    ['Crop right third, from the right edge', [['x_1', '-33%'], ['crop_width', '33%']], { left: 402, top: 0, width: 198, height: 400 }],
    ['the last 200 px', [['x_1', '-200px'], ['crop_width', '200px']], { left: 400, top: 0, width: 200, height: 400 }],
    ['a box up to 10% from the right and bottom edges', [['x_1', '10%'], ['x_2', '-10%'], ['y_1', '-50%'], ['y_2', '-10%']], { left: 60, top: 200, width: 480, height: 160 }],
    ['placed at the end, the top 20 px', [['x_origin', 'end'], ['crop_width', '50px'], ['y_1', '0px'], ['y_2', '20px']], { left: 550, top: 0, width: 50, height: 20 }],
    ['a 16:9 band centred 100 px above the bottom edge (moved inside)', [['aspect_ratio', '16_9'], ['crop_width', '100%'], ['y_origin', '-100px']], { left: 0, top: 62, width: 600, height: 338 }],
  ])('%s', async (_name, params, rect) => {
    const res = await get(`/v1/image/${id}?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    const got = await raw(res.body as Buffer);
    expect([got.info.width, got.info.height]).toEqual([rect.width, rect.height]);
    const want = await raw(original, rect);
    expect(got.data.equals(want.data)).toBe(true);
  });

  it('refuses a negative crop size, naming it', async () => {
    const res = await get(`/v1/image/${id}?x_1=0&crop_width=-10`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toBe('crop_width must be a number of pixels (120) or a percentage (25%)');
  });

  it('waits an ms_delay beyond 10 s (hcti allows 20 s), past max_wait_ms', async () => {
    const started = Date.now();
    const res = await create({
      html: '<div id="d" style="width:20px;height:20px;background:#f00"></div><script>setTimeout(() => { d.style.background = "#0f0" }, 10300)</script>',
      device_scale: 1,
      ms_delay: 10_600,
      max_wait_ms: 2000,
    });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_600);
    expect((await decodeImage((await get(`/v1/image/${res.body.id}`)).body as Buffer)).pixel(10, 10)).toEqual([0, 255, 0, 255]);
    expect((await create({ html: '<p>x</p>', ms_delay: 20_001 })).body.message).toBe('ms_delay must be between 0 and 20000');
  });

  it('takes jpeg as a format, and answers with a .jpeg url that serves a JPEG', async () => {
    const res = await create({ html: '<div style="width:10px;height:10px;background:#00f"></div>', format: 'jpeg' });
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(new RegExp(`/v1/image/${res.body.id}\\.jpeg$`));
    expect(sniffFormat((await get(new URL(res.body.url).pathname)).body as Buffer)).toBe('jpeg');
  });

  it('ignores headers and identify_as_hcti on html, as hcti does, and renders it', async () => {
    const res = await create({
      html: '<div style="width:10px;height:10px;background:#00f"></div>',
      device_scale: 1,
      headers: { 'X-Preview': 'yes' },
      additional_header_origins: ['https://cdn.example.com'],
      include_headers_on_subrequests: true,
      identify_as_hcti: true,
    });
    expect(res.status).toBe(200);
    expect((await decodeImage((await get(`/v1/image/${res.body.id}`)).body as Buffer)).pixel(5, 5)).toEqual([0, 0, 255, 255]);
    const read = await request(stack.api.handler).get(`/v1/images/${res.body.id}`).set('Authorization', basicAuth());
    expect(read.body).toMatchObject({ headers: null, identify_as_hcti: null });
  });
});
