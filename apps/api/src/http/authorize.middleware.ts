// What runs on an authenticated route once its key is known: the permission the route needs
// (route-permissions.ts; hcti answers 403 naming it), then, on management routes, the rate
// limit of the account's operation group, stated in RateLimit-Policy and RateLimit headers.
import type { RequestHandler } from 'express';
import { ForbiddenError } from '@pixelfarm/errors';
import type { ManagementRateLimiter } from '../services/management-rate-limiter';
import { guardOf } from './route-permissions';
import { holds, type Grants } from './permissions';

export function routeGuard(limiter: Pick<ManagementRateLimiter, 'hit'>): (route: { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: string }) => RequestHandler[] {
  return (route) => {
    const { permission, group } = guardOf(route);
    const check: RequestHandler = (_req, res, next) => {
      const grants = res.locals.grants as Grants;
      next(permission === undefined || holds(grants, permission) ? undefined : new ForbiddenError(`This API key lacks the ${permission} permission, which this operation requires`));
    };
    if (!group) return [check];
    const limit: RequestHandler = (_req, res, next) => {
      limiter.hit(res.locals.account as string, group).then((headers) => {
        res.set(headers);
        next();
      }, next);
    };
    return [check, limit];
  };
}
