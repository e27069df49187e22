// Writing an image's objects to its storage destination, and remembering what became of each:
// the worker writes the base image after a render, the API writes variants and answers
// PUT /v1/store from what is remembered. The outcome of every object is a small JSON object in
// our own store under the image (so it goes when the image is deleted); the customer's objects
// are never deleted by us.
import { imageKeys, type StorageDriver } from '@pixelfarm/storage';
import { DestinationError, destinationNames, type DestinationDirectory, type DestinationObjectResult, type DestinationRef } from './destination';

/** An object of an image: `base` (the PNG, or the PDF of an image with pdf_options) or a variant's name. */
export interface ImageObject {
  /** Where its outcome is remembered: 'base', or the variant's name. */
  name: string;
  /** Its name in the destination, under the destination's prefix (see destinationNames). */
  objectName: string;
  body: Buffer;
  contentType: string;
}

/** The base object of an image: its PNG, or the PDF of an image with pdf_options (see baseIsPdf). */
export function baseObject(imageId: string, ext: 'png' | 'pdf', body: Buffer): ImageObject {
  return { name: 'base', objectName: destinationNames.base(imageId, ext), body, contentType: ext === 'pdf' ? 'application/pdf' : 'image/png' };
}

export interface DestinationWritesDeps {
  directory: Pick<DestinationDirectory, 'open'>;
  /** Our own object store, where outcomes are remembered. */
  storage: Pick<StorageDriver, 'get' | 'put'>;
  /** Counts each write (pixelfarm_destination_writes_total). */
  onWrite?: (object: 'base' | 'variant', outcome: 'stored' | 'failed') => void;
}

/** Why a write failed, in words for the image's owner; never a credential. */
function reason(err: unknown): string {
  if (err instanceof DestinationError) return err.message;
  return 'The storage destination could not be written';
}

export class DestinationWrites {
  constructor(private readonly deps: DestinationWritesDeps) {}

  /**
   * Writes the object (the target's SDK retries transient faults with backoff), remembers the
   * outcome and returns it. A failure is an outcome, not an exception: our copy and the render
   * stand whatever the customer's store does.
   */
  async write(account: string, imageId: string, ref: DestinationRef, object: ImageObject): Promise<DestinationObjectResult> {
    let result: DestinationObjectResult;
    try {
      const target = await this.deps.directory.open(account, ref.id);
      const key = target.key(object.objectName);
      result = { status: 'stored', target: 'storage_destination', bucket: target.bucket, key };
      try {
        await target.put(key, object.body, object.contentType);
      } catch (err) {
        result = { ...result, status: 'failed', error: reason(err) };
      }
    } catch (err) {
      result = { status: 'failed', target: 'storage_destination', bucket: null, key: null, error: reason(err) };
    }
    this.deps.onWrite?.(object.name === 'base' ? 'base' : 'variant', result.status === 'stored' ? 'stored' : 'failed');
    await this.deps.storage.put(imageKeys.destinationWrite(imageId, object.name), Buffer.from(JSON.stringify(result)), 'application/json');
    return result;
  }

  /** What became of an object of the image, or null when it was never attempted. */
  async recorded(imageId: string, name: string): Promise<DestinationObjectResult | null> {
    const raw = await this.deps.storage.get(imageKeys.destinationWrite(imageId, name));
    return raw ? (JSON.parse(raw.toString('utf8')) as DestinationObjectResult) : null;
  }

  /** Reads an object of the image back from the destination (variants of an image kept only there); null when absent. */
  async read(account: string, ref: DestinationRef, objectName: string): Promise<Buffer | null> {
    const target = await this.deps.directory.open(account, ref.id);
    return target.get(target.key(objectName));
  }
}
