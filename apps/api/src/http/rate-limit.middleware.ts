// Applies the per-key rate limit after authentication. When Redis cannot be asked, the request
// goes through: a limiter outage must not take the API down with it.
import type { RequestHandler } from 'express';
import { TooManyRequestsError } from '@pixelfarm/errors';
import type { RateLimiter } from '../services/rate-limiter';

export function rateLimit(limiter: RateLimiter): RequestHandler {
  return async (_req, res, next) => {
    try {
      await limiter.hit(res.locals.account as string);
      next();
    } catch (err) {
      next(err instanceof TooManyRequestsError ? err : undefined);
    }
  };
}

/** Authentication, then the rate limit of the account it found, as one handler. */
export function authenticated(auth: RequestHandler, limiter: RateLimiter): RequestHandler {
  const limit = rateLimit(limiter);
  return (req, res, next) => auth(req, res, (err?: unknown) => (err ? next(err) : limit(req, res, next)));
}
