// Readiness: every check gates it, except startup-only ones once they have passed; draining always does.
import express from 'express';
import request from 'supertest';
import { healthRoutes, type HealthRoutesDeps } from './health.routes';

function app(deps: Partial<HealthRoutesDeps> & { checks: HealthRoutesDeps['checks'] }, draining = { on: false }) {
  const a = express();
  a.use(healthRoutes({ isDraining: () => draining.on, cacheMs: 0, checkTimeoutMs: 2000, ...deps }));
  return a;
}

describe('healthRoutes', () => {
  it('answers liveness whatever the checks say', async () => {
    const res = await request(app({ checks: { redis: () => Promise.reject(new Error('down')) } })).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is not ready while a gating check fails, and names its state', async () => {
    const res = await request(app({ checks: { redis: () => Promise.reject(new Error('x')), storage: () => Promise.resolve() } })).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { redis: 'down', storage: 'ok' } });
  });

  it('holds readiness on a startup-only check until it first passes, then reports its failures as degraded', async () => {
    let redisUp = false;
    const a = app({ checks: { redis: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('x'))), storage: () => Promise.resolve() }, startupOnly: ['redis'] });
    // Never reached: not ready, so a rollout with a wrong address never takes traffic.
    expect((await request(a).get('/readyz')).status).toBe(503);
    redisUp = true;
    expect((await request(a).get('/readyz')).body).toEqual({ status: 'ok', checks: { redis: 'ok', storage: 'ok' } });
    redisUp = false;
    const res = await request(a).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'degraded', checks: { redis: 'down', storage: 'ok' } });
  });

  it('counts a check that hangs as down once its timeout passes, and answers', async () => {
    const started = Date.now();
    const res = await request(app({ checks: { redis: () => new Promise<void>(() => undefined), storage: () => Promise.resolve() }, checkTimeoutMs: 150 })).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { redis: 'down', storage: 'ok' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is not ready while draining, startup-only checks or not', async () => {
    const draining = { on: false };
    const a = app({ checks: { redis: () => Promise.resolve() }, startupOnly: ['redis'] }, draining);
    expect((await request(a).get('/readyz')).status).toBe(200);
    draining.on = true;
    const res = await request(a).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { redis: 'ok', process: 'draining' } });
  });
});
