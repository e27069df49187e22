// The versioned contract between the API (producer) and the workers (consumers):
// queue and job names, payload and result shapes, and how a failure reason travels back.
import type { CreateImageRequest } from '@pixelfarm/schemas';

/** Bump the suffix when the payload changes incompatibly; old and new workers then use separate queues. */
// `settle` was added compatibly: a worker that knows it runs older jobs (without it, their API
// settles) correctly, so roll workers out before the API; an older worker would skip it.
export const RENDER_QUEUE = 'render-v1';

export const JOB_NAMES = { render: 'render', pdf: 'render-pdf' } as const;

/** Job id of an image's PDF: one per image, so concurrent first requests share one render. */
export const pdfJobId = (imageId: string) => `${imageId}-pdf`;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/**
 * Priority lanes. Interactive creates go to BullMQ's plain wait list, which workers always
 * drain before prioritized jobs; bulk work is enqueued with a priority, so a queued batch of
 * thousands never starves a single create.
 */
export type Lane = 'interactive' | 'bulk';
export const LANE_PRIORITY: Record<Lane, number | undefined> = { interactive: undefined, bulk: 10 };

export interface RenderJobData {
  /** Image id: also the job id, so re-enqueueing or retrying targets the same object. */
  id: string;
  account: string;
  request: CreateImageRequest;
  /** What the worker records once the image is stored or has failed for good; absent for a PDF of a stored image. */
  settle?: RenderSettlement;
  /** Who hears about the outcome: absent when no callback_url or batch asks. */
  notify?: RenderNotify;
  /**
   * The account's storage destination the image also (keep_copy) or only goes to, as captured at
   * creation (@pixelfarm/destinations' DestinationRef). Added compatibly: older jobs have none.
   */
  destination?: { id: string; keep_copy: boolean };
  /**
   * The id of the API request that queued the job (X-Request-Id): the worker's log lines about
   * the render carry it, so one id finds the request and its render. Optional: older producers
   * send none, and a job is kept once, with the id of the request that added it.
   */
  requestId?: string;
}

/**
 * The bookkeeping of one render, done by the worker that runs it (RenderOutcomes) whether or not
 * the create that queued it is still waiting: the create may have given up, or its API died.
 */
export interface RenderSettlement {
  /**
   * The admission lane whose ticket the job holds until its outcome. Whichever create's job
   * reached the queue (two first requests for one signed URL race), the image has a record:
   * it is counted once when stored, and forgotten when its input cannot render.
   */
  lane: Lane;
  /** Remember the create's content hash → this image, for duplicate creates within ttlS. */
  dedupe?: { hash: string; ttlS: number };
}

/** What the worker does once the image is stored or has failed for good. */
export interface RenderNotify {
  /** The image's url as the client was given it (the callback body carries it). */
  imageUrl: string;
  /** The create's callback_url: the outcome is POSTed there. */
  callbackUrl?: string;
  /** The bulk job the image belongs to, and its position in it (progress counts, completion callback). */
  batch?: { id: string; index: number };
}

/** What a render job made: the stored image, or a PDF (a print, or an image kept only as its PDF). */
export type RenderJobResult = ImageJobResult | PdfJobResult;

export interface ImageJobResult {
  kind: 'image';
  width: number;
  height: number;
  bytes: number;
  /** Hostname/pid of the worker that rendered, for tracing and tests. */
  worker: string;
}

export interface PdfJobResult {
  kind: 'pdf';
  bytes: number;
  /** Hostname/pid of the worker that printed, for tracing and tests. */
  worker: string;
}

/** Why a job failed for good, carried in BullMQ's failedReason as JSON. */
export interface RenderFailure {
  /** `input`: the request cannot render (client error); `internal`: the service failed. */
  kind: 'input' | 'internal';
  message: string;
}

export function encodeFailure(failure: RenderFailure): string {
  return JSON.stringify(failure);
}

export function decodeFailure(reason: string | undefined): RenderFailure {
  if (reason) {
    try {
      const parsed = JSON.parse(reason) as Partial<RenderFailure>;
      if ((parsed.kind === 'input' || parsed.kind === 'internal') && typeof parsed.message === 'string') {
        return { kind: parsed.kind, message: parsed.message };
      }
    } catch {
      // Not ours (e.g. a stalled-job error raised by BullMQ itself): an internal failure.
    }
  }
  return { kind: 'internal', message: 'The render failed' };
}
