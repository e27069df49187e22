// What one render job does, decided once from its data before any step runs: how the image is
// made (one capture, a capture in tiles, or none when only a PDF is wanted), how a capture
// becomes the stored PNG, whether a PDF is printed, what our store keeps, and which base object
// goes to the image's storage destination. render.job.ts turns the plan into its list of steps.
import { baseIsPdf, storedOnlyAtDestination } from '@pixelfarm/destinations';
import { isJumboPlan, planRender, type JumboPlan, type PrintPlan, type RenderPlan } from '@pixelfarm/renderer';
import type { RenderJobData } from '@pixelfarm/queue';

export type CapturePlan = { kind: 'single'; plan: RenderPlan } | { kind: 'tiles'; plan: JumboPlan };

export interface RenderJobPlan {
  /** How the image is captured; null when nothing but the PDF is kept anywhere. */
  capture: CapturePlan | null;
  /**
   * How a single capture becomes the stored PNG: re-encoded smaller now, or stored as the
   * browser encoded it and re-encoded later on an idle worker. Tiles are always stitched now.
   */
  encoding: 'now' | 'later';
  /** Largest image stored, in bytes: a larger one fails the job as an input error. */
  maxBytes: number;
  /** The print, when the image's PDF is made now; else null. */
  print: PrintPlan | null;
  /** Our own store keeps the image (and its PDF): no destination, or one that keeps a copy. */
  keepOurs: boolean;
  /** The base object written to the image's storage destination; null without one. */
  copy: 'png' | 'pdf' | null;
}

export interface RenderJobLimits {
  maxOutputBytes: number;
  maxJumboOutputBytes: number;
  /** A deferred re-encode is available (PNG_OPTIMIZE=deferred). */
  canDefer: boolean;
}

export function planRenderJob(data: Pick<RenderJobData, 'request' | 'destination'>, limits: RenderJobLimits): RenderJobPlan {
  const { request, destination } = data;
  const keepOurs = !storedOnlyAtDestination(data);
  const pdfBase = destination !== undefined && baseIsPdf(request);
  // max_render_once: nothing renders this image after its creation, so a PDF it asks for
  // (format pdf, or pdf_options) is printed now; GET .pdf of one that asked for none is a 422.
  // A destination's base object is the PDF of an image that asks for one: printed now too.
  const printNow = pdfBase || (request.max_render_once === true && baseIsPdf(request));
  // The PNG is wanted by our store, or as the destination's base object; an image kept only in
  // its destination, whose base object is the PDF, needs no capture at all.
  const captureNeeded = keepOurs || !pdfBase;
  const capture = captureNeeded ? capturePlanOf(planRender(request, 'capture')) : null;
  return {
    capture,
    // A destination's copy is written once, now, so it gets the final encoding.
    encoding: limits.canDefer && capture?.kind === 'single' && !destination ? 'later' : 'now',
    maxBytes: capture?.kind === 'tiles' ? limits.maxJumboOutputBytes : limits.maxOutputBytes,
    print: printNow ? planRender(request, 'print') : null,
    keepOurs,
    copy: destination === undefined ? null : pdfBase ? 'pdf' : 'png',
  };
}

function capturePlanOf(plan: RenderPlan & { output: 'capture' }): CapturePlan {
  return isJumboPlan(plan) ? { kind: 'tiles', plan } : { kind: 'single', plan };
}
