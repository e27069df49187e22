// The deferred PNG re-encode (PNG_OPTIMIZE=deferred, the default) on real Redis,
// Chromium and storage: a create stores Chromium's capture as it is and answers; the worker
// re-encodes it only once its render slots are idle, to the very bytes an inline re-encode
// stores, under the same URL with the same pixels; a deleted image leaves nothing behind.
import request from 'supertest';
import sharp from 'sharp';
import { imageKeys } from '@pixelfarm/storage';
import { readFragment } from '@pixelfarm/env';
import { ImageProcessor, imagingConfig, type ImageProcessorOptions } from '@pixelfarm/imaging';
import { startInProcessStack, type InProcessStack } from '../support/in-process-stack';
import { basicAuth } from '../support/test-env';
import { eventually } from '../support/eventually';

/** A processor on the configuration's defaults, re-encoding every capture unless told otherwise. */
const processorWith = (options: Partial<ImageProcessorOptions>) => new ImageProcessor({ ...readFragment(imagingConfig, {}, undefined), pngSkipDensity: 2, ...options });

const card = (color: string) =>
  `<div style="width:600px;height:315px;background:linear-gradient(135deg,${color},#123);color:#fff;font:32px 'Liberation Sans'">Deferred ${color}</div>`;

async function rawPixels(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

describe('deferred PNG re-encode', () => {
  let stack: InProcessStack;
  const create = (body: object) => request(stack.api.handler).post('/v1/image').set('Authorization', basicAuth()).send(body);
  const stored = (id: string) => stack.api.storage.get(imageKeys.original(id));

  beforeAll(async () => {
    stack = await startInProcessStack({ PNG_OPTIMIZE_IDLE_MS: '300' });
  });
  afterAll(() => stack?.close());

  it('waits for the render slots to be idle, then stores the inline re-encode under the same url', async () => {
    // A slow render holds a slot while a quick one completes: the quick one's re-encode must wait.
    // supertest sends on then(): started now, awaited later.
    const slow = create({ html: card('#a30'), ms_delay: 3000 }).then((res) => res);
    await new Promise((r) => setTimeout(r, 300));
    const quick = await create({ html: card('#0a7') });
    expect(quick.status).toBe(200);
    const capture = (await stored(quick.body.id))!;
    await new Promise((r) => setTimeout(r, 1000));
    expect((await stored(quick.body.id))!.equals(capture)).toBe(true); // the slow render still runs
    expect((await slow).status).toBe(200);

    const optimized = await eventually(() => stored(quick.body.id), (b) => !!b && b.length < capture.length, 20_000);
    const inline = await processorWith({ maxInputPixels: 100_000_000 }).encodePng(capture);
    expect(optimized!.equals(inline.data)).toBe(true);
    expect(optimized!.length).toBeLessThan(capture.length * 0.8);
    const served = await request(stack.api.handler).get(`/v1/image/${quick.body.id}`).buffer(true);
    expect(served.status).toBe(200);
    expect((await rawPixels(served.body as Buffer)).equals(await rawPixels(capture))).toBe(true);
    expect(await stack.worker.registry.getSingleMetricAsString('pixelfarm_png_optimizations_total')).toMatch(/outcome="optimized"[^\n]* [1-9]/);
  });

  it('stores a photo-like capture as the browser encoded it and queues no re-encode for it', async () => {
    const photo = `<svg width="600" height="315" style="display:block"><filter id="n"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="3" seed="7"/></filter><rect width="600" height="315" filter="url(#n)"/></svg>`;
    const metric = () => stack.worker.registry.getSingleMetricAsString('pixelfarm_png_optimizations_total');
    const before = await metric();
    const res = await create({ html: photo, viewport_width: 600, viewport_height: 315 });
    expect(res.status).toBe(200);
    const capture = (await stored(res.body.id))!;
    const { width, height, channels } = await sharp(capture).metadata();
    expect(capture.length / (width! * height! * channels!)).toBeGreaterThan(0.5);
    // Past the idle delay, a queued re-encode would have run and counted an outcome.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stored(res.body.id))!.equals(capture)).toBe(true);
    expect(await metric()).toBe(before);
  });

  it('leaves nothing of an image deleted before its re-encode ran', async () => {
    const slow = create({ html: card('#50a'), ms_delay: 2000 }).then((res) => res);
    await new Promise((r) => setTimeout(r, 300));
    const quick = await create({ html: card('#07a') });
    expect((await request(stack.api.handler).delete(`/v1/image/${quick.body.id}`).set('Authorization', basicAuth())).status).toBe(202);
    await slow;
    await eventually(() => stack.worker.registry.getSingleMetricAsString('pixelfarm_png_optimizations_total'), (m) => /outcome="skipped"[^\n]* [1-9]/.test(m), 20_000);
    expect(await stack.api.storage.list(imageKeys.prefix(quick.body.id))).toEqual([]);
  });
});
