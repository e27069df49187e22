// The one owner of what follows a render, on the worker that ran it, whether or not
// the create that queued it still waits, gave up, or died with its API. Once the image is stored:
// usage counted once, the dedupe hash remembered, the admission ticket released, callbacks
// queued (saying where a storage destination copy went) and the batch item counted. Once it
// has failed for good: the ticket released, the record and listing entry of an input failure
// removed, callbacks queued, the item counted.
// Every step is idempotent, because a job re-run after a worker died, or a failure reported
// twice, brings the same outcome again.
import { removeAccountImage, type AccountImageIndex, type ImageStore } from '@pixelfarm/storage';
import type { DestinationObjectResult } from '@pixelfarm/destinations';
import {
  callbackJobIds,
  type AdmissionControl,
  type BatchCallbackBody,
  type BatchProgress,
  type CallbackQueue,
  type DedupeCache,
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
  usage: Pick<UsageCounter, 'recordOnce'>;
  dedupe: Pick<DedupeCache, 'remember'>;
  images: Pick<ImageStore, 'getRecord' | 'deleteImage'>;
  index: Pick<AccountImageIndex, 'remove'>;
}

/** Internal failures are reported without their details, as the API reports them. */
const INTERNAL_FAILURE = 'The render failed';

export class RenderOutcomes {
  constructor(private readonly deps: RenderOutcomesDeps) {}

  /**
   * The image is stored. Runs inside the job, before it completes: a create waiting for it sees
   * usage and dedupe already recorded. Throws when Redis cannot take the outcome: the job then
   * retries (and counts nothing twice). `run` names this job run across its re-runs (see runOf).
   */
  async stored(data: RenderJobData, run: string, copy?: DestinationObjectResult): Promise<void> {
    const { settle, notify } = data;
    if (settle) {
      // Independent writes, sent together: one round trip's wait instead of three.
      await Promise.all([
        this.deps.usage.recordOnce(data.account, run),
        settle.dedupe ? this.deps.dedupe.remember(data.account, settle.dedupe.hash, data.id, settle.dedupe.ttlS) : undefined,
        this.deps.admission.release(settle.lane, [data.id]),
      ]);
    }
    // Where the storage destination copy went: a failed write is said where the owner looks.
    const destination = copy && {
      status: copy.status === 'failed' ? ('failed' as const) : ('stored' as const),
      bucket: copy.bucket,
      key: copy.key,
      ...(copy.error ? { error: copy.error } : {}),
    };
    if (notify?.callbackUrl) {
      await this.imageCallback(data, notify.callbackUrl, { id: data.id, url: notify.imageUrl, status: 'done', ...(destination ? { storage_destination: destination } : {}) });
    }
    if (notify?.batch) await this.batchItem(notify.batch, 'done', destination?.status === 'failed' ? destination.error : undefined);
  }

  /** The render failed for good (its input, or its last attempt). */
  async failed(data: RenderJobData, failure: RenderFailure): Promise<void> {
    const { settle, notify } = data;
    if (settle) {
      // A request that cannot render leaves no image to list or keep.
      if (failure.kind === 'input') await this.forget(data);
      await this.deps.admission.release(settle.lane, [data.id]);
    }
    const error = failure.kind === 'input' ? failure.message : INTERNAL_FAILURE;
    if (notify?.callbackUrl) await this.imageCallback(data, notify.callbackUrl, { id: data.id, url: notify.imageUrl, status: 'failed', error });
    if (notify?.batch) await this.batchItem(notify.batch, 'failed', error);
  }

  private async imageCallback(data: RenderJobData, url: string, body: ImageCallbackBody): Promise<void> {
    await this.deps.callbacks.enqueue({ account: data.account, url, body: JSON.stringify(body), kind: 'image' }, callbackJobIds.image(data.id));
  }

  private async batchItem(batch: { id: string; index: number }, outcome: ItemOutcome, error?: string): Promise<void> {
    const recorded = await this.deps.progress.record(batch.id, batch.index, outcome, error);
    if (!recorded?.finished || !recorded.callbackUrl) return; // expired, or not the last item
    const body: BatchCallbackBody = {
      batch_id: batch.id,
      total: recorded.total,
      done: recorded.done,
      failed: recorded.failed,
      status_url: recorded.statusUrl,
    };
    await this.deps.callbacks.enqueueBatchDone(recorded.account, recorded.callbackUrl, body);
  }

  private forget(data: RenderJobData): Promise<void> {
    return removeAccountImage(this.deps, data.account, data.id);
  }
}
