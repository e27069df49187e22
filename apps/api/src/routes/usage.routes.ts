// GET /v1/usage: images rendered by the caller per hour, day and month.
import { Router, type RequestHandler } from 'express';
import type { UsageCounter } from '@pixelfarm/queue';

export interface UsageRoutesDeps {
  usage: Pick<UsageCounter, 'report'>;
  auth: RequestHandler;
}

export function usageRoutes(deps: UsageRoutesDeps): Router {
  const router = Router();
  router.get('/v1/usage', deps.auth, async (_req, res) => {
    res.status(200).json(await deps.usage.report(res.locals.account as string));
  });
  return router;
}
