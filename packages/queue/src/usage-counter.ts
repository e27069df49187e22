// Images rendered per account, counted in hour, day and month buckets in Redis (INCR with a TTL
// a little longer than the period GET /v1/usage reports), and read back as that report.
// Workers count each stored image once, whoever queued it (recordOnce).
import type { RedisClient } from './redis-connection';
import { UnavailableError } from '@pixelfarm/errors';

export interface UsageCounterOptions {
  prefix: string;
}

export interface UsageReport {
  data: { hour: Record<string, number>; day: Record<string, number>; month: Record<string, number> };
  per_billing_period: { total_images: number; start: string; end: string }[];
}

type Period = 'hour' | 'day' | 'month';

/** How many buckets the report shows, and how long a bucket is kept (seconds). */
const PERIODS: Record<Period, { shown: number; ttl: number }> = {
  hour: { shown: 72, ttl: 73 * 3600 },
  day: { shown: 60, ttl: 61 * 86400 },
  month: { shown: 12, ttl: 13 * 31 * 86400 },
};

/** How long an image's "counted" mark outlives its render: longer than any job's retries. */
const COUNTED_MARK_TTL_S = 7 * 86400;

// KEYS[1] = the image's counted mark, KEYS[2..] = bucket keys; ARGV[1] = mark ttl, ARGV[2..] = bucket ttls.
const RECORD_ONCE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[i])
end
return 1`;

/** Start of the bucket `back` periods before the one holding `now`, in UTC. */
function bucketStart(period: Period, now: Date, back = 0): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === 'month') return new Date(Date.UTC(y, m - back, 1));
  if (period === 'day') return new Date(Date.UTC(y, m, d - back));
  return new Date(Date.UTC(y, m, d, now.getUTCHours() - back));
}

/** "2024-03-17T13:00:00Z": the bucket keys of the hosted API's usage report. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export class UsageCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: UsageCounterOptions,
  ) {}

  private key(account: string, period: Period, start: Date): string {
    return `${this.options.prefix}:usage:${account}:${period}:${isoSeconds(start)}`;
  }

  /**
   * Counts one stored image now, once per `run` (a job, across its re-runs): a re-run under
   * BullMQ's at-least-once delivery (a worker that died after counting) finds its mark and
   * counts nothing, while a later render of the same id (a signed URL's image rendered again
   * after it was deleted) is a new run and counts. The mark and the
   * counts are one script, so a crash cannot leave one without the other. Throws when Redis
   * cannot take it, so the job retries rather than losing the count.
   */
  async recordOnce(account: string, run: string, now = new Date()): Promise<void> {
    const periods = Object.keys(PERIODS) as Period[];
    const keys = periods.map((period) => this.key(account, period, bucketStart(period, now)));
    await this.redis.eval(
      RECORD_ONCE,
      keys.length + 1,
      `${this.options.prefix}:usage:counted:${run}`,
      ...keys,
      COUNTED_MARK_TTL_S,
      ...periods.map((p) => PERIODS[p].ttl),
    );
  }

  /** Images counted in the billing period (calendar month, UTC) holding `now`. */
  async used(account: string, now = new Date()): Promise<number> {
    const count = await this.redis.get(this.key(account, 'month', bucketStart('month', now))).catch((err: unknown) => {
      throw new UnavailableError('Usage counters are unavailable, please retry', { cause: err });
    });
    return Number(count ?? 0);
  }

  async report(account: string, now = new Date()): Promise<UsageReport> {
    const starts = (period: Period) => Array.from({ length: PERIODS[period].shown }, (_, i) => bucketStart(period, now, PERIODS[period].shown - 1 - i));
    const buckets = (['hour', 'day', 'month'] as Period[]).flatMap((period) => starts(period).map((start) => ({ period, start })));
    const counts = await this.redis.mget(buckets.map((b) => this.key(account, b.period, b.start))).catch((err: unknown) => {
      throw new UnavailableError('Usage counters are unavailable, please retry', { cause: err });
    });
    const data: UsageReport['data'] = { hour: {}, day: {}, month: {} };
    buckets.forEach((b, i) => (data[b.period][isoSeconds(b.start)] = Number(counts[i] ?? 0)));
    // Billing periods are calendar months, oldest first as hcti lists them (management-api/usage).
    const per_billing_period = starts('month').map((start) => ({
      total_images: data.month[isoSeconds(start)] ?? 0,
      start: isoSeconds(start),
      end: isoSeconds(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1))),
    }));
    return { data, per_billing_period };
  }
}
