// Probes and scrapes: liveness and readiness (and Prometheus metrics where the public app
// serves them), answered by the health package's routers (shared with the worker), documented
// here as the API serves them.
import type { RequestHandler } from 'express';
import type { Route } from '../http/route';
import { ok, responses } from '../docs/route-docs';

export interface OperationsRoutesDeps {
  /** @pixelfarm/health's router: it answers /healthz and /readyz. */
  health: RequestHandler;
  /** What answers GET /metrics on this app, if it serves them. */
  metrics?: RequestHandler;
}

export function operationsRoutes(deps: OperationsRoutesDeps): Route[] {
  const routes: Route[] = [
    {
      id: 'liveness',
      method: 'get',
      path: '/healthz',
      tag: 'Operations',
      summary: 'Liveness: the process is up',
      access: 'public',
      responses: { 200: ok('Up', 'Health', responses.health) },
      handler: deps.health,
    },
    {
      id: 'readiness',
      method: 'get',
      path: '/readyz',
      tag: 'Operations',
      summary: 'Readiness: started (Redis and storage answered once) and not draining',
      access: 'public',
      responses: {
        200: ok('Ready; status "degraded" while Redis or storage is down (checks names it)', 'Readiness', responses.readiness),
        503: ok('Not ready: starting (Redis or storage never answered yet) or draining; checks names which', 'Readiness', responses.readiness),
      },
      handler: deps.health,
    },
  ];
  if (deps.metrics) {
    routes.push({
      id: 'metrics',
      method: 'get',
      path: '/metrics',
      tag: 'Operations',
      summary: 'Prometheus metrics',
      access: 'public',
      responses: { 200: { description: 'Prometheus text exposition format', contentTypes: ['text/plain'] } },
      handler: deps.metrics,
    });
  }
  return routes;
}
