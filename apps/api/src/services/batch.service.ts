// Bulk jobs (POST /v1/batches): thousands of creates accepted at once, rendered in the bulk
// lane, and followed by polling GET /v1/batches/:id or by one callback when all are done.
// The manifest (which image is which item) is written to object storage under the account,
// progress to Redis; ImageCreateService does the validation, records, admission and queueing.
import { NotFoundError, UnavailableError, ValidationError } from '@pixelfarm/errors';
import type { BatchStore } from '@pixelfarm/storage';
import { batchPageToken, isBatchId, newBatchId, type BulkJobRequest } from '@pixelfarm/schemas';
import type { BatchCallbackBody, BatchProgress, CallbackQueue } from '@pixelfarm/queue';
import type { BulkItem, CreateHooks, ImageCreateService } from './image-create.service';

export interface BatchServiceDeps {
  creator: Pick<ImageCreateService, 'enqueueBulk'>;
  manifests: Pick<BatchStore, 'save' | 'get' | 'delete'>;
  progress: Pick<BatchProgress, 'start' | 'page' | 'discard'>;
  callbacks: Pick<CallbackQueue, 'enqueue' | 'enqueueBatchDone'>;
  publicUrl: string;
  /** How long progress is kept, for the message of an expired batch. */
  retentionS: number;
}

export interface AcceptedBatch {
  batch_id: string;
  status_url: string;
}

export type BatchImageStatus = 'queued' | 'done' | 'failed';

export interface BatchStatus {
  batch_id: string;
  total: number;
  /** Items not finished yet: waiting in the bulk lane or rendering. */
  queued: number;
  done: number;
  failed: number;
  images: {
    index: number;
    id: string;
    url: string;
    status: BatchImageStatus;
    error?: string;
    /** Present when the image is done but its storage destination copy could not be written. */
    storage_destination?: { status: 'failed'; error: string };
  }[];
  next_page_token?: string;
}

export class BatchService {
  constructor(private readonly deps: BatchServiceDeps) {}

  async create(account: string, job: BulkJobRequest, hooks: Pick<CreateHooks, 'onCredits'> = {}): Promise<AcceptedBatch> {
    const batchId = newBatchId();
    const statusUrl = `${this.deps.publicUrl}/v1/batches/${batchId}`;
    const items = await this.deps.creator.enqueueBulk(account, job.requests, {
      id: batchId,
      prepare: async (prepared) => {
        await this.deps.manifests.save({
          batch_id: batchId,
          account,
          created_at: new Date().toISOString(),
          items: prepared.map((i) => (i.storeOnly ? [i.id, i.ext, 'store'] : [i.id, i.ext])),
        });
        await this.deps.progress
          .start(batchId, { account, total: prepared.length, statusUrl, callbackUrl: job.callback_url, doneIndices: storedIndices(prepared) })
          .catch((err: unknown) => {
            throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
          });
      },
      discard: async () => {
        await this.deps.progress.discard(batchId);
        await this.deps.manifests.delete(account, batchId);
      },
    }, hooks);
    // Every item was a duplicate of a stored image: no worker will finish the batch, so it is done now.
    if (job.callback_url && items.every((i) => i.stored)) {
      const body: BatchCallbackBody = { batch_id: batchId, total: items.length, done: items.length, failed: 0, status_url: statusUrl };
      await this.deps.callbacks.enqueueBatchDone(account, job.callback_url, body);
    }
    return { batch_id: batchId, status_url: statusUrl };
  }

  /** One page of a batch's images with the counts; another account's batch is not found (404). */
  async status(account: string, batchId: string, start: number, limit: number): Promise<BatchStatus> {
    if (!isBatchId(batchId)) throw new NotFoundError('Batch not found');
    const manifest = await this.deps.manifests.get(account, batchId);
    if (!manifest) throw new NotFoundError('Batch not found');
    const total = manifest.items.length;
    if (start > total) throw new ValidationError('page_token is not valid: use next_page_token from a previous page');
    const count = Math.min(limit, total - start);
    const page = await this.deps.progress.page(batchId, start, count).catch((err: unknown) => {
      throw new UnavailableError('Batch progress is unavailable, please retry', { cause: err });
    });
    if (!page) {
      throw new NotFoundError(`Batch not found: the progress of a batch is kept for ${duration(this.deps.retentionS)}`);
    }
    const images = manifest.items.slice(start, start + count).map(([id, ext, route], i): BatchStatus['images'][number] => {
      const outcome = page.outcomes[i];
      const error = outcome === 'failed' ? page.errors[i] : null;
      // A done item's note is why its storage destination copy could not be written.
      const destinationError = outcome === 'done' ? page.errors[i] : null;
      return {
        index: start + i,
        id,
        url: `${this.deps.publicUrl}/v1/${route ?? 'image'}/${id}${ext}`,
        status: outcome ?? 'queued',
        ...(error ? { error } : {}),
        ...(destinationError ? { storage_destination: { status: 'failed' as const, error: destinationError } } : {}),
      };
    });
    return {
      batch_id: batchId,
      total,
      queued: Math.max(0, total - page.done - page.failed),
      done: page.done,
      failed: page.failed,
      images,
      ...(start + count < total ? { next_page_token: batchPageToken(start + count) } : {}),
    };
  }
}

function storedIndices(items: readonly BulkItem[]): number[] {
  return items.flatMap((item, index) => (item.stored ? [index] : []));
}

function duration(seconds: number): string {
  if (seconds >= 86_400) return `${Math.round(seconds / 86_400)} day(s)`;
  if (seconds >= 3600) return `${Math.round(seconds / 3600)} hour(s)`;
  return `${Math.round(seconds / 60)} minute(s)`;
}
