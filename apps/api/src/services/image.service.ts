// Creating, reading and deleting images: the API's domain logic, free of HTTP.
import { createHash } from 'node:crypto';
import { NotFoundError } from '@pixelfarm/errors';
import type { ImageStore, StorageDriver } from '@pixelfarm/storage';
import { imageKeys } from '@pixelfarm/storage';
import type { ImageProcessor } from '@pixelfarm/imaging';
import { newImageId, type CreateImageRequest, type ImageVariant } from '@pixelfarm/schemas';
import type { RenderJobData, RenderJobResult } from '@pixelfarm/queue';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import type { AdmissionControl } from './admission-control';

/** The part of the render queue the service needs. */
export interface RenderDispatcher {
  enqueue(data: RenderJobData): Promise<void>;
  waitForResult(id: string, timeoutMs: number): Promise<RenderJobResult>;
}

export interface ImageServiceDeps {
  images: ImageStore;
  storage: StorageDriver;
  queue: RenderDispatcher;
  admission: Pick<AdmissionControl, 'admit' | 'release'>;
  processor: ImageProcessor;
  metrics: ApiRenderMetrics;
  publicUrl: string;
  renderWaitMs: number;
}

export interface CreatedImage {
  id: string;
  url: string;
}

export interface ImageBody {
  data: Buffer;
  contentType: string;
  etag: string;
}

const EXT: Record<ImageVariant['format'], string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

export class ImageService {
  constructor(private readonly deps: ImageServiceDeps) {}

  /** Accepts the request (id fixed now), stores it, renders it and returns once the image is stored. */
  async create(account: string, request: CreateImageRequest): Promise<CreatedImage> {
    const id = newImageId();
    await this.deps.admission.admit('interactive', [id]);
    try {
      await this.deps.images.saveRecord({ id, account, created_at: new Date().toISOString(), request });
      const started = Date.now();
      await this.deps.queue.enqueue({ id, account, request });
      this.deps.metrics.enqueued();
      try {
        await this.deps.queue.waitForResult(id, this.deps.renderWaitMs);
        this.deps.metrics.result('completed', (Date.now() - started) / 1000);
      } catch (err) {
        this.deps.metrics.result((err as { status?: number }).status === 400 ? 'rejected' : 'failed', (Date.now() - started) / 1000);
        throw err;
      }
    } finally {
      await this.deps.admission.release('interactive', [id]).catch(() => undefined);
    }
    const ext = request.format && request.format !== 'png' ? `.${request.format}` : '';
    return { id, url: `${this.deps.publicUrl}/v1/image/${id}${ext}` };
  }

  /** The requested variant: the original as stored, or produced with sharp and kept for next time. */
  async getVariant(id: string, variant: ImageVariant): Promise<ImageBody> {
    const plain = variant.format === 'png' && !variant.width && !variant.height;
    const key = plain ? imageKeys.original(id) : imageKeys.variant(id, variantName(variant));
    const stored = await this.deps.storage.get(key);
    this.deps.metrics.variantCache(!!stored);
    if (stored) return { data: stored, contentType: contentTypeOf(variant), etag: etagOf(stored) };

    const original = await this.deps.images.getOriginal(id);
    if (!original) throw new NotFoundError('Image not found');
    if (plain) return { data: original, contentType: 'image/png', etag: etagOf(original) };
    const encoded = await this.deps.processor.transform(original, variant);
    await this.deps.storage.put(key, encoded.data, encoded.contentType);
    return { data: encoded.data, contentType: encoded.contentType, etag: etagOf(encoded.data) };
  }

  /** Removes every object of the image; only its owner may (others see 404). */
  async delete(account: string, id: string): Promise<void> {
    const record = await this.deps.images.getRecord(id);
    if (!record || record.account !== account) throw new NotFoundError('Image not found');
    await this.deps.images.deleteImage(id);
  }
}

function variantName(v: ImageVariant): string {
  return `${v.width ?? 'auto'}x${v.height ?? 'auto'}.${EXT[v.format]}`;
}

function contentTypeOf(v: ImageVariant): string {
  return `image/${v.format}`;
}

function etagOf(data: Buffer): string {
  return `"${createHash('sha1').update(data).digest('base64url')}"`;
}
