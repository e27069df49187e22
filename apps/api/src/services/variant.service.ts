// Finds (or produces, once) the stored object a GET /v1/image asks for: the original PNG, or a
// variant under a canonical key derived from the normalized parameters. Waits for an image
// whose render is still queued or running instead of answering 404.
import { createHash } from 'node:crypto';
import { NotFoundError, StillRenderingError } from '@pixelfarm/errors';
import { imageKeys, type ImageStore, type ObjectInfo, type StorageDriver } from '@pixelfarm/storage';
import { canonicalVariant, isOriginalVariant, variantSlug, type CreateImageRequest, type ImageVariant } from '@pixelfarm/schemas';
import { destinationNames, storedOnlyAtDestination, type DestinationWrites, type ImageObject } from '@pixelfarm/destinations';
import type { ImageProcessor } from '@pixelfarm/imaging';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import type { RenderQueue } from '@pixelfarm/queue';
import type { SingleFlight } from './single-flight';

/** A stored object ready to serve. */
export interface StoredImage extends ObjectInfo {
  key: string;
  /** Its bytes, when they are in memory already (just produced): sent without reading them back. */
  body?: Buffer;
}

export interface VariantServiceDeps {
  storage: Pick<StorageDriver, 'head' | 'put' | 'delete'>;
  records: Pick<ImageStore, 'getRecord' | 'getOriginal' | 'hasOriginal'>;
  processor: Pick<ImageProcessor, 'transform'>;
  flights: Pick<SingleFlight, 'run'>;
  renders: Pick<RenderQueue, 'settle'>;
  metrics: Pick<ApiRenderMetrics, 'variantCache' | 'variantProduced'>;
  /** How long a GET waits for a render still queued or running. */
  imageWaitMs: number;
  /** Writes a new variant of an image that has a storage destination there too. */
  copies?: Pick<DestinationWrites, 'write'>;
}

const EXT: Record<ImageVariant['format'], string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

/** A variant's names in the image's storage destination: where its outcome is kept, and its object `<id>_<variant>.<ext>`. */
export function variantNames(id: string, variant: ImageVariant): Pick<ImageObject, 'name' | 'objectName'> {
  const slug = variantSlug(variant);
  const ext = EXT[variant.format];
  return { name: `${slug}.${ext}`, objectName: destinationNames.variant(id, slug, ext) };
}

/** A variant as an object of the image's storage destination, never under the base's key. */
export function variantObject(id: string, variant: ImageVariant, encoded: { data: Buffer; contentType: string }): ImageObject {
  return { ...variantNames(id, variant), body: encoded.data, contentType: encoded.contentType };
}

/** The variant's object name: a digest of its canonical form, so every spelling shares one object. */
export function variantObjectName(variant: ImageVariant): string {
  const digest = createHash('sha256').update(canonicalVariant(variant)).digest('hex').slice(0, 32);
  return `${digest}.${EXT[variant.format]}`;
}

export class VariantService {
  constructor(private readonly deps: VariantServiceDeps) {}

  async locate(id: string, variant: ImageVariant): Promise<StoredImage> {
    if (isOriginalVariant(variant)) return this.original(id);
    const key = imageKeys.variant(id, variantObjectName(variant));
    const cached = await this.find(key);
    this.deps.metrics.variantCache(!!cached);
    if (cached) return cached;
    await this.original(id); // 404, or a wait for the render, before any work
    return this.deps.flights.run(key, () => this.find(key), () => this.produce(id, key, variant));
  }

  /** The stored PNG; waits for its render when the image is recorded but not yet stored. */
  private async original(id: string): Promise<StoredImage> {
    const key = imageKeys.original(id);
    const info = (await this.deps.storage.head(key)) ?? (await this.awaitRender(id, key));
    return { key, ...info };
  }

  private async find(key: string): Promise<StoredImage | null> {
    const info = await this.deps.storage.head(key);
    return info && { key, ...info };
  }

  private async awaitRender(id: string, key: string): Promise<ObjectInfo> {
    // Creates record an image before queueing its render: a record without its PNG is an image
    // still rendering (or one whose render failed for good: its job says which).
    const record = await this.deps.records.getRecord(id);
    // An image kept only in its storage destination has no public url (hcti: GET is a 404).
    if (!record || storedOnlyAtDestination(record)) throw new NotFoundError('Image not found');
    const outcome = this.deps.imageWaitMs > 0 ? await this.deps.renders.settle(id, this.deps.imageWaitMs) : 'pending';
    const info = await this.deps.storage.head(key);
    if (info) return info;
    if (outcome === 'pending') throw new StillRenderingError();
    throw new NotFoundError('Image not found');
  }

  /**
   * A variant of an image with a storage destination goes there too, under its own key. Its
   * outcome is remembered and counted; a failed write does not fail the GET that asked.
   */
  private async copy(id: string, variant: ImageVariant, encoded: { data: Buffer; contentType: string }): Promise<void> {
    if (!this.deps.copies) return;
    const record = await this.deps.records.getRecord<CreateImageRequest>(id);
    if (!record?.destination) return;
    await this.deps.copies.write(record.account, id, record.destination, variantObject(id, variant, encoded));
  }

  private async produce(id: string, key: string, variant: ImageVariant): Promise<StoredImage> {
    const started = performance.now();
    const original = await this.deps.records.getOriginal(id);
    if (!original) throw new NotFoundError('Image not found');
    const encoded = await this.deps.processor.transform(original, variant);
    await this.deps.storage.put(key, encoded.data, encoded.contentType);
    // A delete that ran meanwhile may have listed the image's objects before this put: never
    // leave (or serve) a variant of a deleted image.
    if (!(await this.deps.records.hasOriginal(id))) {
      await this.deps.storage.delete(key);
      throw new NotFoundError('Image not found');
    }
    this.deps.metrics.variantProduced(variant.format, (performance.now() - started) / 1000);
    await this.copy(id, variant, encoded);
    return { key, size: encoded.data.length, contentType: encoded.contentType, body: encoded.data };
  }
}
