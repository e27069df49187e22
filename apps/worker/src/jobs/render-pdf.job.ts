// The PDF job: prints an image's request with the browser's PDF engine and stores it next to
// the image, where the API serves it from on later requests.
import type { Job } from 'bullmq';
import { planRender, type Renderer } from '@pixelfarm/renderer';
import type { StorageDriver } from '@pixelfarm/storage';
import { imageKeys } from '@pixelfarm/storage';
import { workerIdentity, type JobProcessor, type RenderJobData, type RenderJobResult } from '@pixelfarm/queue';
import type { ProxyDirectory } from '@pixelfarm/proxies';
import { renderScopeOf } from '../render-scope';
import { isRerun } from './rerun';

export interface RenderPdfJobDeps {
  renderer: Pick<Renderer, 'renderPdf'>;
  storage: StorageDriver;
  /** Opens the account's proxy a request's proxy_id names. */
  proxies: Pick<ProxyDirectory, 'open'>;
}

export function createRenderPdfJob(deps: RenderPdfJobDeps): JobProcessor {
  return async (job: Job<RenderJobData, RenderJobResult>) => {
    // A re-run (retry, or taken over from a worker that lost the job) whose PDF an earlier run
    // stored does not print it again.
    const earlier = isRerun(job) ? await deps.storage.get(imageKeys.pdf(job.data.id)) : null;
    const bytes = earlier ? earlier.length : await printAndStore(deps, job.data);
    return { kind: 'pdf', bytes, worker: workerIdentity };
  };
}

/** Prints the image's request and stores the PDF where GET /v1/image/:id.pdf finds it; returns its size. */
export async function printAndStore(deps: RenderPdfJobDeps, data: Pick<RenderJobData, 'id' | 'account' | 'request'>): Promise<number> {
  const { pdf } = await deps.renderer.renderPdf(planRender(data.request, 'print'), await renderScopeOf(deps.proxies, data));
  await storePdf(deps.storage, data.id, pdf);
  return pdf.length;
}

/** Stores an image's PDF where GET /v1/image/:id.pdf finds it. */
export function storePdf(storage: Pick<StorageDriver, 'put'>, id: string, pdf: Buffer): Promise<void> {
  return storage.put(imageKeys.pdf(id), pdf, 'application/pdf');
}
