// The interactive executor: admit the renders, record what this create owns, queue, and wait.
// The admission tickets go with the jobs (their workers release them with the outcomes); if
// the wait ends before a render started, everything this create wrote is undone.
import { isInputFailure, UnavailableError } from '@pixelfarm/errors';
import type { AdmissionControl, RenderJobData, RenderWait } from '@pixelfarm/queue';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import type { RenderClaims } from '../render-claims';
import { settlementOf, type OwnerPlan, type RenderPlan } from './create-plan';
import type { ImageRecords } from './image-records';
import { imageUrl } from './image-url';

/** The part of the render queue interactive creates need. */
export interface InteractiveQueue {
  enqueue(data: RenderJobData): Promise<void>;
  removeMany(ids: readonly string[]): Promise<void>;
  awaitOrWithdraw(id: string, timeoutMs: number): Promise<RenderWait>;
  discardFinished(id: string): Promise<void>;
}

export interface RenderAndWaitDeps {
  queue: InteractiveQueue;
  admission: Pick<AdmissionControl, 'admit' | 'release'>;
  claims: Pick<RenderClaims, 'release'>;
  records: Pick<ImageRecords, 'record' | 'forget'>;
  metrics: Pick<ApiRenderMetrics, 'enqueued' | 'result'>;
  publicUrl: string;
  renderWaitMs: number;
}

export class RenderAndWait {
  constructor(private readonly deps: RenderAndWaitDeps) {}

  /** Renders the plans; one settled outcome per plan, in order. Throws (having undone its writes) when they cannot be queued. */
  async run(account: string, plans: RenderPlan[]): Promise<PromiseSettledResult<unknown>[]> {
    const ids = plans.map((p) => p.id);
    await this.deps.admission.admit('interactive', ids);
    const owned = plans.filter((p): p is OwnerPlan => p.kind === 'owner');
    const recorded: OwnerPlan[] = [];
    const queued: RenderPlan[] = [];
    try {
      const createdAt = new Date().toISOString();
      await Promise.all(
        owned.map(async (p) => {
          await this.deps.records.record(account, p, createdAt);
          recorded.push(p);
        }),
      );
      for (const p of plans) {
        if (p.fixed) await this.deps.queue.discardFinished(p.id);
        await this.deps.queue.enqueue({
          id: p.id,
          account,
          request: p.request,
          settle: settlementOf(p, 'interactive'),
          ...(p.destination ? { destination: p.destination } : {}),
          ...(p.callbackUrl ? { notify: { imageUrl: imageUrl(this.deps.publicUrl, p), callbackUrl: p.callbackUrl } } : {}),
        });
        queued.push(p);
        this.deps.metrics.enqueued();
      }
    } catch (err) {
      // Nothing of a create that could not be queued may stay queued, listed or counted against the lane.
      await this.undo(account, queued, recorded, ids);
      throw err;
    }
    const outcomes = await Promise.allSettled(plans.map((p) => this.wait(account, p)));
    // A signed URL's claim only orders its first requests; the image is recorded by now.
    await Promise.all(owned.filter((p) => p.fixed).map((p) => this.deps.claims.release(p.id)));
    return outcomes;
  }

  /**
   * Waits for one render. Out of time, a render that has not started is withdrawn with
   * everything its create wrote (503, nothing kept); one that is running is left to its worker,
   * which completes and lists the image as usual (503 all the same: this create cannot wait).
   */
  private async wait(account: string, p: RenderPlan): Promise<void> {
    const started = Date.now();
    const seconds = () => (Date.now() - started) / 1000;
    // The render itself waits ms_delay on top of its work; so does its create.
    const waitMs = this.deps.renderWaitMs + (p.request.ms_delay ?? 0);
    let wait: RenderWait;
    try {
      wait = await this.deps.queue.awaitOrWithdraw(p.id, waitMs);
    } catch (err) {
      this.deps.metrics.result(isInputFailure(err) ? 'rejected' : 'failed', seconds());
      throw err;
    }
    this.deps.metrics.result(wait.outcome === 'completed' ? 'completed' : 'failed', seconds());
    if (wait.outcome === 'completed') return;
    if (wait.outcome === 'withdrawn') {
      await this.undo(account, [], p.kind === 'owner' ? [p] : [], [p.id]);
      throw new UnavailableError(`The render did not start within ${waitMs} ms (the queue is busy); nothing was kept, please retry`);
    }
    throw new UnavailableError(`The render did not finish within ${waitMs} ms; it will still be completed and listed`);
  }

  /** Undoes a create's writes: its jobs removed (those not started), its records forgotten, its tickets released. */
  private async undo(account: string, queued: RenderPlan[], recorded: OwnerPlan[], ids: string[]): Promise<void> {
    await this.deps.queue.removeMany(queued.map((p) => p.id)).catch(() => undefined);
    await Promise.all(recorded.map((p) => this.deps.records.forget(account, p.id).catch(() => undefined)));
    await this.deps.admission.release('interactive', ids).catch(() => undefined);
  }
}
