// The list of steps each kind of render job runs, in order, from its plan.
import type { RenderJobData } from '@pixelfarm/queue';
import sharp from 'sharp';
import { readFragment } from '@pixelfarm/env';
import { ImageProcessor, imagingConfig, type ImageProcessorOptions } from '@pixelfarm/imaging';
import { createRenderJob, stepsOf } from './render.job';
import { createRenderPdfJob } from './render-pdf.job';
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
      maxJumboOutputBytes: 1_000_000,
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

describe('a re-run of a job with a print or a destination copy', () => {
  const png = () => sharp({ create: { width: 5, height: 4, channels: 3, background: '#0f0' } }).png().toBuffer();
  const pdf = Buffer.from('%PDF-1.4 earlier run');

  /** A job over an in-memory store and destination; rendering or printing is a failure the test sees. */
  function world(seed: { original?: Buffer; pdf?: Buffer; recorded?: 'stored' | 'failed'; inDestination?: Buffer }) {
    const calls: string[] = [];
    const job = createRenderJob({
      renderer: {
        render: async () => (calls.push('render'), Promise.reject(new Error('rendered again'))),
        renderPdf: async () => (calls.push('print'), Promise.reject(new Error('printed again'))),
      } as never,
      images: { getOriginal: async () => seed.original ?? null, saveOriginal: async () => void calls.push('save png') } as never,
      processor: processorWith({ maxInputPixels: 1_000_000 }),
      metrics: { phase: () => undefined } as never,
      maxOutputBytes: 1_000_000,
      maxJumboOutputBytes: 1_000_000,
      pdfs: { storage: { get: async () => seed.pdf ?? null, put: async () => void calls.push('save pdf') } as never },
      copies: {
        writeBase: async (_data, ext, body) => (calls.push(`copy ${ext} ${body.length}`), { status: 'stored', target: 'storage_destination', bucket: 'b', key: `k.${ext}` }),
        earlierBase: async (_data, ext, withBody) =>
          seed.recorded === 'stored' && (!withBody || seed.inDestination)
            ? { result: { status: 'stored', target: 'storage_destination', bucket: 'b', key: `k.${ext}` }, ...(withBody ? { body: seed.inDestination } : {}) }
            : null,
      },
      outcomes: { stored: async (data, _run, copy) => void calls.push(`settled ${data.id}${copy ? ` ${copy.status} ${copy.key}` : ''}`) },
      proxies: { open: async () => Promise.reject(new Error('no proxy here')) },
    });
    const rerun = (data: Partial<RenderJobData>) => job({ id: 'img', timestamp: 1, attemptsMade: 1, attemptsStarted: 2, data: { id: 'img', account: 'acme', ...data } } as never);
    return { calls, rerun };
  }
  const printedHere = { request: { html: 'x', pdf_options: {}, max_render_once: true } } as Partial<RenderJobData>;
  const destination = (keep_copy: boolean) => ({ id: 'sd', keep_copy }) as RenderJobData['destination'];

  it('an image printed and kept here: its PNG and PDF are found, nothing renders or prints; a missing PDF renders again', async () => {
    const w = world({ original: await png(), pdf });
    await expect(w.rerun(printedHere)).resolves.toMatchObject({ kind: 'image', width: 5, height: 4 });
    expect(w.calls).toEqual(['settled img']);
    const noPdf = world({ original: await png() });
    await expect(noPdf.rerun(printedHere)).rejects.toThrow('rendered again');
  });

  it('a PDF base kept here and copied: a copy not yet written is made from the stored PDF, nothing printed', async () => {
    const data = { request: { html: 'x', pdf_options: {} }, destination: destination(true) } as Partial<RenderJobData>;
    const w = world({ original: await png(), pdf });
    await w.rerun(data);
    expect(w.calls).toEqual([`copy pdf ${pdf.length}`, 'settled img stored k.pdf']);
    // A copy the earlier run wrote is not written again.
    const copied = world({ original: await png(), pdf, recorded: 'stored' });
    await copied.rerun(data);
    expect(copied.calls).toEqual(['settled img stored k.pdf']);
  });

  it('a PNG kept only in the destination: the object an earlier run wrote is read back for the result; unwritten or failed, it renders again', async () => {
    const data = { request: { html: 'x' }, destination: destination(false) } as Partial<RenderJobData>;
    const w = world({ recorded: 'stored', inDestination: await png() });
    await expect(w.rerun(data)).resolves.toMatchObject({ kind: 'image', width: 5, height: 4 });
    expect(w.calls).toEqual(['settled img stored k.png']);
    await expect(world({ recorded: 'failed', inDestination: await png() }).rerun(data)).rejects.toThrow('rendered again');
    await expect(world({}).rerun(data)).rejects.toThrow('rendered again');
  });

  it('a PDF kept only in the destination: found there, not printed again', async () => {
    const data = { request: { html: 'x', pdf_options: {} }, destination: destination(false) } as Partial<RenderJobData>;
    const w = world({ recorded: 'stored', inDestination: pdf });
    await expect(w.rerun(data)).resolves.toEqual(expect.objectContaining({ kind: 'pdf', bytes: pdf.length }));
    expect(w.calls).toEqual(['settled img stored k.pdf']);
    await expect(world({}).rerun(data)).rejects.toThrow('printed again');
  });
});

describe('a re-run of a PDF job', () => {
  it('answers with the PDF an earlier run stored, printing nothing; a first run prints', async () => {
    const calls: string[] = [];
    const stored = Buffer.from('%PDF-1.4 stored');
    const job = createRenderPdfJob({
      renderer: { renderPdf: async () => (calls.push('print'), Promise.reject(new Error('printed again'))) },
      storage: { get: async () => stored, put: async () => undefined } as never,
      proxies: { open: async () => Promise.reject(new Error('no proxy here')) },
    });
    const run = (attemptsMade: number) => job({ id: 'p', attemptsMade, attemptsStarted: attemptsMade + 1, data: { id: 'img', account: 'acme', request: { html: 'x' } } } as never);
    await expect(run(1)).resolves.toMatchObject({ kind: 'pdf', bytes: stored.length });
    expect(calls).toEqual([]);
    await expect(run(0)).rejects.toThrow('printed again');
  });
});
