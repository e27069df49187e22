// The render job: a plan made once from the job's data (render-job-plan.ts), turned into a list
// of steps (render-steps.ts) run in order: capture or tiles, encode or defer, print, store, copy
// to the destination, settle. Re-running it (retry, stalled recovery) overwrites the same
// objects, because the image id is fixed by the API.
import type { Job } from 'bullmq';
import type { Renderer } from '@pixelfarm/renderer';
import { imageKeys, type ImageStore } from '@pixelfarm/storage';
import type { ImageProcessor } from '@pixelfarm/imaging';
import type { RenderMetrics } from '@pixelfarm/metrics';
import { runOf, workerIdentity, type JobProcessor, type OptimizeQueue, type RenderJobData, type RenderJobResult } from '@pixelfarm/queue';
import type { RenderOutcomes } from '../render-outcomes';
import type { RenderPdfJobDeps } from './render-pdf.job';
import type { DestinationCopies } from '../destination-copies';
import { planRenderJob, type RenderJobPlan } from './render-job-plan';
import { renderSteps, type RenderJobState, type RenderStep, type RenderSteps, type StepBounds } from './render-steps';
import type { ProxyDirectory } from '@pixelfarm/proxies';
import { renderScopeOf } from '../render-scope';
import { isRerun } from './rerun';

export interface RenderJobDeps {
  renderer: Renderer;
  images: ImageStore;
  processor: ImageProcessor;
  metrics: RenderMetrics;
  /** Largest image stored; a larger render fails as an input error. */
  maxOutputBytes: number;
  /** Largest jumbo image stored (JUMBO_MAX_OUTPUT_BYTES). */
  maxJumboOutputBytes: number;
  /** Where a max_render_once (or storage destination) image's PDF is stored when the create asks for one. */
  pdfs: Pick<RenderPdfJobDeps, 'storage'>;
  /** Told once the image is stored (callbacks, bulk progress). */
  outcomes: Pick<RenderOutcomes, 'stored'>;
  /** Writes the base object of an image with a storage destination, and finds one an earlier run wrote. */
  copies: Pick<DestinationCopies, 'writeBase' | 'earlierBase'>;
  /** PNG_OPTIMIZE=deferred: where the re-encode of a stored capture is queued. Absent: re-encoded before storing. */
  optimizeLater?: Pick<OptimizeQueue, 'enqueue'>;
  /** Opens the account's proxy a request's proxy_id names. */
  proxies: Pick<ProxyDirectory, 'open'>;
  /** How long each step may take. */
  bounds?: StepBounds;
}

/** The steps of a plan, in the order they run. */
export function stepsOf(plan: RenderJobPlan, steps: RenderSteps): RenderStep[] {
  const { capture } = plan;
  const list: RenderStep[] = [];
  if (capture) {
    list.push(capture.kind === 'tiles' ? steps.captureTiles(capture.plan) : steps.capture(capture.plan));
    list.push(plan.encoding === 'later' ? steps.encodeLater(plan.maxBytes) : steps.encode(plan.maxBytes));
  }
  if (plan.print) list.push(steps.print(plan.print, capture === null));
  if (plan.keepOurs) list.push(steps.store());
  if (plan.copy) list.push(steps.copy(plan.copy));
  list.push(steps.settle());
  return list;
}

export function createRenderJob(deps: RenderJobDeps): JobProcessor {
  const steps = renderSteps({ ...deps, pdfs: deps.pdfs.storage });
  const limits = {
    maxOutputBytes: deps.maxOutputBytes,
    maxJumboOutputBytes: deps.maxJumboOutputBytes,
    canDefer: deps.optimizeLater !== undefined,
  };
  /**
   * The steps left to a re-run whose earlier run made everything the plan makes (the PNG and PDF
   * in our store, the base object in the destination): the state takes what was found, and only
   * a write still missing (a destination copy, from our stored bytes) and the settling are left;
   * nothing is rendered or printed. Null when something would have to be rendered again.
   */
  const leftAfterEarlierRun = async (plan: RenderJobPlan, state: RenderJobState): Promise<RenderStep[] | null> => {
    const { data } = state;
    if (plan.keepOurs) {
      if (plan.capture) {
        const png = await deps.images.getOriginal(data.id);
        if (!png) return null;
        state.image = await deps.processor.asIs(png);
      }
      if (plan.print) {
        const pdf = await deps.pdfs.storage.get(imageKeys.pdf(data.id));
        if (!pdf) return null;
        state.pdf = pdf;
      }
    }
    if (!plan.copy || !data.destination) return [steps.settle()];
    // Kept only in the destination: the object is read back, for the job's result.
    const copied = await deps.copies.earlierBase({ ...data, destination: data.destination }, plan.copy, !plan.keepOurs);
    if (copied) {
      state.copy = copied.result;
      if (copied.body && plan.copy === 'pdf') state.pdf = copied.body;
      if (copied.body && plan.copy === 'png') state.image = await deps.processor.asIs(copied.body);
      return [steps.settle()];
    }
    return plan.keepOurs ? [steps.copy(plan.copy), steps.settle()] : null;
  };
  return async (job: Job<RenderJobData, RenderJobResult>) => {
    const started = Date.now();
    // How long the job waited in the queue (its first attempt): what a busy farm adds to a render.
    if (job.attemptsMade === 0) deps.metrics.phase('queued', Math.max(0, started - job.timestamp) / 1000);
    const state: RenderJobState = { data: job.data, run: runOf(job), started, scope: await renderScopeOf(deps.proxies, job.data) };
    const plan = planRenderJob(job.data, limits);
    // A re-run (a retry, or a job taken over from a worker that lost it) whose products an earlier
    // run already stored only settles (and writes what is missing): nothing is rendered again.
    const left = isRerun(job) ? await leftAfterEarlierRun(plan, state) : null;
    for (const step of left ?? stepsOf(plan, steps)) await step(state);
    return resultOf(state);
  };
}

/** The job's result: the stored PNG's size, or for an image kept only as a PDF, the PDF's. */
function resultOf(state: RenderJobState): RenderJobResult {
  if (state.image) return { kind: 'image', width: state.image.width, height: state.image.height, bytes: state.image.data.length, worker: workerIdentity };
  return { kind: 'pdf', bytes: state.pdf?.length ?? 0, worker: workerIdentity };
}
