// Image credits, as hcti counts them (management-api/usage, rate-limits "Image credits and plan
// limits"): each new image an account renders is one credit of its billing period; an image
// already stored (a duplicate, a signed URL seen before) is none. An operator may give every
// account an allowance per period (IMAGE_ALLOWANCE): past it a create is hcti's plan-limit 429,
// which waiting does not lift. Every create states where the account stands (credit-headers.ts).
import { PlanLimitError } from '@pixelfarm/errors';
import type { UsageCounter } from '@pixelfarm/queue';

/** Where an account stands after a create. */
export interface CreditState {
  /** The allowance of the period; 0 when there is none (hcti's "do not infer a remaining allowance from a zero limit"). */
  allowed: number;
  /** Credits this create spends: the images it renders. */
  consumed: number;
  /** Credits the account has used in the period, this create's included. */
  used: number;
}

export interface RenderCreditsOptions {
  /** Images each account may render per billing period (IMAGE_ALLOWANCE); undefined: no allowance. */
  allowance?: number;
}

export class RenderCredits {
  constructor(
    private readonly usage: Pick<UsageCounter, 'used'>,
    private readonly options: RenderCreditsOptions,
  ) {}

  /**
   * Spends `wanted` credits of `account`, or throws PlanLimitError when they would take it past
   * its allowance (nothing is spent then). The count itself is the workers' (one per stored
   * image): concurrent creates near the limit can each pass, as hcti's own "You've used 3055 of
   * your 3000" shows happens there too.
   */
  async spend(account: string, wanted: number): Promise<CreditState> {
    const { allowance } = this.options;
    const used = await this.usage.used(account);
    if (allowance !== undefined && wanted > 0 && used + wanted > allowance) {
      throw new PlanLimitError(`You've used ${used} of your ${allowance} image credits. The operator of this service sets the allowance (IMAGE_ALLOWANCE)`);
    }
    return { allowed: allowance ?? 0, consumed: wanted, used: used + wanted };
  }
}
