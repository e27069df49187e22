// Admission control: a cap on renders admitted but not finished, per lane, shared by every
// API replica through one Redis sorted set. The check and the admission of all of a request's
// ids are one Lua script, so two replicas can never both take the last slots and a batch is
// admitted whole or not at all. Above the cap a create is refused at once (429 + Retry-After)
// instead of queueing forever. A ticket is held until the render's outcome is recorded, by the
// worker that ran it (RenderOutcomes), or until its create removes the job before it started:
// so the cap bounds what is queued plus running, however many creates give up waiting.
import type { RedisClient } from './redis-connection';
import { TooManyRequestsError, UnavailableError } from '@pixelfarm/errors';
import type { Lane } from './render-contract';

// KEYS[1] = lane set; ARGV = now, ticket ttl, cap, ticket ids...
// Tickets older than their ttl belong to an API (or worker) that died: they are dropped first.
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) + #ARGV - 3 > tonumber(ARGV[3]) then return 0 end
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export interface LaneLimits {
  /** Pending renders allowed in the lane. */
  maxPending: number;
  /** How long a ticket may live before it is presumed abandoned. */
  ticketTtlMs: number;
}

export interface AdmissionOptions {
  prefix: string;
  /** Seconds a refused client is told to wait. */
  retryAfterS: number;
  lanes: Record<Lane, LaneLimits>;
}

/** The limits of both lanes from the deployment's configured limits (one mapping for API and workers). */
export function admissionLanes(limits: {
  queueMaxPending: number;
  renderWaitMs: number;
  renderTimeoutMs: number;
  jobAttempts: number;
  /** The first retry's delay; each later one doubles (JOB_BACKOFF_MS). */
  jobBackoffMs: number;
  bulkMaxPending: number;
  batchRetentionS: number;
}): Record<Lane, LaneLimits> {
  return {
    // An interactive job that has not started when its create stops waiting is removed; one
    // that has runs at most every attempt's budget and a lock expiry per attempt (60 s covers
    // it), plus the retries' backoff: 1 + 2 + ... + 2^(attempts-2) times the first delay.
    interactive: {
      maxPending: limits.queueMaxPending,
      ticketTtlMs: limits.renderWaitMs + limits.jobAttempts * (limits.renderTimeoutMs + 60_000) + limits.jobBackoffMs * (2 ** (limits.jobAttempts - 1) - 1),
    },
    // A bulk item may wait behind a long backlog; its worker releases the ticket.
    bulk: { maxPending: limits.bulkMaxPending, ticketTtlMs: limits.batchRetentionS * 1000 },
  };
}

/** Ids per ZREM: keeps one command's arguments bounded for 10,000-item batches. */
const RELEASE_CHUNK = 1000;

export class AdmissionControl {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: AdmissionOptions,
  ) {}

  private key(lane: Lane): string {
    return `${this.options.prefix}:admission:${lane}`;
  }

  /** Takes one slot per id at once, or throws 429 taking none. */
  async admit(lane: Lane, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const { maxPending, ticketTtlMs } = this.options.lanes[lane];
    let ok: unknown;
    try {
      ok = await this.redis.eval(ADMIT, 1, this.key(lane), Date.now(), ticketTtlMs, maxPending, ...ids);
    } catch (err) {
      throw new UnavailableError('The render queue is unavailable, please retry', { cause: err });
    }
    if (ok !== 1) throw new TooManyRequestsError('The render queue is full, please retry later', this.options.retryAfterS);
  }

  async release(lane: Lane, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += RELEASE_CHUNK) {
      await this.redis.zrem(this.key(lane), ...ids.slice(i, i + RELEASE_CHUNK));
    }
  }

  async pending(lane: Lane): Promise<number> {
    return this.redis.zcard(this.key(lane));
  }
}
