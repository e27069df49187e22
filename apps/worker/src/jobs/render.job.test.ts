// The list of steps each kind of render job runs, in order, from its plan.
import type { RenderJobData } from '@pixelfarm/queue';
import sharp from 'sharp';
import { readFragment } from '@pixelfarm/env';
import { ImageProcessor, imagingConfig, type ImageProcessorOptions } from '@pixelfarm/imaging';
import { createRenderJob, stepsOf } from './render.job';
import { planRenderJob } from './render-job-plan';
import type { RenderStep, RenderSteps } from './render-steps';

/** A processor on the configuration's defaults, re-encoding every capture unless told otherwise. */
const processorWith = (options: Partial<ImageProcessorOptions>) => new ImageProcessor({ ...readFragment(imagingConfig, {}, undefined), pngSkipDensity: 2, ...options });

/** Steps that only say their name (and arguments) when run. */
function naming(ran: string[]): RenderSteps {
  const step =
    (name: string) =>
    (...args: unknown[]): RenderStep =>
    async () =>
      void ran.push([name, ...args.filter((a) => typeof a !== 'object')].join(' '));
  return { capture: step('capture'), captureTiles: step('tiles'), print: step('print'), encode: step('encode'), encodeLater: step('encodeLater'), store: step('store'), copy: step('copy'), settle: step('settle') };
}

async function stepsFor(data: Pick<RenderJobData, 'request' | 'destination'>, canDefer = false): Promise<string[]> {
  const ran: string[] = [];
  const plan = planRenderJob(data, { maxOutputBytes: 100, maxJumboOutputBytes: 1000, canDefer });
  for (const step of stepsOf(plan, naming(ran))) await step({} as never);
  return ran;
}

describe('render job steps', () => {
  it('a plain image: capture, encode (or defer), store, settle', async () => {
    expect(await stepsFor({ request: { html: 'x' } })).toEqual(['capture', 'encode 100', 'store', 'settle']);
    expect(await stepsFor({ request: { html: 'x' } }, true)).toEqual(['capture', 'encodeLater 100', 'store', 'settle']);
  });

  it('a jumbo image: tiles stitched under the jumbo limit', async () => {
    expect(await stepsFor({ request: { html: 'x', jumbo_max_width: 9000, jumbo_max_height: 10 } })).toEqual(['tiles', 'encode 1000', 'store', 'settle']);
  });

  it('a PDF base kept here and copied: capture, encode, an untimed print, store, copy', async () => {
    expect(await stepsFor({ request: { html: 'x', pdf_options: {} }, destination: { id: 'sd', keep_copy: true } })).toEqual(['capture', 'encode 100', 'print false', 'store', 'copy pdf', 'settle']);
  });

  it('a PDF base kept only in the destination: one print, timed, then the copy; no capture, encode or store', async () => {
    expect(await stepsFor({ request: { html: 'x', pdf_options: {} }, destination: { id: 'sd', keep_copy: false } })).toEqual(['print true', 'copy pdf', 'settle']);
  });

  it('a PNG base kept only in the destination: captured, encoded now, copied, not stored here', async () => {
    expect(await stepsFor({ request: { html: 'x' }, destination: { id: 'sd', keep_copy: false } }, true)).toEqual(['capture', 'encode 100', 'copy png', 'settle']);
  });
});

describe('a re-run of a render job', () => {
  it('settles an image an earlier run stored, without rendering it again; a first run renders', async () => {
    const stored = await sharp({ create: { width: 7, height: 3, channels: 3, background: '#00f' } }).png().toBuffer();
    const calls: string[] = [];
    const job = createRenderJob({
      renderer: { render: async () => (calls.push('render'), Promise.reject(new Error('rendered again'))) } as never,
      images: { getOriginal: async () => stored, saveOriginal: async () => void calls.push('save') } as never,
      processor: processorWith({ maxInputPixels: 1_000_000 }),
      metrics: { phase: () => undefined } as never,
      maxOutputBytes: 1_000_000,
      pdfs: { storage: {} as never },
      copies: {} as never,
      outcomes: { stored: async (data, run) => void calls.push(`settled ${data.id} ${run}`) },
      proxies: { open: async () => Promise.reject(new Error('no proxy here')) },
    });
    const run = (attemptsMade: number) =>
      job({ id: 'img', timestamp: 1, attemptsMade, attemptsStarted: attemptsMade + 1, data: { id: 'img', account: 'acme', request: { html: 'x' } } } as never);
    await expect(run(1)).resolves.toMatchObject({ kind: 'image', width: 7, height: 3, bytes: stored.length });
    expect(calls).toEqual(['settled img img@1']);
    await expect(run(0)).rejects.toThrow('rendered again');
    expect(calls).toEqual(['settled img img@1', 'render']);
  });
});
