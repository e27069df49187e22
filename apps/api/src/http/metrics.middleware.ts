// Records every HTTP request with its route pattern (not the raw path, which would explode
// the label set with image ids).
import type { RequestHandler } from 'express';
import type { HttpMetrics } from '@pixelfarm/metrics';

export function metricsMiddleware(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.observe(req.method, route, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
