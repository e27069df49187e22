// Progress of bulk jobs in Redis: per batch a hash of counts and callback details, and per item
// its outcome. Outcomes are written with one Lua script that changes the counts only when an
// item's outcome changes, so recording the same outcome twice (a re-run after a worker died,
// the processor and the `failed` event both reporting) never counts twice, and an item that
// failed and later succeeded moves from `failed` to `done`. The manifest (which image is which
// item) is in object storage; this is only progress, kept for BATCH_RETENTION_S.
import type { RedisClient } from './redis-connection';

export type ItemOutcome = 'done' | 'failed';

export interface BatchStart {
  account: string;
  total: number;
  statusUrl: string;
  callbackUrl?: string;
  /** Items already stored when the batch was accepted (duplicates of earlier images). */
  doneIndices: readonly number[];
}

export interface BatchCounts {
  total: number;
  done: number;
  failed: number;
}

export interface RecordedOutcome extends BatchCounts {
  /** The item's outcome changed with this call (first report, or failed → done). */
  changed: boolean;
  /** Every item has an outcome. */
  finished: boolean;
  account: string;
  statusUrl: string;
  callbackUrl?: string;
}

export interface BatchPage extends BatchCounts {
  /** Outcome of each item of the page; null while it is queued or rendering. */
  outcomes: (ItemOutcome | null)[];
  /** Why each failed item failed; for a done item, why its storage destination copy failed. */
  errors: (string | null)[];
}

// KEYS = meta, items, errors; ARGV = index, outcome, error message.
const RECORD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
local changed = 0
if prev ~= ARGV[2] then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  if prev then redis.call('HINCRBY', KEYS[1], prev, -1) end
  redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
  changed = 1
end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
  local ttl = redis.call('TTL', KEYS[1])
  if ttl > 0 then redis.call('EXPIRE', KEYS[3], ttl) end
else
  redis.call('HDEL', KEYS[3], ARGV[1])
end
local m = redis.call('HMGET', KEYS[1], 'total', 'done', 'failed', 'account', 'status_url', 'callback_url')
return {changed, m[1], m[2], m[3], m[4], m[5], m[6]}`;

export interface BatchProgressOptions {
  prefix: string;
  /** Seconds a batch's progress is kept. */
  retentionS: number;
}

export class BatchProgress {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: BatchProgressOptions,
  ) {}

  // One hash tag per batch keeps its keys in one slot (the script touches all three).
  private keys(batchId: string): [meta: string, items: string, errors: string] {
    const base = `${this.options.prefix}:batch:{${batchId}}`;
    return [base, `${base}:items`, `${base}:errors`];
  }

  /** Written before the batch's jobs are queued, so every outcome finds its batch. */
  async start(batchId: string, start: BatchStart): Promise<void> {
    const [meta, items] = this.keys(batchId);
    const multi = this.redis.multi();
    multi.hset(meta, {
      account: start.account,
      total: start.total,
      done: start.doneIndices.length,
      failed: 0,
      status_url: start.statusUrl,
      ...(start.callbackUrl ? { callback_url: start.callbackUrl } : {}),
    });
    if (start.doneIndices.length > 0) multi.hset(items, Object.fromEntries(start.doneIndices.map((i) => [String(i), 'done'])));
    multi.expire(meta, this.options.retentionS);
    multi.expire(items, this.options.retentionS);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('batch progress was not written');
  }

  /**
   * Records an item's outcome; null when the batch is unknown (expired). `error` says why a failed
   * item failed, or why a done item's storage destination copy could not be written.
   */
  async record(batchId: string, index: number, outcome: ItemOutcome, error = ''): Promise<RecordedOutcome | null> {
    const reply = (await this.redis.eval(RECORD, 3, ...this.keys(batchId), index, outcome, error)) as (string | number | null)[] | null;
    if (!reply) return null;
    const [changed, total, done, failed, account, statusUrl, callbackUrl] = reply;
    const counts = { total: Number(total), done: Number(done), failed: Number(failed) };
    return {
      ...counts,
      changed: changed === 1,
      finished: counts.done + counts.failed >= counts.total,
      account: String(account),
      statusUrl: String(statusUrl),
      callbackUrl: callbackUrl ? String(callbackUrl) : undefined,
    };
  }

  /** Counts and the outcomes of items [start, start + count); null when the batch is unknown (expired). */
  async page(batchId: string, start: number, count: number): Promise<BatchPage | null> {
    const [meta, items, errors] = this.keys(batchId);
    const fields = Array.from({ length: count }, (_, i) => String(start + i));
    const pipeline = this.redis.pipeline().hmget(meta, 'total', 'done', 'failed');
    if (count > 0) pipeline.hmget(items, ...fields).hmget(errors, ...fields);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    const [total, done, failedCount] = results[0]![1] as (string | null)[];
    if (total === null || total === undefined) return null;
    const outcomes = count > 0 ? (results[1]![1] as (string | null)[]) : [];
    return {
      total: Number(total),
      done: Number(done),
      failed: Number(failedCount),
      outcomes: outcomes.map((o) => (o === 'done' || o === 'failed' ? o : null)),
      errors: count > 0 ? (results[2]![1] as (string | null)[]) : [],
    };
  }

  /** Forgets a batch (a bulk job rolled back before its jobs were queued). */
  async discard(batchId: string): Promise<void> {
    await this.redis.del(...this.keys(batchId));
  }
}
