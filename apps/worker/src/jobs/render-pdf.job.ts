// The PDF job: prints an image's request with the browser's PDF engine and stores it next to
// the image, where the API serves it from on later requests.
import type { Job } from 'bullmq';
import type { Renderer } from '@pixelfarm/renderer';
import type { StorageDriver } from '@pixelfarm/storage';
import { imageKeys } from '@pixelfarm/storage';
import { workerIdentity, type JobProcessor, type RenderJobData, type RenderJobResult } from '@pixelfarm/queue';

export interface RenderPdfJobDeps {
  renderer: Renderer;
  storage: StorageDriver;
}

export function createRenderPdfJob(deps: RenderPdfJobDeps): JobProcessor {
  return async (job: Job<RenderJobData, RenderJobResult>) => {
    const pdf = await deps.renderer.renderPdf(job.data.request);
    await deps.storage.put(imageKeys.pdf(job.data.id), pdf, 'application/pdf');
    return { width: 0, height: 0, bytes: pdf.length, worker: workerIdentity };
  };
}
