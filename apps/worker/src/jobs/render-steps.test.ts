// Each step of a render job on its own, with sharp for real and recording fakes for the browser
// and the stores: what it reads from the job's state, what it leaves there, what it calls.
import sharp from 'sharp';
import { readFragment } from '@pixelfarm/env';
import { ImageProcessor, imagingConfig, type ImageProcessorOptions } from '@pixelfarm/imaging';
import { imageKeys } from '@pixelfarm/storage';
import { planRender, type JumboPlan } from '@pixelfarm/renderer';
import type { RenderJobData } from '@pixelfarm/queue';
import { renderSteps, type RenderJobState } from './render-steps';

/** A processor on the configuration's defaults, re-encoding every capture unless told otherwise. */
const processorWith = (options: Partial<ImageProcessorOptions>) => new ImageProcessor({ ...readFragment(imagingConfig, {}, undefined), pngSkipDensity: 2, ...options });

const TIMINGS = { acquire: 1000, load: 2000, wait: 3000, capture: 4000 };
const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#0a0' } }).png({ compressionLevel: 0 }).toBuffer();

async function world(processor = processorWith({ maxInputPixels: 1_000_000 }), capture?: Buffer) {
  const calls: string[] = [];
  const phases: Record<string, number> = {};
  const objects = new Map<string, Buffer>();
  const queued: Array<{ id: string; bytes: number }> = [];
  const told: unknown[] = [];
  capture ??= await png(20, 10);
  const steps = renderSteps({
    renderer: {
      render: async (plan) => (calls.push(`render ${plan.output}`), { png: capture, timings: TIMINGS }),
      renderTiles: async (plan) => (
        calls.push(`tiles ${plan.jumbo.width}x${plan.jumbo.height}`),
        { width: 20, height: 20, tiles: [0, 10].map((top) => ({ left: 0, top, width: 20, height: 10, png: capture })), timings: TIMINGS }
      ),
      renderPdf: async (plan) => (calls.push(`print ${plan.output}`), { pdf: Buffer.from('%PDF-1.4 x'), timings: TIMINGS }),
    },
    processor,
    images: { saveOriginal: async (id, data) => void objects.set(imageKeys.original(id), data) },
    pdfs: { put: async (key, body) => void objects.set(key, body) },
    metrics: { phase: (phase, s) => void (phases[phase] = s) },
    copies: { writeBase: async (data, ext) => (calls.push(`copy ${ext} to ${data.destination.id}`), { status: 'stored', target: 'storage_destination', bucket: 'b', key: 'k' }) },
    outcomes: { stored: async (data, run, copy) => void told.push([data.id, run, copy?.status]) },
    optimizeLater: { enqueue: async (job) => void queued.push(job) },
  });
  const data: RenderJobData = { id: 'img', account: 'acme', request: { html: 'x' }, destination: { id: 'sd-1', keep_copy: false } } as RenderJobData;
  const state: RenderJobState = { data, run: 'run-1', started: Date.now() - 5000, scope: {} };
  return { steps, state, calls, phases, objects, queued, told, capture };
}

describe('render steps', () => {
  it('capture: one PNG of the plan, its phases timed', async () => {
    const w = await world();
    await w.steps.capture(planRender({ html: 'x' }, 'capture'))(w.state);
    expect([w.calls, w.state.captured && 'png' in w.state.captured]).toEqual([['render capture'], true]);
    expect(w.phases).toEqual({ acquire: 1, load: 2, wait: 3, capture: 4 });
  });

  it('captureTiles, then encode: the tiles stitched into one PNG', async () => {
    const w = await world();
    await w.steps.captureTiles(planRender({ html: 'x', jumbo_max_width: 9000, jumbo_max_height: 20 }, 'capture') as JumboPlan)(w.state);
    await w.steps.encode(1_000_000)(w.state);
    const meta = await sharp(w.state.image!.data).metadata();
    expect([w.calls, meta.width, meta.height]).toEqual([['tiles 9000x20'], 20, 20]);
  });

  it('print: the PDF, its phases timed only when it is the job\'s only page load', async () => {
    const w = await world();
    await w.steps.print(planRender({ html: 'x' }, 'print'), false)(w.state);
    expect([w.calls, w.state.pdf?.toString(), w.phases]).toEqual([['print print'], '%PDF-1.4 x', {}]);
    await w.steps.print(planRender({ html: 'x' }, 'print'), true)(w.state);
    expect(w.phases.load).toBe(2);
  });

  it('encode: the capture re-encoded; over the limit, an input error', async () => {
    const w = await world();
    await w.steps.capture(planRender({ html: 'x' }, 'capture'))(w.state);
    await w.steps.encode(1_000_000)(w.state);
    expect([w.state.image!.width, w.state.image!.height, w.state.image!.data.length < w.capture.length]).toEqual([20, 10, true]);
    expect(w.phases.encode).toBeGreaterThanOrEqual(0);
    await expect(w.steps.encode(10)(w.state)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^The rendered image is \d+ bytes, over the limit of 10$/) });
  });

  it('encodeLater: the capture as it is, unless only the re-encode brings it under the limit', async () => {
    const w = await world();
    await w.steps.capture(planRender({ html: 'x' }, 'capture'))(w.state);
    await w.steps.encodeLater(1_000_000)(w.state);
    expect([w.state.deferred, w.state.image!.data]).toEqual([true, w.capture]);
    await w.steps.encodeLater(w.capture.length - 1)(w.state);
    expect([w.state.deferred, w.state.image!.data.length < w.capture.length]).toEqual([false, true]);
  });

  it('encodeLater and encode: a photo-like capture is kept as captured, nothing queued, unless over the limit', async () => {
    const noise = Buffer.alloc(64 * 64 * 3);
    let x = 2463534242; // xorshift32 noise: a photo-like capture that no encode shrinks by much
    for (let i = 0; i < noise.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      noise[i] = x & 0xff;
    }
    const photo = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    const w = await world(processorWith({ maxInputPixels: 1_000_000, pngSkipDensity: 0.5 }), photo);
    await w.steps.capture(planRender({ html: 'x' }, 'capture'))(w.state);
    await w.steps.encodeLater(1_000_000)(w.state);
    expect([w.state.deferred, w.state.image!.data]).toEqual([false, photo]);
    await w.steps.encode(1_000_000)(w.state);
    expect(w.state.image!.data).toBe(photo);
    // Over the limit the re-encode runs all the same: here it is what brings the image under it.
    const reencoded = await processorWith({ maxInputPixels: 1_000_000 }).encodePng(photo);
    expect(reencoded.data.length).toBeLessThan(photo.length);
    await w.steps.encode(reencoded.data.length)(w.state);
    expect(w.state.image!.data.length).toBeLessThan(photo.length);
  });

  it('store: the PDF and the PNG kept here, a deferred re-encode queued', async () => {
    const w = await world();
    Object.assign(w.state, { image: { data: w.capture, width: 20, height: 10, contentType: 'image/png' }, pdf: Buffer.from('%PDF'), deferred: true });
    await w.steps.store()(w.state);
    expect([...w.objects.keys()].sort()).toEqual([imageKeys.original('img'), imageKeys.pdf('img')].sort());
    expect(w.queued).toEqual([{ id: 'img', bytes: w.capture.length }]);
    expect(w.phases.upload).toBeGreaterThanOrEqual(0);
  });

  it('copy: the base object the plan names, its outcome kept for settle', async () => {
    const w = await world();
    await expect(w.steps.copy('pdf')(w.state)).rejects.toThrow('No pdf to copy to the storage destination');
    w.state.pdf = Buffer.from('%PDF');
    await w.steps.copy('pdf')(w.state);
    expect([w.calls, w.state.copy?.status]).toEqual([['copy pdf to sd-1'], 'stored']);
  });

  it('settle: the outcome told with the copy\'s, and the total timed', async () => {
    const w = await world();
    w.state.copy = { status: 'failed', target: 'storage_destination', bucket: null, key: null };
    await w.steps.settle()(w.state);
    expect(w.told).toEqual([['img', 'run-1', 'failed']]);
    expect(w.phases.total).toBeGreaterThanOrEqual(5);
  });
});
