// Planning a create: what it will do, decided once from the resolved request and what is
// stored. A discriminated union, so each executor reads as a short story over its cases.
import { newImageId } from '@pixelfarm/schemas';
import type { ImageStore } from '@pixelfarm/storage';
import type { DedupeCache, RenderSettlement, Lane } from '@pixelfarm/queue';
import type { ResolvedRequest } from '../render-request.resolver';
import type { RenderClaims } from '../render-claims';
import { canonicalJson, contentHash, contentImageId } from '../content-id';

/** A resolved request, with its callback_url taken out: it is not part of what is rendered or deduped. */
export interface Resolved extends ResolvedRequest {
  callbackUrl?: string;
}

interface PlanBase extends Resolved {
  id: string;
}

/** The image is already stored (a duplicate within its window, or a signed URL seen before): nothing to render. */
export interface StoredPlan extends PlanBase {
  kind: 'stored';
}

/** This create writes the image's record and listing entry, and queues its render. */
export interface OwnerPlan extends PlanBase {
  kind: 'owner';
  /** The id comes from the content (signed URLs), so an old job under it may be in the way. */
  fixed: boolean;
  dedupe?: { hash: string; ttlS: number };
}

/**
 * A signed URL's image whose record another create writes (a concurrent first request) or
 * wrote (an earlier one whose render did not finish): this create queues or joins the render only.
 */
export interface FollowerPlan extends PlanBase {
  kind: 'follower';
  fixed: true;
}

export type CreatePlan = StoredPlan | OwnerPlan | FollowerPlan;
export type RenderPlan = OwnerPlan | FollowerPlan;

export interface CreatePlannerDeps {
  images: Pick<ImageStore, 'getRecord' | 'hasOriginal'>;
  claims: Pick<RenderClaims, 'claim' | 'release'>;
  dedupe: Pick<DedupeCache, 'lookup'>;
  /** Dedupe window of html creates that do not choose one. */
  dedupeDefaultS: number;
}

export class CreatePlanner {
  constructor(private readonly deps: CreatePlannerDeps) {}

  /** `fixed`: the id derives from the content (signed URLs), and it renders once. */
  async plan(account: string, resolved: Resolved, fixed: boolean): Promise<CreatePlan> {
    const content = canonicalJson({ request: resolved.request, template: resolved.template });
    return fixed ? this.planFixed(account, resolved, content) : this.planNew(account, resolved, content);
  }

  private async planFixed(account: string, resolved: Resolved, content: string): Promise<CreatePlan> {
    const id = contentImageId(account, content);
    if (await this.deps.images.hasOriginal(id)) return { ...resolved, id, kind: 'stored' };
    if (!(await this.deps.claims.claim(id))) return { ...resolved, id, kind: 'follower', fixed: true };
    if (await this.deps.images.getRecord(id)) {
      // Recorded by an earlier request whose render did not finish: only the render is redone.
      await this.deps.claims.release(id);
      return { ...resolved, id, kind: 'follower', fixed: true };
    }
    return { ...resolved, id, kind: 'owner', fixed: true };
  }

  private async planNew(account: string, resolved: Resolved, content: string): Promise<CreatePlan> {
    const { request } = resolved;
    // Duplicate detection is for html (and templates, which render html); url pages change.
    const ttlS = request.dedupe_duration_s ?? (request.html !== undefined ? this.deps.dedupeDefaultS : 0);
    if (ttlS <= 0) return { ...resolved, id: newImageId(), kind: 'owner', fixed: false };
    const hash = contentHash(account, content);
    const previous = await this.deps.dedupe.lookup(account, hash);
    if (previous && (await this.deps.images.hasOriginal(previous))) return { ...resolved, id: previous, kind: 'stored' };
    return { ...resolved, id: newImageId(), kind: 'owner', fixed: false, dedupe: { hash, ttlS } };
  }
}

/** callback_url says who to tell, not what to render: it stays out of the request and its content hash. */
export function withoutCallback(resolved: ResolvedRequest): Resolved {
  const { callback_url, ...request } = resolved.request;
  return { ...resolved, request, callbackUrl: callback_url };
}

/** What the worker records after the render of a plan (RenderOutcomes). */
export function settlementOf(plan: RenderPlan, lane: Lane): RenderSettlement {
  return { lane, ...(plan.kind === 'owner' && plan.dedupe ? { dedupe: plan.dedupe } : {}) };
}
