// Liveness, readiness and Prometheus scrape routes (no auth: probes and scrapers call them).
import { Router } from 'express';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

export interface HealthRoutesDeps {
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** True while the process is shutting down: readiness fails so traffic moves elsewhere. */
  isDraining: () => boolean;
  checkTimeoutMs?: number;
}

export function healthRoutes(deps: HealthRoutesDeps): Router {
  const router = Router();
  const timeout = deps.checkTimeoutMs ?? 2000;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const results: Record<string, string> = {};
    await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timeout')), timeout);
            }),
          ]);
          results[name] = 'ok';
        } catch {
          results[name] = 'down';
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    if (deps.isDraining()) results.process = 'draining';
    const ok = Object.values(results).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: results });
  });

  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.registry.contentType).send(await deps.registry.metrics());
  });

  return router;
}
