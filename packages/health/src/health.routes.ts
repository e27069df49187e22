// Liveness, readiness and Prometheus scrape routes (no auth: probes and scrapers call them). The
// scrape route is a router of its own: the API serves it on METRICS_PORT, away from its public
// port; a worker, which has no public port, serves both on WORKER_PORT.
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { HealthConfig } from './health.config';

/** Resolves when the dependency is usable; rejects otherwise (an error's `readiness` names the state, default "down"). */
export type ReadinessCheck = () => Promise<void>;

/** A readiness failure with a state other than "down" (e.g. "restarting"). */
export function notReady(state: string): Error {
  return Object.assign(new Error(state), { readiness: state });
}

export interface HealthRoutesDeps extends HealthConfig {
  checks: Record<string, ReadinessCheck>;
  /**
   * Checks that hold readiness back only until they have passed once. Later failures are reported
   * (`checks`, status "degraded") while /readyz still answers 200: for dependencies every replica
   * shares, whose outage takes no replica's traffic anywhere better. A pod that never reached them
   * (a bad address in a rollout) is never Ready. Default: none, every check gates readiness.
   */
  startupOnly?: readonly string[];
  /** True while the process is shutting down: readiness fails so traffic moves elsewhere. */
  isDraining: () => boolean;
}

export function healthRoutes(deps: HealthRoutesDeps): Router {
  const router = Router();
  const timeout = deps.checkTimeoutMs;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const runChecks = async (): Promise<Record<string, string>> => {
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
        } catch (err) {
          results[name] = (err as { readiness?: string }).readiness ?? 'down';
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return results;
  };
  let cached: { at: number; results: Promise<Record<string, string>> } | undefined;
  /** Startup-only checks that have passed once: they no longer gate readiness. */
  const passed = new Set<string>();
  const gates = (name: string) => !deps.startupOnly?.includes(name) || !passed.has(name);

  router.get('/readyz', async (_req, res) => {
    if (!cached || Date.now() - cached.at > deps.cacheMs) cached = { at: Date.now(), results: runChecks() };
    const results = { ...(await cached.results) };
    for (const [name, state] of Object.entries(results)) if (state === 'ok' && deps.startupOnly?.includes(name)) passed.add(name);
    if (deps.isDraining()) results.process = 'draining';
    const failing = Object.keys(results).filter((name) => results[name] !== 'ok');
    const ready = failing.every((name) => !gates(name));
    const status = failing.length === 0 ? 'ok' : ready ? 'degraded' : 'unavailable';
    res.status(ready ? 200 : 503).json({ status, checks: results });
  });

  return router;
}

/** GET /metrics: the registry in Prometheus' text format. */
export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  });
  return router;
}
