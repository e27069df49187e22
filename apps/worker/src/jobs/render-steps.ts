// The steps a render job is made of, each one small function over the job's state: capture (one
// PNG, or tiles), print, encode now or defer the re-encode, store, copy to the destination,
// settle. Which of them run, with which arguments, is decided once by render-job-plan.ts.
import { RenderInputError, within } from '@pixelfarm/errors';
import type { JumboPlan, PrintPlan, Renderer, RenderOutput, RenderPlan, RenderScope, RenderTimings, TiledRenderOutput } from '@pixelfarm/renderer';
import type { EncodedImage, ImageProcessor } from '@pixelfarm/imaging';
import type { ImageStore, StorageDriver } from '@pixelfarm/storage';
import type { RenderMetrics } from '@pixelfarm/metrics';
import type { DestinationObjectResult } from '@pixelfarm/destinations';
import type { OptimizeQueue, RenderJobData } from '@pixelfarm/queue';
import type { RenderOutcomes } from '../render-outcomes';
import type { DestinationCopies } from '../destination-copies';
import { storePdf } from './render-pdf.job';

/** What the steps of one job hand on to each other. */
export interface RenderJobState {
  readonly data: RenderJobData;
  /** The attempt's run id (runOf), for the outcome. */
  readonly run: string;
  /** When the job started (ms since the epoch), for the total. */
  readonly started: number;
  /** What the worker opened for the render (an account's proxy). */
  readonly scope: RenderScope;
  captured?: RenderOutput | TiledRenderOutput;
  /** The PNG as it is stored. */
  image?: EncodedImage;
  /** Stored as the browser encoded it: its re-encode is queued once it is stored. */
  deferred?: boolean;
  pdf?: Buffer;
  /** The outcome of the destination's base object. */
  copy?: DestinationObjectResult;
}

export type RenderStep = (state: RenderJobState) => Promise<void>;

export interface RenderStepsDeps {
  renderer: Pick<Renderer, 'render' | 'renderTiles' | 'renderPdf'>;
  processor: Pick<ImageProcessor, 'encodePng' | 'inspectCapture' | 'stitchPng'>;
  images: Pick<ImageStore, 'saveOriginal'>;
  /** Where an image's PDF is stored. */
  pdfs: Pick<StorageDriver, 'put'>;
  metrics: Pick<RenderMetrics, 'phase'>;
  copies: Pick<DestinationCopies, 'writeBase'>;
  outcomes: Pick<RenderOutcomes, 'stored'>;
  optimizeLater?: Pick<OptimizeQueue, 'enqueue'>;
  /** How long each step may take (see StepBounds). Default: unbounded, for tests of the steps alone. */
  bounds?: StepBounds;
}

/**
 * A step past its bound fails the attempt (retried) instead of holding the job with no one
 * watching it. A browser step gets its render budget (a jumbo one's, plus ms_delay), the page
 * lease and `stepMs`; every other step (encode, store, copy, settle) gets `stepMs`.
 */
export interface StepBounds {
  renderMs: number;
  jumboMs: number;
  leaseMs: number;
  stepMs: number;
}

/** A step ran past its bound. */
export class StepTimeoutError extends Error {
  constructor(step: string, ms: number) {
    super(`The ${step} step took longer than ${ms} ms and was abandoned`);
    this.name = new.target.name;
  }
}

const seconds = (ms: number) => ms / 1000;

/** `step`, failing with StepTimeoutError once it has run `ms`; without `ms`, as it is. */
function bounded(name: string, ms: number | undefined, step: RenderStep): RenderStep {
  if (ms === undefined) return step;
  return (state) => within(step(state), ms, () => new StepTimeoutError(name, ms));
}

/** The steps, bound to their dependencies. */
export function renderSteps(deps: RenderStepsDeps) {
  const phases = (timings: RenderTimings) => {
    deps.metrics.phase('acquire', seconds(timings.acquire));
    deps.metrics.phase('load', seconds(timings.load));
    deps.metrics.phase('wait', seconds(timings.wait));
    deps.metrics.phase('capture', seconds(timings.capture));
  };
  const encodeTimed = async (state: RenderJobState, maxBytes: number, encode: () => Promise<EncodedImage>) => {
    const start = Date.now();
    const image = await encode();
    deps.metrics.phase('encode', seconds(Date.now() - start));
    if (image.data.length > maxBytes) throw new RenderInputError(`The rendered image is ${image.data.length} bytes, over the limit of ${maxBytes}`);
    state.image = image;
  };
  const { bounds } = deps;
  const browserBound = (plan: RenderPlan) => bounds && (plan.jumbo ? bounds.jumboMs : bounds.renderMs) + (plan.content.msDelay ?? 0) + bounds.leaseMs + bounds.stepMs;
  const single = (state: RenderJobState): RenderOutput => {
    if (!state.captured || !('png' in state.captured)) throw new Error('No single capture to encode');
    return state.captured;
  };

  return {
    /** One capture of the plan's region. */
    capture: (plan: RenderPlan): RenderStep =>
      bounded('capture', browserBound(plan), async (state) => {
        state.captured = await deps.renderer.render(plan, state.scope);
        phases(state.captured.timings);
      }),

    /** A jumbo capture, in tiles. */
    captureTiles: (plan: JumboPlan): RenderStep =>
      bounded('capture', browserBound(plan), async (state) => {
        state.captured = await deps.renderer.renderTiles(plan, state.scope);
        phases(state.captured.timings);
      }),

    /** The print; its phases are the render's when it is the only page load of the job. */
    print:
      (plan: PrintPlan, timed: boolean): RenderStep =>
        bounded('print', browserBound(plan), async (state) => {
          const printed = await deps.renderer.renderPdf(plan, state.scope);
          if (timed) phases(printed.timings);
          state.pdf = printed.pdf;
        }),

    /** The capture re-encoded (or its tiles stitched) into the stored PNG, within the size limit. */
    encode: (maxBytes: number): RenderStep =>
      bounded('encode', bounds?.stepMs, async (state) => {
        const captured = state.captured;
        if (captured && 'tiles' in captured) return encodeTimed(state, maxBytes, () => deps.processor.stitchPng(captured.tiles, captured.width, captured.height));
        const { png } = single(state);
        // Over the size limit, only the re-encode can save the render, photo-like or not.
        return encodeTimed(state, maxBytes, () => deps.processor.encodePng(png, png.length > maxBytes));
      }),

    /**
     * PNG_OPTIMIZE=deferred: the capture is stored as the browser encoded it and re-encoded
     * smaller later, on an idle worker (optimize-png.job.ts), unless the re-encode would not be
     * worth its CPU (a photo-like capture: nothing is queued), or only the re-encode would bring
     * it under the size limit (then now, whatever the capture).
     */
    encodeLater: (maxBytes: number): RenderStep =>
      bounded('encode', bounds?.stepMs, async (state) => {
        const { png } = single(state);
        const fits = png.length <= maxBytes;
        return encodeTimed(state, maxBytes, async () => {
          state.deferred = false;
          if (!fits) return deps.processor.encodePng(png, true);
          const { image, reencodes } = await deps.processor.inspectCapture(png);
          state.deferred = reencodes;
          return image;
        });
      }),

    /** Our copy: the PDF and the PNG the job made, then the deferred re-encode queued. */
    store: (): RenderStep =>
      bounded('store', bounds?.stepMs, async (state) => {
        const start = Date.now();
        if (state.pdf) await storePdf(deps.pdfs, state.data.id, state.pdf);
        if (state.image) await deps.images.saveOriginal(state.data.id, state.image.data);
        if (state.deferred && state.image) {
          if (!deps.optimizeLater) throw new Error('A deferred re-encode needs the optimize queue');
          await deps.optimizeLater.enqueue({ id: state.data.id, bytes: state.image.data.length });
        }
        deps.metrics.phase('upload', seconds(Date.now() - start));
      }),

    /** The base object written to the image's storage destination: its PNG, or its PDF. */
    copy: (base: 'png' | 'pdf'): RenderStep =>
      bounded('copy', bounds?.stepMs, async (state) => {
        const { destination } = state.data;
        if (!destination) throw new Error('A copy needs the image to have a storage destination');
        const body = base === 'pdf' ? state.pdf : state.image?.data;
        if (!body) throw new Error(`No ${base} to copy to the storage destination`);
        state.copy = await deps.copies.writeBase({ ...state.data, destination }, base, body);
      }),

    /**
     * The outcome told, inside the job rather than in a 'completed' listener: should this worker
     * die before BullMQ marks the job done, the re-run reports again (idempotently) instead of
     * the outcome being lost.
     */
    settle: (): RenderStep =>
      bounded('settle', bounds?.stepMs, async (state) => {
        await deps.outcomes.stored(state.data, state.run, state.copy);
        deps.metrics.phase('total', seconds(Date.now() - state.started));
      }),
  };
}

export type RenderSteps = ReturnType<typeof renderSteps>;
