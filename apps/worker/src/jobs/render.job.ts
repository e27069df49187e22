// The render job: request → Chromium PNG → stored original. Re-running it (retry, stalled
// recovery) overwrites the same object, because the image id is fixed by the API.
import type { Job } from 'bullmq';
import { RenderInputError } from '@pixelfarm/errors';
import type { Renderer } from '@pixelfarm/renderer';
import type { ImageStore } from '@pixelfarm/storage';
import type { ImageProcessor } from '@pixelfarm/imaging';
import type { RenderMetrics } from '@pixelfarm/metrics';
import { runOf, workerIdentity, type JobProcessor, type OptimizeQueue, type RenderJobData, type RenderJobResult } from '@pixelfarm/queue';
import type { RenderOutcomes } from '../render-outcomes';
import { storePdf, type RenderPdfJobDeps } from './render-pdf.job';
import { baseIsPdf } from '@pixelfarm/destinations';
import type { DestinationCopies } from '../destination-copies';
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
}

export function createRenderJob(deps: RenderJobDeps): JobProcessor {
  return async (job: Job<RenderJobData, RenderJobResult>) => {
    const started = Date.now();
    // How long the job waited in the queue (its first attempt): what a busy farm adds to a render.
    if (job.attemptsMade === 0) deps.metrics.phase('queued', Math.max(0, started - job.timestamp) / 1000);
    const { request } = job.data;
    // Jumbo (hcti guides/advanced/jumbo-images.md): captured in tiles, stitched below.
    const jumbo = request.jumbo_max_width !== undefined;
    const scope = await renderScopeOf(deps.proxies, job.data);
    const rendered = jumbo ? await deps.renderer.renderTiles(request, scope) : await deps.renderer.render(request, scope);
    const { timings } = rendered;
    deps.metrics.phase('acquire', timings.acquire / 1000);
    deps.metrics.phase('load', timings.load / 1000);
    deps.metrics.phase('wait', timings.wait / 1000);
    deps.metrics.phase('capture', timings.capture / 1000);

    const { destination } = job.data;
    const maxBytes = jumbo ? (deps.maxJumboOutputBytes ?? deps.maxOutputBytes) : deps.maxOutputBytes;
    // PNG_OPTIMIZE=deferred: Chromium's capture is stored as it is and re-encoded smaller later,
    // on an idle worker (optimize-png.job.ts). Not for a destination's copy (written once, now),
    // nor for a capture that only the re-encode would bring under the size limit.
    const deferred = deps.optimizeLater !== undefined && 'png' in rendered && !destination && rendered.png.length <= maxBytes;
    const encodeStart = Date.now();
    const encoded =
      'tiles' in rendered
        ? await deps.processor.stitchPng(rendered.tiles, rendered.width, rendered.height)
        : deferred
          ? await deps.processor.asIs(rendered.png)
          : await deps.processor.encodePng(rendered.png);
    deps.metrics.phase('encode', (Date.now() - encodeStart) / 1000);
    if (encoded.data.length > maxBytes) {
      throw new RenderInputError(`The rendered image is ${encoded.data.length} bytes, over the limit of ${maxBytes}`);
    }

    const uploadStart = Date.now();
    // An image whose storage destination keeps no copy here is stored only there (issue #20).
    const keepOurs = !destination || destination.keep_copy;
    const pdfBase = destination !== undefined && baseIsPdf(request);
    // max_render_once: nothing renders this image after its creation, so a PDF it asks for
    // (format pdf, or pdf_options) is printed now; GET .pdf of one that asked for none is a 422.
    // A destination's base object is the PDF of an image that asks for one: printed now too.
    const pdf = pdfBase || (request.max_render_once && baseIsPdf(request)) ? await deps.renderer.renderPdf(request, scope) : undefined;
    if (pdf && keepOurs) await storePdf(deps.pdfs.storage, job.data.id, pdf);
    if (keepOurs) await deps.images.saveOriginal(job.data.id, encoded.data);
    if (deferred) await deps.optimizeLater!.enqueue({ id: job.data.id, bytes: encoded.data.length });
    deps.metrics.phase('upload', (Date.now() - uploadStart) / 1000);
    const copy = destination ? await deps.copies.writeBase({ ...job.data, destination }, pdf && pdfBase ? { pdf } : { png: encoded.data }) : undefined;
    // Inside the job, not in a 'completed' listener: should this worker die before BullMQ marks
    // the job done, the re-run reports again (idempotently) instead of the outcome being lost.
    await deps.outcomes.stored(job.data, runOf(job), copy);
    deps.metrics.phase('total', (Date.now() - started) / 1000);
    return { width: encoded.width, height: encoded.height, bytes: encoded.data.length, worker: workerIdentity };
  };
}
