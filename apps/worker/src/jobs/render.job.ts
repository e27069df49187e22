// The render job: a plan made once from the job's data (render-job-plan.ts), turned into a list
// of steps (render-steps.ts) run in order: capture or tiles, encode or defer, print, store, copy
// to the destination, settle. Re-running it (retry, stalled recovery) overwrites the same
// objects, because the image id is fixed by the API.
import type { Job } from 'bullmq';
import type { Renderer } from '@pixelfarm/renderer';
import type { ImageStore } from '@pixelfarm/storage';
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

export interface RenderJobDeps {
  renderer: Renderer;
  images: ImageStore;
  processor: ImageProcessor;
  metrics: RenderMetrics;
  /** Largest image stored; a larger render fails as an input error. */
  maxOutputBytes: number;
  /** Largest jumbo image stored (JUMBO_MAX_OUTPUT_BYTES). Default maxOutputBytes. */
  maxJumboOutputBytes?: number;
  /** Where a max_render_once (or storage destination) image's PDF is stored when the create asks for one. */
  pdfs: Pick<RenderPdfJobDeps, 'storage'>;
  /** Told once the image is stored (callbacks, bulk progress). */
  outcomes: Pick<RenderOutcomes, 'stored'>;
  /** Writes the base object of an image with a storage destination. */
  copies: Pick<DestinationCopies, 'writeBase'>;
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
    maxJumboOutputBytes: deps.maxJumboOutputBytes ?? deps.maxOutputBytes,
    canDefer: deps.optimizeLater !== undefined,
  };
  /**
   * Whether an earlier run of a plain image (captured, stored here, nothing else to write) stored
   * it already; then it is the state's image. Images with a print or a destination copy render again.
   */
  const storedBefore = async (plan: RenderJobPlan, state: RenderJobState): Promise<boolean> => {
    if (!plan.capture || !plan.keepOurs || plan.print || plan.copy) return false;
    const stored = await deps.images.getOriginal(state.data.id);
    if (!stored) return false;
    state.image = await deps.processor.asIs(stored);
    return true;
  };
  return async (job: Job<RenderJobData, RenderJobResult>) => {
    const started = Date.now();
    // How long the job waited in the queue (its first attempt): what a busy farm adds to a render.
    if (job.attemptsMade === 0) deps.metrics.phase('queued', Math.max(0, started - job.timestamp) / 1000);
    const state: RenderJobState = { data: job.data, run: runOf(job), started, scope: await renderScopeOf(deps.proxies, job.data) };
    const plan = planRenderJob(job.data, limits);
    // A re-run (a retry, or a job taken over from a worker that lost it) whose image an earlier
    // run already stored only settles: the render is not made again.
    if (isRerun(job) && (await storedBefore(plan, state))) {
      await steps.settle()(state);
      return resultOf(state);
    }
    for (const step of stepsOf(plan, steps)) await step(state);
    return resultOf(state);
  };
}

/** Not the job's first run: an earlier attempt failed, stalled or was handed back. */
function isRerun(job: Job): boolean {
  return job.attemptsMade > 0 || (job.attemptsStarted ?? 0) > 1;
}

/** The job's result: the stored PNG's size, or for an image kept only as a PDF, the PDF's. */
function resultOf(state: RenderJobState): RenderJobResult {
  if (state.image) return { kind: 'image', width: state.image.width, height: state.image.height, bytes: state.image.data.length, worker: workerIdentity };
  return { kind: 'pdf', bytes: state.pdf?.length ?? 0, worker: workerIdentity };
}
