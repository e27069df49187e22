// PUT /v1/store/<id>[.<ext>][?variant]: renders if needed and stores an image into its storage
// destination without returning its bytes, answering hcti's StoreImageResult (storage
// destinations guide, "PUT /v1/store"): the base object (the PNG, or the PDF of an image with
// pdf_options) and, when the URL asks for one, a transformed variant, each stored, already
// stored, failed or not attempted. Errors before a storage result (unknown image, bad
// parameters, an original that cannot be read back) are the API's usual errors.
import { NotFoundError, StillRenderingError, UnprocessableError } from '@pixelfarm/errors';
import { imageKeys, type ImageRecord, type ImageStore, type StorageDriver } from '@pixelfarm/storage';
import { baseIsPdf, baseObject, DestinationError, destinationNames, type DestinationObjectResult, type DestinationRef, type DestinationWrites, type ImageObject } from '@pixelfarm/destinations';
import type { CreateImageRequest, ImageVariant } from '@pixelfarm/schemas';
import type { ImageProcessor } from '@pixelfarm/imaging';
import type { RenderQueue } from '@pixelfarm/queue';
import type { ImageCreateService } from './image-create.service';
import { variantNames, variantObject, type VariantService } from './variant.service';

/** One object of the answer, in hcti's format (the reason of a failure goes in `message`). */
export type StoredObjectView = Omit<DestinationObjectResult, 'error'>;

export interface StoreImageResult {
  outcome: 'complete' | 'partial' | 'failed';
  baseResult: StoredObjectView;
  transformationResult: StoredObjectView | null;
  success: boolean;
  message: string;
  statusCode: 200 | 424;
  error?: string;
  referenceId?: string;
}

/** What the store URL names: the base object, or the base and one variant of it. */
export type StoreTarget = { kind: 'base'; pdf: boolean } | { kind: 'variant'; variant: ImageVariant };

export interface StoreServiceDeps {
  images: Pick<ImageStore, 'getRecord' | 'getOriginal' | 'hasOriginal'>;
  storage: Pick<StorageDriver, 'get'>;
  writes: Pick<DestinationWrites, 'write' | 'recorded' | 'read'>;
  creator: Pick<ImageCreateService, 'rerender'>;
  /** The image's own render, when one is still queued or running: waited for, never replaced. */
  renders: Pick<RenderQueue, 'settle'>;
  /** How long a PUT waits for that render (IMAGE_WAIT_MS). */
  imageWaitMs: number;
  /** Images without a destination are in our storage: located (rendered or produced if needed) there. */
  variants: Pick<VariantService, 'locate'>;
  processor: Pick<ImageProcessor, 'transform'>;
}

type Record = ImageRecord<CreateImageRequest>;
type WithDestination = Record & { destination: DestinationRef };

const HCTI_STORAGE = { target: 'hcti_storage', bucket: null, key: null } as const;

export class StoreService {
  constructor(private readonly deps: StoreServiceDeps) {}

  /** Stores what the URL names; `referenceId` (the request id) goes in a failed answer. */
  async store(account: string, id: string, target: StoreTarget, referenceId: string): Promise<StoreImageResult> {
    const record = await this.deps.images.getRecord<CreateImageRequest>(id);
    if (!record || record.account !== account) throw new NotFoundError('Image not found');
    const pdfBase = record.destination !== undefined && baseIsPdf(record.request);
    if (target.kind === 'base' && target.pdf !== pdfBase) {
      throw new UnprocessableError(pdfBase ? "This image's base object is a PDF (it was created with pdf_options): PUT /v1/store/<id>.pdf" : "This image's base object is a PNG: only an image created with pdf_options and a storage destination is stored as a PDF");
    }
    if (target.kind === 'variant' && pdfBase) throw new UnprocessableError('This image is stored as a PDF (it was created with pdf_options): it has no resized or converted variants');
    if (!record.destination) return this.inOurStorage(id, target);
    const withDestination = record as WithDestination;
    const base = await this.base(withDestination, pdfBase);
    if (target.kind === 'base') return answer(base, null, referenceId);
    if (base.status === 'failed') return answer(base, { status: 'not_attempted', target: 'storage_destination', bucket: base.bucket, key: null }, referenceId);
    return answer(base, await this.variant(withDestination, target.variant), referenceId);
  }

  /** An image without a destination: stored by us, so storing it means making sure it is there. */
  private async inOurStorage(id: string, target: StoreTarget): Promise<StoreImageResult> {
    await this.deps.variants.locate(id, { format: 'png' });
    const base = { status: 'already_stored', ...HCTI_STORAGE } as const;
    if (target.kind === 'base') return answer(base, null, '');
    const located = await this.deps.variants.locate(id, target.variant);
    return answer(base, { status: located.body ? 'stored' : 'already_stored', ...HCTI_STORAGE }, '');
  }

  private async base(record: WithDestination, pdf: boolean): Promise<DestinationObjectResult> {
    const recorded = await this.deps.writes.recorded(record.id, 'base');
    if (recorded?.status === 'stored') return { ...recorded, status: 'already_stored' };
    // Our copy, when we keep one, is written again as it is; otherwise the image renders again
    // and its worker writes it (and remembers the outcome) as after any render.
    const ours = record.destination.keep_copy ? await this.ourBase(record.id, pdf) : null;
    if (ours) return this.deps.writes.write(record.account, record.id, record.destination, ours);
    // A render of the image still queued (a bulk item) or running writes the base itself: wait
    // for it rather than queue another, whose withdrawal on timeout would take the first with it.
    const state = await this.deps.renders.settle(record.id, this.deps.imageWaitMs);
    if (state === 'pending') throw new StillRenderingError();
    const written = await this.deps.writes.recorded(record.id, 'base');
    if (written?.status === 'stored') return { ...written, status: 'already_stored' };
    await this.deps.creator.rerender(record.account, record);
    return (
      (await this.deps.writes.recorded(record.id, 'base')) ?? {
        status: 'failed',
        target: 'storage_destination',
        bucket: null,
        key: null,
        error: 'The image was rendered but not written to the storage destination',
      }
    );
  }

  private async ourBase(id: string, pdf: boolean): Promise<ImageObject | null> {
    const body = pdf ? await this.deps.storage.get(imageKeys.pdf(id)) : await this.deps.images.getOriginal(id);
    return body && baseObject(id, pdf ? 'pdf' : 'png', body);
  }

  /** A variant made from the original: ours when we keep it, else read back from the destination. */
  private async variant(record: WithDestination, variant: ImageVariant): Promise<DestinationObjectResult> {
    const recorded = await this.deps.writes.recorded(record.id, variantNames(record.id, variant).name);
    if (recorded?.status === 'stored') return { ...recorded, status: 'already_stored' };
    const original = record.destination.keep_copy ? await this.deps.images.getOriginal(record.id) : await this.readBack(record);
    if (!original) throw new UnprocessableError('The original image could not be found to make this variant from');
    const encoded = await this.deps.processor.transform(original, variant);
    return this.deps.writes.write(record.account, record.id, record.destination, variantObject(record.id, variant, encoded));
  }

  /** hcti: without read permission on the bucket, a later transform of an image kept only there is a 422. */
  private async readBack(record: WithDestination): Promise<Buffer | null> {
    try {
      return await this.deps.writes.read(record.account, record.destination, destinationNames.base(record.id, 'png'));
    } catch (err) {
      if (!(err instanceof DestinationError)) throw err;
      throw new UnprocessableError(`The original image could not be read back from the storage destination (it needs read permission on the bucket): ${err.message}`);
    }
  }
}

const view = ({ error: _error, ...object }: DestinationObjectResult): StoredObjectView => object;
const stored = (r: DestinationObjectResult) => r.status === 'stored' || r.status === 'already_stored';

function answer(base: DestinationObjectResult, transformation: DestinationObjectResult | null, referenceId: string): StoreImageResult {
  const objects = { baseResult: view(base), transformationResult: transformation && view(transformation) };
  if (!stored(base)) {
    return failure('failed', objects, `The base image could not be stored${base.error ? `: ${base.error}` : ''}.`, referenceId);
  }
  if (transformation && !stored(transformation)) {
    return failure('partial', objects, `The base image is stored, but the transformed image could not be stored${transformation.error ? `: ${transformation.error}` : ''}.`, referenceId);
  }
  const said = (r: DestinationObjectResult, what: string) => (r.status === 'stored' ? `Stored the ${what}.` : `The ${what} was already stored.`);
  const message = [said(base, 'base image'), ...(transformation ? [said(transformation, 'transformed image')] : [])].join(' ');
  return { outcome: 'complete', ...objects, success: true, message, statusCode: 200 };
}

function failure(outcome: 'failed' | 'partial', objects: Pick<StoreImageResult, 'baseResult' | 'transformationResult'>, message: string, referenceId: string): StoreImageResult {
  return { outcome, ...objects, error: 'Storage destination error', referenceId, success: false, message, statusCode: 424 };
}
