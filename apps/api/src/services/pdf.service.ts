// PDF of an image: printed by a worker's browser from the stored request (not made from the
// PNG), stored next to the image on first request and served from storage afterwards.
import { NotFoundError, UnavailableError, UnprocessableError } from '@pixelfarm/errors';
import { imageKeys, type ImageStore, type StorageDriver } from '@pixelfarm/storage';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import type { RenderJobData, RenderJobResult } from '@pixelfarm/queue';
import type { StoredImage } from './variant.service';
import { storedOnlyAtDestination } from '@pixelfarm/destinations';

export interface PdfServiceDeps {
  storage: Pick<StorageDriver, 'head'>;
  images: Pick<ImageStore, 'getRecord'>;
  queue: { renderPdf(data: RenderJobData, timeoutMs: number): Promise<RenderJobResult> };
  renderWaitMs: number;
}

export class PdfService {
  constructor(private readonly deps: PdfServiceDeps) {}

  async locate(id: string): Promise<StoredImage> {
    const key = imageKeys.pdf(id);
    let info = await this.deps.storage.head(key);
    if (!info) {
      const record = await this.deps.images.getRecord<CreateImageRequest>(id);
      // An image kept only in its storage destination has no public url (hcti: GET is a 404).
      if (!record || storedOnlyAtDestination(record)) throw new NotFoundError('Image not found');
      // The worker printed the PDFs such an image asked for when it was created; nothing else renders it again.
      if (record.request.max_render_once) {
        throw new UnprocessableError(
          'This image was created with max_render_once: it was rendered once, when created, without a PDF (create it with format pdf or pdf_options to have one printed then)',
        );
      }
      // The job id is fixed per image, so concurrent first requests wait on one print.
      await this.deps.queue.renderPdf({ id, account: record.account, request: record.request }, this.deps.renderWaitMs);
      info = await this.deps.storage.head(key);
      if (!info) throw new UnavailableError('The PDF is not ready yet, please retry');
    }
    return { key, ...info, contentType: 'application/pdf' };
  }
}
