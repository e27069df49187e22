// Creating, reading and deleting images: the API's domain logic, free of HTTP.
import { createHash } from 'node:crypto';
import { NotFoundError } from '@pixelfarm/errors';
import type { AccountImageIndex, ImageStore, StorageDriver } from '@pixelfarm/storage';
import { imageKeys } from '@pixelfarm/storage';
import type { ImageProcessor } from '@pixelfarm/imaging';
import { isImageId, type CreateImageRequest, type ImageVariant } from '@pixelfarm/schemas';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import type { CreatedImage, ImageCreateService } from './image-create.service';

export interface ImageServiceDeps {
  images: ImageStore;
  storage: StorageDriver;
  creator: Pick<ImageCreateService, 'create'>;
  index: Pick<AccountImageIndex, 'remove'>;
  processor: ImageProcessor;
  metrics: ApiRenderMetrics;
}

export type { CreatedImage };

export interface ImageBody {
  data: Buffer;
  contentType: string;
  etag: string;
}

const EXT: Record<ImageVariant['format'], string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

export class ImageService {
  constructor(private readonly deps: ImageServiceDeps) {}

  /** Accepts the request, renders it and returns once the image is stored (see ImageCreateService). */
  create(account: string, request: CreateImageRequest): Promise<CreatedImage> {
    return this.deps.creator.create(account, request);
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
    // The listing entry goes first: should the rest fail, the image is unlisted but its record
    // remains, so deleting it again still works.
    await this.deps.index.remove(account, record.created_at, id);
    await this.deps.images.deleteImage(id);
  }

  /** Deletes several images of the account; if any is not the account's, none is deleted (404). */
  async deleteMany(account: string, ids: readonly string[]): Promise<void> {
    const records = await Promise.all(ids.map((id) => (isImageId(id) ? this.deps.images.getRecord(id) : null)));
    const missing = ids.find((_, i) => !records[i] || records[i]!.account !== account);
    if (missing !== undefined) throw new NotFoundError(`Image not found: ${missing}`);
    for (const id of new Set(ids)) await this.delete(account, id);
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
