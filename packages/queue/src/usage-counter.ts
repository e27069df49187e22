// Images rendered per account, counted in hour, day and month buckets in Redis (INCR with a TTL
// a little longer than the period GET /v1/usage reports), and read back as that report.
// The API counts the renders it waits for; workers count bulk items, which nobody waits for.
import type { Redis } from 'ioredis';
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
    private readonly redis: Redis,
    private readonly options: UsageCounterOptions,
  ) {}

  private key(account: string, period: Period, start: Date): string {
    return `${this.options.prefix}:usage:${account}:${period}:${isoSeconds(start)}`;
  }

  /** Counts `n` rendered images now. Best effort: a counter outage never fails a render. */
  async record(account: string, n = 1, now = new Date()): Promise<void> {
    if (n <= 0) return;
    const multi = this.redis.multi();
    for (const period of Object.keys(PERIODS) as Period[]) {
      const key = this.key(account, period, bucketStart(period, now));
      multi.incrby(key, n).expire(key, PERIODS[period].ttl);
    }
    await multi.exec().catch(() => undefined);
  }

  async report(account: string, now = new Date()): Promise<UsageReport> {
    const starts = (period: Period) => Array.from({ length: PERIODS[period].shown }, (_, i) => bucketStart(period, now, PERIODS[period].shown - 1 - i));
    const buckets = (['hour', 'day', 'month'] as Period[]).flatMap((period) => starts(period).map((start) => ({ period, start })));
    const counts = await this.redis.mget(buckets.map((b) => this.key(account, b.period, b.start))).catch((err: unknown) => {
      throw new UnavailableError('Usage counters are unavailable, please retry', { cause: err });
    });
    const data: UsageReport['data'] = { hour: {}, day: {}, month: {} };
    buckets.forEach((b, i) => (data[b.period][isoSeconds(b.start)] = Number(counts[i] ?? 0)));
    // Billing periods are calendar months, newest first.
    const per_billing_period = starts('month')
      .reverse()
      .map((start) => ({
        total_images: data.month[isoSeconds(start)] ?? 0,
        start: isoSeconds(start),
        end: isoSeconds(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1))),
      }));
    return { data, per_billing_period };
  }
}
