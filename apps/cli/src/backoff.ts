// Retry timing: exponential backoff with jitter, and the server's Retry-After when it sends one.

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 500 ms. */
  baseMs?: number;
  /** Ceiling of the exponential part. Default 30 s. */
  maxMs?: number;
  /** Longest Retry-After honoured; a larger one is clipped so a run never stalls for hours. Default 5 min. */
  maxRetryAfterMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `retry` (1 = first retry). "Equal jitter": half the exponential step
 * is fixed, half random, so clients that failed together (a 503 burst) do not retry in lockstep
 * but each still waits a growing minimum.
 */
export function backoffDelay(retry: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const step = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Milliseconds a Retry-After header asks for: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable, so the caller falls back to backoff.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; without letters Date.parse would read "-3" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The wait before retry number `retry`: what the server asked for plus a little jitter (up to
 * 10 %, at most 1 s) so a crowd told "1 second" does not come back in the same millisecond;
 * backoff when it did not say.
 */
export function retryDelay(retry: number, retryAfterMs: number | undefined, opts: BackoffOptions = {}): number {
  if (retryAfterMs === undefined) return backoffDelay(retry, opts);
  const random = opts.random ?? Math.random;
  const wait = Math.min(retryAfterMs, opts.maxRetryAfterMs ?? 300_000);
  return Math.round(wait + random() * Math.min(1000, wait * 0.1));
}
