// GET /v1/usage: images rendered by the caller per hour, day and month.
import type { UsageCounter } from '@pixelfarm/queue';
import type { Route } from '../http/route';
import { ok, responses } from '../docs/route-docs';

export interface UsageRoutesDeps {
  usage: Pick<UsageCounter, 'report'>;
}

export function usageRoutes(deps: UsageRoutesDeps): Route[] {
  return [
    {
      id: 'getUsage',
      method: 'get',
      path: '/v1/usage',
      tag: 'Account',
      summary: 'Images rendered per hour, day and month',
      access: 'basic',
      responses: { 200: ok('Usage counters', 'UsageReport', responses.usageReport) },
      handler: async (_req, res) => {
        res.status(200).json(await deps.usage.report(res.locals.account as string));
      },
    },
  ];
}
