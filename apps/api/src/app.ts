// Composition root of the API: builds every client, service and route from the config,
// and closes them in order. Tests build the same graph with their own config.
import http from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import type { Config, Logger } from '@pixelfarm/config';
import { createStorage, ImageStore, InstrumentedDriver, type StorageDriver } from '@pixelfarm/storage';
import { RenderQueue } from '@pixelfarm/queue';
import { ImageProcessor } from '@pixelfarm/imaging';
import { createApiRenderMetrics, createHttpMetrics, createRegistry, createStorageMetrics, registerQueueDepth } from '@pixelfarm/metrics';
import { healthRoutes } from '@pixelfarm/health';
import { createImageSchema } from '@pixelfarm/schemas';
import { RENDER_QUEUE } from '@pixelfarm/queue';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { requireAuth } from './http/auth.middleware';
import { bodyParsers } from './http/body-parsers';
import { metricsMiddleware } from './http/metrics.middleware';
import { imageRoutes } from './routes/image.routes';
import { adminRoutes } from './routes/admin.routes';
import { ImageService } from './services/image.service';
import { AdmissionControl } from './services/admission-control';
import { RateLimiter } from './services/rate-limiter';
import { authenticated } from './http/rate-limit.middleware';
import IORedis from 'ioredis';
import { redisOptions } from '@pixelfarm/queue';

export interface ApiApp {
  /** The Express handler, for in-process tests with supertest. */
  handler: express.Express;
  registry: Registry;
  storage: StorageDriver;
  queue: RenderQueue;
  /** The API's own Redis client (counters, admission, locks). */
  redis: IORedis;
  /** Waits until Redis answers. */
  ready(): Promise<void>;
  /** Listens on config.port (0: any free port) and resolves with the bound port. */
  listen(): Promise<number>;
  /** Idempotent: stops HTTP (draining connections), then the queue and storage. */
  close(): Promise<void>;
}

export function createApiApp(config: Readonly<Config>, logger: Logger): ApiApp {
  const registry = createRegistry('api');
  const storage = new InstrumentedDriver(
    createStorage(config.storage.driver === 'fs' ? config.storage : { driver: 's3', s3: { ...config.storage.s3 } }),
    createStorageMetrics(registry),
  );
  const queue = new RenderQueue({ redisUrl: config.redisUrl, prefix: config.redisPrefix, attempts: config.limits.jobAttempts });
  registerQueueDepth(registry, RENDER_QUEUE, () => queue.counts());
  // Non-blocking client for counters, locks and admission; fails fast while Redis is down.
  const redis = new IORedis(redisOptions(config.redisUrl, 'producer'));
  redis.on('error', () => {});
  const admission = new AdmissionControl(redis, {
    prefix: config.redisPrefix,
    maxPending: config.limits.queueMaxPending,
    retryAfterS: config.limits.queueRetryAfterS,
    ticketTtlMs: config.limits.renderWaitMs + 60_000,
  });
  const auth = authenticated(
    requireAuth(config.apiKeys),
    new RateLimiter(redis, { prefix: config.redisPrefix, perMinute: config.limits.rateLimitPerMinute }),
  );
  const processor = new ImageProcessor({ maxInputPixels: config.limits.maxInputPixels });
  const images = new ImageService({
    images: new ImageStore(storage),
    storage,
    queue,
    admission,
    processor,
    metrics: createApiRenderMetrics(registry),
    publicUrl: config.publicUrl,
    renderWaitMs: config.limits.renderWaitMs,
  });

  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(metricsMiddleware(createHttpMetrics(registry)));
  app.use(
    healthRoutes({
      registry,
      isDraining: () => draining,
      checks: { redis: () => queue.ping(), storage: () => storage.ping() },
    }),
  );
  if (config.admin) app.use(adminRoutes(config.admin, [queue.dashboardQueue]));
  app.use(
    imageRoutes({
      images,
      createSchema: createImageSchema(config.limits),
      auth,
      bodyParsers: bodyParsers(config.limits.maxBodyBytes),
      maxImageDimension: config.limits.maxImageDimension,
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  let server: http.Server | undefined;
  let closing: Promise<void> | undefined;

  return {
    handler: app,
    registry,
    storage,
    queue,
    redis,
    ready: () => queue.ready(),
    listen() {
      return new Promise((resolve, reject) => {
        server = http.createServer(app);
        // Renders can take a while; keep the socket open longer than the render wait.
        server.requestTimeout = config.limits.renderWaitMs + 30_000;
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const addr = server!.address();
          resolve(typeof addr === 'object' && addr ? addr.port : config.port);
        });
      });
    },
    close() {
      closing ??= (async () => {
        draining = true;
        if (server) {
          const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
          server.closeIdleConnections();
          await closed;
        }
        await queue.close().catch((err) => logger.warn('queue close failed', { error: String(err) }));
        await redis.quit().catch(() => redis.disconnect());
        await storage.close().catch((err) => logger.warn('storage close failed', { error: String(err) }));
      })();
      return closing;
    },
  };
}
