// Applies the per-key rate limit after authentication and states it in RateLimit-Policy and
// RateLimit headers. What happens while Redis is down is the limiter's decision
// (RATE_LIMIT_WHEN_REDIS_DOWN), not this middleware's: it used to let everything through.
import type { RequestHandler, Response } from 'express';
import type { RateLimiter } from '../services/rate-limiter';

/** Counts a request of `account` and sets the headers; throws what RateLimiter.hit throws. */
export async function applyRateLimit(limiter: Pick<RateLimiter, 'hit' | 'headers'>, account: string, res: Response): Promise<void> {
  const state = await limiter.hit(account);
  if (state) res.set(limiter.headers(state));
}

/**
 * What an unauthenticated GET that may render (a signed URL, an Open Graph image) runs before
 * rendering: the account's limit when one is set, nothing otherwise.
 */
export function limitBeforeRender(limiter: Pick<RateLimiter, 'hit' | 'headers'> | undefined, account: string, res: Response): () => Promise<void> {
  return async () => {
    if (limiter) await applyRateLimit(limiter, account, res);
  };
}

export function rateLimit(limiter: Pick<RateLimiter, 'hit' | 'headers'>): RequestHandler {
  return (_req, res, next) => {
    applyRateLimit(limiter, res.locals.account as string, res).then(() => next(), next);
  };
}

/** Authentication, then the rate limit of the account it found (when there is one), as one handler. */
export function authenticated(auth: RequestHandler, limiter?: Pick<RateLimiter, 'hit' | 'headers'>): RequestHandler {
  if (!limiter) return auth;
  const limit = rateLimit(limiter);
  return (req, res, next) => auth(req, res, (err?: unknown) => (err ? next(err) : limit(req, res, next)));
}
