// What happens after a render job is stored or has failed for good, on the worker (which knows
// both, whether or not an API is running): the image's callback is queued, and a bulk item's
// outcome is counted in its batch, its admission ticket released, its usage counted, and the
// batch's own callback queued when it was the last item. Every step is idempotent, because a
// job re-run after a worker died, or a failure reported twice, brings the same outcome again.
import { removeAccountImage, type AccountImageIndex, type ImageStore } from '@pixelfarm/storage';
import {
  callbackJobIds,
  type AdmissionControl,
  type BatchCallbackBody,
  type BatchProgress,
  type CallbackQueue,
  type ImageCallbackBody,
  type ItemOutcome,
  type RenderFailure,
  type RenderJobData,
  type UsageCounter,
} from '@pixelfarm/queue';

export interface RenderOutcomesDeps {
  callbacks: Pick<CallbackQueue, 'enqueue' | 'enqueueBatchDone'>;
  progress: Pick<BatchProgress, 'record'>;
  admission: Pick<AdmissionControl, 'release'>;
  usage: Pick<UsageCounter, 'record'>;
  images: Pick<ImageStore, 'getRecord' | 'deleteImage'>;
  index: Pick<AccountImageIndex, 'remove'>;
}

/** Internal failures are reported without their details, as the API reports them. */
const INTERNAL_FAILURE = 'The render failed';

export class RenderOutcomes {
  constructor(private readonly deps: RenderOutcomesDeps) {}

  /** The image is stored. Throws when Redis cannot take the outcome: the job then retries. */
  async stored(data: RenderJobData): Promise<void> {
    const notify = data.notify;
    if (!notify) return;
    if (notify.callbackUrl) await this.imageCallback(data, notify.callbackUrl, { id: data.id, url: notify.imageUrl, status: 'done' });
    if (notify.batch) await this.batchItem(data, notify.batch, 'done');
  }

  /** The render failed for good (its input, or its last attempt). */
  async failed(data: RenderJobData, failure: RenderFailure): Promise<void> {
    const notify = data.notify;
    if (!notify) return;
    const error = failure.kind === 'input' ? failure.message : INTERNAL_FAILURE;
    // As for a single create: a request that cannot render leaves no image to list or keep.
    // (The API does this itself for the creates it waits for.)
    if (notify.batch && failure.kind === 'input') await this.forget(data);
    if (notify.callbackUrl) await this.imageCallback(data, notify.callbackUrl, { id: data.id, url: notify.imageUrl, status: 'failed', error });
    if (notify.batch) await this.batchItem(data, notify.batch, 'failed', error);
  }

  private async imageCallback(data: RenderJobData, url: string, body: ImageCallbackBody): Promise<void> {
    await this.deps.callbacks.enqueue({ account: data.account, url, body: JSON.stringify(body), kind: 'image' }, callbackJobIds.image(data.id));
  }

  private async batchItem(data: RenderJobData, batch: { id: string; index: number }, outcome: ItemOutcome, error?: string): Promise<void> {
    const recorded = await this.deps.progress.record(batch.id, batch.index, outcome, error);
    await this.deps.admission.release('bulk', [data.id]);
    if (!recorded) return; // the batch's progress expired: nothing left to count or report
    if (recorded.changed && outcome === 'done') await this.deps.usage.record(data.account);
    if (recorded.finished && recorded.callbackUrl) {
      const body: BatchCallbackBody = {
        batch_id: batch.id,
        total: recorded.total,
        done: recorded.done,
        failed: recorded.failed,
        status_url: recorded.statusUrl,
      };
      await this.deps.callbacks.enqueueBatchDone(recorded.account, recorded.callbackUrl, body);
    }
  }

  private forget(data: RenderJobData): Promise<void> {
    return removeAccountImage(this.deps, data.account, data.id);
  }
}
