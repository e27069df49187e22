// Creating images: each input resolved (templates rendered) and planned (create-plan.ts), then
// carried out by an executor: render-and-wait for single creates, batches and signed URLs, so
// they behave alike; bulk-enqueue for bulk jobs, which nobody waits for. What follows a render
// (usage, dedupe, the admission ticket, forgetting a failed input, callbacks) is the worker's,
// for every lane (RenderOutcomes): each job carries its settlement. The API only
// enqueues, waits and translates, and undoes its own writes when a create gives up early.
import { isInputFailure, ValidationError } from '@pixelfarm/errors';
import type { AccountImageIndex, ImageRecord, ImageStore } from '@pixelfarm/storage';
import type { CreateImageRequest } from '@pixelfarm/schemas';
import type { AdmissionControl, CallbackQueue, DedupeCache, ImageCallbackBody } from '@pixelfarm/queue';
import type { ApiRenderMetrics } from '@pixelfarm/metrics';
import { ResolveLookups, type RenderRequestResolver } from './render-request.resolver';
import type { RenderClaims } from './render-claims';
import { CreatePlanner, withoutCallback, type CreatePlan, type FollowerPlan, type RenderPlan } from './create/create-plan';
import { ImageRecords } from './create/image-records';
import { RenderAndWait, type InteractiveQueue } from './create/render-and-wait';
import { BulkEnqueue, type BulkItem, type BulkJob, type BulkQueue, type CreatedImage } from './create/bulk-enqueue';
import { imageUrl } from './create/image-url';
import { inParallel, STORAGE_PARALLEL } from './create/in-parallel';
import type { CreditState, RenderCredits } from './render-credits';
import { storedOnlyAtDestination } from '@pixelfarm/destinations';

export type { BulkItem, BulkJob, CreatedImage } from './create/bulk-enqueue';

/** The part of the render queue creation needs. */
export type CreateQueue = InteractiveQueue & BulkQueue;

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
  /** Image credits: each create spends one per image it renders, within the account's allowance. */
  credits: Pick<RenderCredits, 'spend'>;
  publicUrl: string;
  renderWaitMs: number;
  /** Dedupe window of html creates that do not choose one. */
  dedupeDefaultS: number;
}

/** What a caller may hook into a create. */
export interface CreateHooks {
  /** Runs only when something is to be rendered (the rate limit of an unauthenticated GET). */
  beforeRender?: () => Promise<void>;
  /** Told where the account's image credits stand once the create has spent them (x-renders-* headers). */
  onCredits?: (state: CreditState) => void;
}

/** Requests resolved per round while a bulk job is validated. */
const BULK_CHUNK = 200;

export class ImageCreateService {
  private readonly planner: CreatePlanner;
  private readonly interactive: RenderAndWait;
  private readonly bulk: BulkEnqueue;

  constructor(private readonly deps: ImageCreateDeps) {
    this.planner = new CreatePlanner(deps);
    const records = new ImageRecords(deps);
    this.interactive = new RenderAndWait({ ...deps, records });
    this.bulk = new BulkEnqueue({ ...deps, records });
  }

  /** One create: returns once the image is stored (or was already). */
  async create(account: string, input: CreateImageRequest, hooks: CreateHooks = {}): Promise<CreatedImage> {
    const [created] = await this.run(account, [input], { fixedIds: false, batch: false, ...hooks });
    return created!;
  }

  /**
   * Several creates at once, answered in order. Every variation is resolved and validated before
   * anything is queued: one invalid variation fails the batch with its index and queues nothing.
   */
  createBatch(account: string, inputs: CreateImageRequest[], hooks: CreateHooks = {}): Promise<CreatedImage[]> {
    return this.run(account, inputs, { fixedIds: false, batch: true, ...hooks });
  }

  /** A signed URL's image: its id derives from the content, so it renders once and is then stored. */
  async ensure(account: string, input: CreateImageRequest, hooks: CreateHooks = {}): Promise<CreatedImage> {
    const [created] = await this.run(account, [input], { fixedIds: true, batch: false, ...hooks });
    return created!;
  }

  /**
   * Renders a recorded image again, e.g. one kept only in its storage destination whose write
   * failed (PUT /v1/store): queued under its id (joining a render already under way) and waited
   * for like a create; the worker writes it where its record says.
   */
  async rerender(account: string, record: ImageRecord<CreateImageRequest>): Promise<void> {
    const plan: FollowerPlan = { kind: 'follower', fixed: true, id: record.id, request: record.request, template: record.template, destination: record.destination };
    const [outcome] = await this.interactive.run(account, [plan]);
    if (outcome?.status === 'rejected') throw outcome.reason;
  }

  /**
   * A bulk job: every variation is resolved and validated first (one invalid variation fails the
   * job with its index and queues nothing), then handed to the bulk executor. Returns at once
   * with the items in order.
   */
  async enqueueBulk(account: string, inputs: CreateImageRequest[], job: BulkJob, hooks: Pick<CreateHooks, 'onCredits'> = {}): Promise<BulkItem[]> {
    const plans: CreatePlan[] = [];
    const lookups = new ResolveLookups();
    for (let start = 0; start < inputs.length; start += BULK_CHUNK) {
      const resolved = await settleInOrder(
        inputs.slice(start, start + BULK_CHUNK).map((input) => this.deps.resolver.resolve(account, input, lookups)),
        (err, i) => tagged(err, start + i),
      );
      plans.push(...(await Promise.all(resolved.map((r) => this.planner.plan(account, withoutCallback(r), false)))));
    }
    hooks.onCredits?.(await this.spendCredits(account, plans));
    const items = await this.bulk.run(account, plans, job);
    await this.notifyStored(account, plans);
    return items;
  }

  private async run(
    account: string,
    inputs: CreateImageRequest[],
    mode: { fixedIds: boolean; batch: boolean } & CreateHooks,
  ): Promise<CreatedImage[]> {
    const lookups = new ResolveLookups();
    const resolved = await settleInOrder(
      inputs.map((input) => this.deps.resolver.resolve(account, input, lookups)),
      (err, i) => (mode.batch ? tagged(err, i) : err),
    );
    // A signed URL is answered with its image: one kept only in a storage destination has none.
    const storeOnly = mode.fixedIds ? resolved.find((r) => storedOnlyAtDestination(r)) : undefined;
    if (storeOnly) throw new ValidationError(`storage_destination_id: a signed URL is answered with its image, so its destination must keep a copy here (keep_copy)`);
    const plans = await Promise.all(resolved.map((r) => this.planner.plan(account, withoutCallback(r), mode.fixedIds)));
    const pending = plans.filter((p): p is RenderPlan => p.kind !== 'stored');
    const credits = await this.spendCredits(account, plans);
    if (pending.length > 0) {
      await mode.beforeRender?.();
      const outcomes = await this.interactive.run(account, pending);
      const failed = outcomes.findIndex((o) => o.status === 'rejected');
      if (failed >= 0) {
        const reason = (outcomes[failed] as PromiseRejectedResult).reason;
        throw mode.batch ? tagged(reason, plans.indexOf(pending[failed]!)) : reason;
      }
    }
    // A signed URL's image is served to every GET: only its render (on the worker) calls back.
    if (!mode.fixedIds) await this.notifyStored(account, plans);
    mode.onCredits?.(credits);
    return plans.map((p) => ({ id: p.id, url: imageUrl(this.deps.publicUrl, p) }));
  }

  /**
   * One credit per image this create renders (its own renders, not those it joins or finds
   * stored). Refused, it lets go of the signed-URL claims its plans took, as it renders nothing.
   */
  private async spendCredits(account: string, plans: CreatePlan[]): Promise<CreditState> {
    const owned = plans.filter((p) => p.kind === 'owner');
    try {
      return await this.deps.credits.spend(account, owned.length);
    } catch (err) {
      await Promise.all(owned.filter((p) => p.fixed).map((p) => this.deps.claims.release(p.id).catch(() => undefined)));
      throw err;
    }
  }

  /** An already-stored image has no render to report it: its callback is queued here. */
  private async notifyStored(account: string, plans: CreatePlan[]): Promise<void> {
    await inParallel(
      plans.filter((p) => p.kind === 'stored' && p.callbackUrl),
      STORAGE_PARALLEL,
      async (p) => {
        const body: ImageCallbackBody = { id: p.id, url: imageUrl(this.deps.publicUrl, p), status: 'done' };
        // No job id: each create that reuses the image is told, even with the same image id.
        await this.deps.callbacks.enqueue({ account, url: p.callbackUrl!, body: JSON.stringify(body), kind: 'image' });
      },
    );
  }
}

/** A client error of one batch variation, named by its index; service errors pass unchanged. */
function tagged(err: unknown, index: number): unknown {
  if (isInputFailure(err)) return new ValidationError(`variations[${index}]: ${err.message}`);
  return err;
}

/** Awaits every promise; throws the error of the first rejected one in input order. */
async function settleInOrder<T>(promises: Promise<T>[], mapError: (err: unknown, index: number) => unknown): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) throw mapError((settled[failed] as PromiseRejectedResult).reason, failed);
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
