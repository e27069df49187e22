// The base object of a render in the image's storage destination: `<id>.png`, or
// `<id>.pdf` for an image with pdf_options (hcti's key layout), written after the render and
// before its outcome is settled, so the callback and the batch status can say where it went.
// The outcome is remembered (DestinationWrites) and shown on the image's listing entry.
import { baseObject, destinationNames, type DestinationObjectResult, type DestinationWrites } from '@pixelfarm/destinations';
import type { AccountImageIndex, ImageStore } from '@pixelfarm/storage';
import type { RenderJobData } from '@pixelfarm/queue';

export interface DestinationCopiesDeps {
  writes: Pick<DestinationWrites, 'write' | 'recorded' | 'read'>;
  images: Pick<ImageStore, 'getRecord'>;
  index: Pick<AccountImageIndex, 'setDestination' | 'remove'>;
}

export class DestinationCopies {
  constructor(private readonly deps: DestinationCopiesDeps) {}

  /** Writes the base object of a job whose image has a destination; the outcome, failed or not. */
  async writeBase(data: RenderJobData & { destination: NonNullable<RenderJobData['destination']> }, ext: 'png' | 'pdf', body: Buffer): Promise<DestinationObjectResult> {
    const result = await this.deps.writes.write(data.account, data.id, data.destination, baseObject(data.id, ext, body));
    await this.list(data, result);
    return result;
  }

  /**
   * The base object an earlier run of the job wrote to the destination, as its remembered
   * outcome, with the object read back when `withBody` (an image kept nowhere else); null when no
   * run stored it, or it cannot be read back.
   */
  async earlierBase(
    data: RenderJobData & { destination: NonNullable<RenderJobData['destination']> },
    ext: 'png' | 'pdf',
    withBody: boolean,
  ): Promise<{ result: DestinationObjectResult; body?: Buffer } | null> {
    const result = await this.deps.writes.recorded(data.id, 'base');
    if (result?.status !== 'stored') return null;
    if (!withBody) return { result };
    const body = await this.deps.writes.read(data.account, data.destination, destinationNames.base(data.id, ext)).catch(() => null);
    return body ? { result, body } : null;
  }

  private async list(data: RenderJobData & { destination: NonNullable<RenderJobData['destination']> }, result: DestinationObjectResult): Promise<void> {
    const record = await this.deps.images.getRecord(data.id);
    if (!record) return; // deleted meanwhile
    const status = result.status === 'failed' ? 'failed' : 'stored';
    const listed = await this.deps.index.setDestination(data.account, record.created_at, data.id, {
      ...data.destination,
      status,
      ...(result.error ? { error: result.error } : {}),
    });
    // A delete that ran between the read and the write must not leave the entry behind.
    if (listed && !(await this.deps.images.getRecord(data.id))) await this.deps.index.remove(data.account, record.created_at, data.id);
  }
}
