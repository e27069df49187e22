// PDF of an image: printed by a worker's browser from the stored request (not made from the
// PNG), stored next to the image on first request and served from storage afterwards.
import { createHash } from 'node:crypto';
import { NotFoundError, UnavailableError } from '@pixelfarm/errors';
import { imageKeys, type ImageStore, type StorageDriver } from '@pixelfarm/storage';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import type { RenderJobData, RenderJobResult } from '@pixelfarm/queue';

export interface PdfServiceDeps {
  storage: StorageDriver;
  images: ImageStore;
  queue: { renderPdf(data: RenderJobData, timeoutMs: number): Promise<RenderJobResult> };
  renderWaitMs: number;
}

export class PdfService {
  constructor(private readonly deps: PdfServiceDeps) {}

  async get(id: string): Promise<{ data: Buffer; contentType: string; etag: string }> {
    let pdf = await this.deps.storage.get(imageKeys.pdf(id));
    if (!pdf) {
      const record = await this.deps.images.getRecord<CreateImageRequest>(id);
      if (!record) throw new NotFoundError('Image not found');
      await this.deps.queue.renderPdf({ id, account: record.account, request: record.request }, this.deps.renderWaitMs);
      pdf = await this.deps.storage.get(imageKeys.pdf(id));
      if (!pdf) throw new UnavailableError('The PDF is not ready yet, please retry');
    }
    return { data: pdf, contentType: 'application/pdf', etag: `"${createHash('sha1').update(pdf).digest('base64url')}"` };
  }
}
