// The bulk executor: admit a whole job's renders to the bulk lane (429 taking nothing when it
// is full), record them, let the job write its own state, and queue them with addBulk. Nobody
// waits: the workers settle each outcome. A job that cannot be queued leaves nothing behind.
import type { AdmissionControl, Lane, RenderJobData } from '@pixelfarm/queue';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import { settlementOf, type CreatePlan, type OwnerPlan } from './create-plan';
import type { ImageRecords } from './image-records';
import { extOf, imageUrl } from './image-url';
import { inParallel, STORAGE_PARALLEL } from './in-parallel';
import { storedOnlyAtDestination } from '@pixelfarm/destinations';

export interface CreatedImage {
  id: string;
  url: string;
}

/** One item of a bulk job, in the order of its variations. */
export interface BulkItem extends CreatedImage {
  /** Extension of the url ("" for png). */
  ext: string;
  /** Already stored (a duplicate of an earlier image): nothing was queued for it. */
  stored: boolean;
  /** Kept only in its storage destination: its url is a /v1/store one. */
  storeOnly: boolean;
}

/** The bulk job the items belong to: its id, and its own state written before anything is queued. */
export interface BulkJob {
  id: string;
  /** Writes the batch's manifest and progress; runs after the records, before the first job is queued. */
  prepare(items: readonly BulkItem[]): Promise<void>;
  /** Undoes `prepare` when queueing fails. */
  discard(): Promise<void>;
}

/** The part of the render queue bulk jobs need. */
export interface BulkQueue {
  enqueueMany(data: readonly RenderJobData[], lane: Lane): Promise<void>;
  removeMany(ids: readonly string[]): Promise<void>;
}

export interface BulkEnqueueDeps {
  queue: BulkQueue;
  admission: Pick<AdmissionControl, 'admit' | 'release'>;
  records: Pick<ImageRecords, 'record' | 'forget'>;
  metrics: Pick<ApiRenderMetrics, 'enqueued'>;
  publicUrl: string;
}

export class BulkEnqueue {
  constructor(private readonly deps: BulkEnqueueDeps) {}

  /** Plans of a bulk job are never followers: their ids are new (or stored duplicates). */
  async run(account: string, plans: CreatePlan[], job: BulkJob): Promise<BulkItem[]> {
    const items = plans.map((p) => ({
      id: p.id,
      url: imageUrl(this.deps.publicUrl, p),
      ext: extOf(p.request),
      stored: p.kind === 'stored',
      storeOnly: storedOnlyAtDestination(p),
    }));
    const pending = plans.flatMap((plan, index) => (plan.kind === 'owner' ? [{ plan, index }] : []));
    const ids = pending.map(({ plan }) => plan.id);
    await this.deps.admission.admit('bulk', ids);
    const recorded: OwnerPlan[] = [];
    let queueing = false;
    try {
      const createdAt = new Date().toISOString();
      await inParallel(pending, STORAGE_PARALLEL, async ({ plan }) => {
        await this.deps.records.record(account, plan, createdAt);
        recorded.push(plan);
      });
      await job.prepare(items);
      queueing = true;
      await this.deps.queue.enqueueMany(
        pending.map(({ plan, index }) => ({
          id: plan.id,
          account,
          request: plan.request,
          settle: settlementOf(plan, 'bulk'),
          ...(plan.destination ? { destination: plan.destination } : {}),
          notify: { imageUrl: imageUrl(this.deps.publicUrl, plan), callbackUrl: plan.callbackUrl, batch: { id: job.id, index } },
        })),
        'bulk',
      );
    } catch (err) {
      // Nothing of a refused job may stay queued, listed or counted against the lane.
      if (queueing) await this.deps.queue.removeMany(ids).catch(() => undefined);
      await job.discard().catch(() => undefined);
      await inParallel(recorded, STORAGE_PARALLEL, (p) => this.deps.records.forget(account, p.id).catch(() => undefined));
      await this.deps.admission.release('bulk', ids).catch(() => undefined);
      throw err;
    }
    for (let i = 0; i < pending.length; i++) this.deps.metrics.enqueued();
    return items;
  }
}
