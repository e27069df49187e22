import { backoffDelay, parseRetryAfter, retryDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles per retry, between half and the whole step', () => {
    expect([1, 2, 3, 4].map((r) => backoffDelay(r, { random: () => 0 }))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((r) => backoffDelay(r, { random: () => 0.999999 }))).toEqual([500, 1000, 2000, 4000]);
  });

  it('stops growing at maxMs', () => {
    expect(backoffDelay(30, { random: () => 0.999999, maxMs: 10_000 })).toBe(10_000);
    expect(backoffDelay(30, { random: () => 0, maxMs: 10_000 })).toBe(5_000);
  });

  it('spreads clients that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or garbage', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('waits at least what Retry-After asks, with at most 10 % (≤ 1 s) jitter', () => {
    expect(retryDelay(1, 2000, { random: () => 0 })).toBe(2000);
    expect(retryDelay(1, 2000, { random: () => 0.999999 })).toBe(2200);
    expect(retryDelay(1, 60_000, { random: () => 0.999999 })).toBe(61_000);
  });

  it('clips a huge Retry-After and falls back to backoff without one', () => {
    expect(retryDelay(1, 86_400_000, { random: () => 0, maxRetryAfterMs: 300_000 })).toBe(300_000);
    expect(retryDelay(2, undefined, { random: () => 0 })).toBe(500);
  });
});
