// Creating images: templates resolved, duplicates answered from storage, what the account owns
// recorded in storage before the render is queued, renders awaited.
// Single creates, batches and signed URLs all go through `run`, so they behave alike; bulk jobs
// go through `enqueueBulk`, which shares resolving, planning, records and admission but queues
// in the bulk lane and returns without waiting. What follows a render (usage, dedupe, the
// admission ticket, forgetting a failed input, callbacks) is the worker's, for every lane
// (RenderOutcomes, issue #18): each job carries its RenderSettlement. The API only enqueues,
// waits and translates, and undoes its own writes when a create gives up before its render starts.
import { isInputFailure, UnavailableError, ValidationError } from '@pixelfarm/errors';
import { removeAccountImage, type AccountImageIndex, type ImageStore } from '@pixelfarm/storage';
import { newImageId, type CreateImageRequest } from '@pixelfarm/schemas';
import type { AdmissionControl, CallbackQueue, DedupeCache, ImageCallbackBody, Lane, RenderJobData, RenderSettlement, RenderWait } from '@pixelfarm/queue';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import type { RenderRequestResolver, ResolvedRequest, TemplateLookups } from './render-request.resolver';
import type { RenderClaims } from './render-claims';
import { canonicalJson, contentHash, contentImageId } from './content-id';

/** The part of the render queue creation needs. */
export interface CreateQueue {
  enqueue(data: RenderJobData): Promise<void>;
  enqueueMany(data: readonly RenderJobData[], lane: Lane): Promise<void>;
  removeMany(ids: readonly string[]): Promise<void>;
  awaitOrWithdraw(id: string, timeoutMs: number): Promise<RenderWait>;
  discardFinished(id: string): Promise<void>;
}

export interface ImageCreateDeps {
  resolver: Pick<RenderRequestResolver, 'resolve'>;
  images: Pick<ImageStore, 'saveRecord' | 'getRecord' | 'hasOriginal' | 'deleteImage'>;
  index: Pick<AccountImageIndex, 'add' | 'remove'>;
  queue: CreateQueue;
  admission: Pick<AdmissionControl, 'admit' | 'release'>;
  claims: Pick<RenderClaims, 'claim' | 'release'>;
  dedupe: Pick<DedupeCache, 'lookup'>;
  /** Callbacks of images that were already stored (the worker sends those of renders). */
  callbacks: Pick<CallbackQueue, 'enqueue'>;
  metrics: Pick<ApiRenderMetrics, 'enqueued' | 'result'>;
  publicUrl: string;
  renderWaitMs: number;
  /** Dedupe window of html creates that do not choose one. */
  dedupeDefaultS: number;
}

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
}

/** The bulk job the items belong to: its id, and its own state written before anything is queued. */
export interface BulkJob {
  id: string;
  /** Writes the batch's manifest and progress; runs after the records, before the first job is queued. */
  prepare(items: readonly BulkItem[]): Promise<void>;
  /** Undoes `prepare` when queueing fails. */
  discard(): Promise<void>;
}

/** Requests resolved per round while a bulk job is validated, and storage writes in flight. */
const BULK_CHUNK = 200;
const STORAGE_PARALLEL = 32;

/** A resolved request, with its callback_url taken out: it is not part of what is rendered or deduped. */
interface Resolved extends ResolvedRequest {
  callbackUrl?: string;
}

/** What one create will do: answer with a stored image, or render a new one. */
interface Plan extends Resolved {
  id: string;
  /** The image is already stored (a duplicate, or a signed URL seen before). */
  stored: boolean;
  /** This call writes the record and listing entry; false when a concurrent request does. */
  owner: boolean;
  /** The id comes from the content (signed URLs), so an old job under it may be in the way. */
  fixed: boolean;
  dedupe?: { hash: string; ttl: number };
}

export class ImageCreateService {
  constructor(private readonly deps: ImageCreateDeps) {}

  /** One create: returns once the image is stored (or was already). */
  async create(account: string, input: CreateImageRequest): Promise<CreatedImage> {
    const [created] = await this.run(account, [input], { fixedIds: false, batch: false });
    return created!;
  }

  /**
   * Several creates at once, answered in order. Every variation is resolved and validated before
   * anything is queued: one invalid variation fails the batch with its index and queues nothing.
   */
  createBatch(account: string, inputs: CreateImageRequest[]): Promise<CreatedImage[]> {
    return this.run(account, inputs, { fixedIds: false, batch: true });
  }

  /**
   * A signed URL's image: its id derives from the content, so it renders once and is then stored.
   * `beforeRender` runs only when a render is needed (the rate limit of an unauthenticated GET).
   */
  async ensure(account: string, input: CreateImageRequest, beforeRender?: () => Promise<void>): Promise<CreatedImage> {
    const [created] = await this.run(account, [input], { fixedIds: true, batch: false, beforeRender });
    return created!;
  }

  /**
   * A bulk job: every variation is resolved and validated first (one invalid variation fails the
   * job with its index and queues nothing), then the renders are admitted to the bulk lane as a
   * whole (429 taking nothing when the lane is full), recorded, and queued with BullMQ's addBulk.
   * Returns at once with the items in order; workers report each outcome.
   */
  async enqueueBulk(account: string, inputs: CreateImageRequest[], job: BulkJob): Promise<BulkItem[]> {
    const plans: Plan[] = [];
    const lookups: TemplateLookups = new Map();
    for (let start = 0; start < inputs.length; start += BULK_CHUNK) {
      const resolved = await settleInOrder(
        inputs.slice(start, start + BULK_CHUNK).map((input) => this.deps.resolver.resolve(account, input, lookups)),
        (err, i) => tagged(err, start + i),
      );
      plans.push(...(await Promise.all(resolved.map((r) => this.plan(account, withoutCallback(r), false)))));
    }
    const items = plans.map((p) => ({ id: p.id, url: this.urlOf(p), ext: extOf(p.request), stored: p.stored }));
    const pending = plans.map((plan, index) => ({ plan, index })).filter(({ plan }) => !plan.stored);
    const ids = pending.map(({ plan }) => plan.id);
    await this.deps.admission.admit('bulk', ids);
    const recorded: Plan[] = [];
    let queueing = false;
    try {
      const createdAt = new Date().toISOString();
      await inParallel(pending, STORAGE_PARALLEL, async ({ plan }) => {
        await this.record(account, plan, createdAt);
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
          notify: { imageUrl: this.urlOf(plan), callbackUrl: plan.callbackUrl, batch: { id: job.id, index } },
        })),
        'bulk',
      );
    } catch (err) {
      // Nothing of a refused job may stay queued, listed or counted against the lane.
      if (queueing) await this.deps.queue.removeMany(ids).catch(() => undefined);
      await job.discard().catch(() => undefined);
      await inParallel(recorded, STORAGE_PARALLEL, (p) => this.forget(account, p).catch(() => undefined));
      await this.deps.admission.release('bulk', ids).catch(() => undefined);
      throw err;
    }
    for (let i = 0; i < pending.length; i++) this.deps.metrics.enqueued();
    await this.notifyStored(account, plans.filter((p) => p.stored));
    return items;
  }

  private async run(
    account: string,
    inputs: CreateImageRequest[],
    mode: { fixedIds: boolean; batch: boolean; beforeRender?: () => Promise<void> },
  ): Promise<CreatedImage[]> {
    const lookups: TemplateLookups = new Map();
    const resolved = await settleInOrder(
      inputs.map((input) => this.deps.resolver.resolve(account, input, lookups)),
      (err, i) => (mode.batch ? tagged(err, i) : err),
    );
    const plans = await Promise.all(resolved.map((r) => this.plan(account, withoutCallback(r), mode.fixedIds)));
    const pending = plans.filter((p) => !p.stored);
    if (pending.length > 0) {
      await mode.beforeRender?.();
      const outcomes = await this.render(account, pending);
      const failed = outcomes.findIndex((o) => o.status === 'rejected');
      if (failed >= 0) {
        const reason = (outcomes[failed] as PromiseRejectedResult).reason;
        throw mode.batch ? tagged(reason, plans.indexOf(pending[failed]!)) : reason;
      }
    }
    // A signed URL's image is served to every GET: only its render (on the worker) calls back.
    if (!mode.fixedIds) await this.notifyStored(account, plans.filter((p) => p.stored));
    return plans.map((p) => ({ id: p.id, url: this.urlOf(p) }));
  }

  /** An already-stored image has no render to report it: its callback is queued here. */
  private async notifyStored(account: string, plans: Plan[]): Promise<void> {
    await inParallel(
      plans.filter((p) => p.callbackUrl),
      STORAGE_PARALLEL,
      async (p) => {
        const body: ImageCallbackBody = { id: p.id, url: this.urlOf(p), status: 'done' };
        // No job id: each create that reuses the image is told, even with the same image id.
        await this.deps.callbacks.enqueue({ account, url: p.callbackUrl!, body: JSON.stringify(body), kind: 'image' });
      },
    );
  }

  private async plan(account: string, resolved: Resolved, fixed: boolean): Promise<Plan> {
    const content = canonicalJson({ request: resolved.request, template: resolved.template });
    if (fixed) {
      const id = contentImageId(account, content);
      if (await this.deps.images.hasOriginal(id)) return { ...resolved, id, stored: true, owner: false, fixed };
      let owner = await this.deps.claims.claim(id);
      if (owner && (await this.deps.images.getRecord(id))) {
        // Recorded by an earlier request whose render did not finish: only the render is redone.
        await this.deps.claims.release(id);
        owner = false;
      }
      return { ...resolved, id, stored: false, owner, fixed };
    }
    const { request } = resolved;
    // Duplicate detection is for html (and templates, which render html); url pages change.
    const ttl = request.dedupe_duration_s ?? (request.html !== undefined ? this.deps.dedupeDefaultS : 0);
    if (ttl <= 0) return { ...resolved, id: newImageId(), stored: false, owner: true, fixed };
    const hash = contentHash(account, content);
    const previous = await this.deps.dedupe.lookup(account, hash);
    if (previous && (await this.deps.images.hasOriginal(previous))) {
      return { ...resolved, id: previous, stored: true, owner: false, fixed };
    }
    return { ...resolved, id: newImageId(), stored: false, owner: true, fixed, dedupe: { hash, ttl } };
  }

  /**
   * Admits, records, queues and awaits the renders; one settled outcome per plan, in order.
   * The admission tickets go with the jobs: their workers release them with the outcomes.
   */
  private async render(account: string, plans: Plan[]): Promise<PromiseSettledResult<unknown>[]> {
    const ids = plans.map((p) => p.id);
    await this.deps.admission.admit('interactive', ids);
    const recorded: Plan[] = [];
    const queued: Plan[] = [];
    try {
      const createdAt = new Date().toISOString();
      await Promise.all(
        plans.filter((p) => p.owner).map(async (p) => {
          await this.record(account, p, createdAt);
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
          ...(p.callbackUrl ? { notify: { imageUrl: this.urlOf(p), callbackUrl: p.callbackUrl } } : {}),
        });
        queued.push(p);
        this.deps.metrics.enqueued();
      }
    } catch (err) {
      // Nothing of a create that could not be queued may stay queued, listed or counted against the lane.
      await this.withdraw(account, queued, recorded, ids);
      throw err;
    }
    const outcomes = await Promise.allSettled(plans.map((p) => this.wait(account, p)));
    await Promise.all(plans.filter((p) => p.fixed && p.owner).map((p) => this.deps.claims.release(p.id)));
    return outcomes;
  }

  /** Undoes a create's writes: its jobs removed (those not started), its records forgotten, its tickets released. */
  private async withdraw(account: string, queued: Plan[], recorded: Plan[], ids: string[]): Promise<void> {
    await this.deps.queue.removeMany(queued.map((p) => p.id)).catch(() => undefined);
    await Promise.all(recorded.map((p) => this.forget(account, p).catch(() => undefined)));
    await this.deps.admission.release('interactive', ids).catch(() => undefined);
  }

  /** The durable record of what the account owns: the request with the image, and the listing entry. */
  private async record(account: string, p: Plan, createdAt: string): Promise<void> {
    await this.deps.images.saveRecord({ id: p.id, account, created_at: createdAt, request: p.request, template: p.template });
    await this.deps.index.add(account, { id: p.id, created_at: createdAt, ext: extOf(p.request), metadata: p.request.metadata });
  }

  private forget(account: string, p: Plan): Promise<void> {
    return removeAccountImage(this.deps, account, p.id);
  }

  /**
   * Waits for one render. Out of time, a render that has not started is withdrawn with
   * everything its create wrote (503, nothing kept); one that is running is left to its worker,
   * which completes and lists the image as usual (503 all the same: this create cannot wait).
   */
  private async wait(account: string, p: Plan): Promise<void> {
    const started = Date.now();
    let wait: RenderWait;
    try {
      wait = await this.deps.queue.awaitOrWithdraw(p.id, this.deps.renderWaitMs);
    } catch (err) {
      this.deps.metrics.result(isInputFailure(err) ? 'rejected' : 'failed', (Date.now() - started) / 1000);
      throw err;
    }
    if (wait.outcome === 'completed') {
      this.deps.metrics.result('completed', (Date.now() - started) / 1000);
      return;
    }
    this.deps.metrics.result('failed', (Date.now() - started) / 1000);
    if (wait.outcome === 'withdrawn') {
      await this.withdraw(account, [], p.owner ? [p] : [], [p.id]);
      throw new UnavailableError(`The render did not start within ${this.deps.renderWaitMs} ms (the queue is busy); nothing was kept, please retry`);
    }
    throw new UnavailableError(`The render did not finish within ${this.deps.renderWaitMs} ms; it will still be completed and listed`);
  }

  private urlOf(p: Plan): string {
    return `${this.deps.publicUrl}/v1/image/${p.id}${extOf(p.request)}`;
  }
}

/** `format` only chooses the extension of the returned url; png is the default and has none. */
export function extOf(request: Pick<CreateImageRequest, 'format'>): string {
  return request.format && request.format !== 'png' ? `.${request.format}` : '';
}

/** callback_url says who to tell, not what to render: it stays out of the request and its content hash. */
function withoutCallback(resolved: ResolvedRequest): Resolved {
  const { callback_url, ...request } = resolved.request;
  return { ...resolved, request, callbackUrl: callback_url };
}

/** Runs `fn` over the items with at most `limit` in flight; rejects with the first error after all settle. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.err;
}

/** What the worker records after the render of a plan (see RenderOutcomes). */
function settlementOf(p: Plan, lane: Lane): RenderSettlement {
  return { lane, ...(p.dedupe ? { dedupe: { hash: p.dedupe.hash, ttlS: p.dedupe.ttl } } : {}) };
}

/** A client error of one batch variation, named by its index; service errors pass unchanged. */
function tagged(err: unknown, index: number): unknown {
  if (isInputFailure(err)) {
    return new ValidationError(`variations[${index}]: ${err.message}`);
  }
  return err;
}

/** Awaits every promise; throws the error of the first rejected one in input order. */
async function settleInOrder<T>(promises: Promise<T>[], mapError: (err: unknown, index: number) => unknown): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) throw mapError((settled[failed] as PromiseRejectedResult).reason, failed);
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
