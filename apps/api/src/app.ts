// Composition root of the API: builds every client, service and route from the config,
// and closes them in order. Tests build the same graph with their own config. Two servers: the
// public API on PORT, and Prometheus' /metrics on METRICS_PORT, so that whatever exposes the API
// (an ingress, a load balancer) never exposes its metrics.
import http from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import { DEV_API_KEY, type Config, type Logger } from '@pixelfarm/config';
import { AccountImageIndex, BatchStore, createStorage, ImageStore, InstrumentedDriver, S3Presigner, TemplateStore, type StorageDriver } from '@pixelfarm/storage';
import { AdmissionControl, BatchProgress, CallbackQueue, createRedisClient, DedupeCache, RenderQueue, UsageCounter, type RedisClient } from '@pixelfarm/queue';
import { ImageProcessor } from '@pixelfarm/imaging';
import { createApiRenderMetrics, createDestinationMetrics, createHttpMetrics, createRegistry, createStorageMetrics, registerQueueDepth } from '@pixelfarm/metrics';
import { createDestinationDirectory, DestinationStore, DestinationWrites } from '@pixelfarm/destinations';
import { createProxyDirectory, ProxyStore } from '@pixelfarm/proxies';
import { NetworkGuard } from '@pixelfarm/egress';
import { healthRoutes, metricsRoutes } from '@pixelfarm/health';
import { createImageSchema } from '@pixelfarm/schemas';
import { RENDER_QUEUE } from '@pixelfarm/queue';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { accessLog } from './http/access-log.middleware';
import { requireAuth } from './http/auth.middleware';
import { bodyParsers } from './http/body-parsers';
import { metricsMiddleware } from './http/metrics.middleware';
import { imageRoutes } from './routes/image.routes';
import { adminRoutes } from './routes/admin.routes';
import { batchRoutes } from './routes/batch.routes';
import { batchesRoutes } from './routes/batches.routes';
import { imagesListRoutes } from './routes/images-list.routes';
import { usageRoutes } from './routes/usage.routes';
import { pingRoutes } from './routes/ping.routes';
import { imageDefinitionRoutes } from './routes/image-definition.routes';
import { ImageDefinitionService } from './services/image-definition.service';
import { templateRoutes } from './routes/template.routes';
import { storageDestinationsRoutes } from './routes/storage-destinations.routes';
import { proxiesRoutes } from './routes/proxies.routes';
import { ogConfigsRoutes } from './routes/og-configs.routes';
import { ogImagesRoutes } from './routes/og-images.routes';
import { OgConfigService } from './og/og-config.service';
import { OgConfigStore } from './og/og-config-store';
import { OgImageService } from './og/og-image.service';
import { PageMetadataReader } from './og/page-metadata';
import { signedUrlRoutes } from './routes/signed-url.routes';
import { docsRoutes } from './routes/docs.routes';
import { operationsRoutes } from './routes/operations.routes';
import { storeRoutes } from './routes/store.routes';
import { mountRoutes, type Route } from './http/route';
import { buildOpenApiDocument } from './docs/openapi-document';
import { ImageService } from './services/image.service';
import { PdfService } from './services/pdf.service';
import { VariantService } from './services/variant.service';
import { SingleFlight } from './services/single-flight';
import { createImageDelivery } from './http/image-delivery';
import { ImageCreateService } from './services/image-create.service';
import { ImageListService } from './services/image-list.service';
import { RenderRequestResolver } from './services/render-request.resolver';
import { TemplateRenderer } from './services/template-renderer';
import { TemplateService } from './services/template.service';
import { DestinationService } from './services/destination.service';
import { ProxyService } from './services/proxy.service';
import { RenderClaims } from './services/render-claims';
import { UrlSignatureVerifier } from './services/url-signature';
import { BatchService } from './services/batch.service';
import { StoreService } from './services/store.service';
import { RateLimiter } from './services/rate-limiter';
import { RenderCredits } from './services/render-credits';
import { authenticated } from './http/rate-limit.middleware';
import { routeGuard } from './http/authorize.middleware';
import { ManagementRateLimiter } from './services/management-rate-limiter';
import { ApiKeyService } from './services/api-key.service';
import { ApiKeyStore } from './services/api-key-store';
import { apiKeysRoutes } from './routes/api-keys.routes';

export interface ApiApp {
  /** The Express handler, for in-process tests with supertest. */
  handler: express.Express;
  /** The metrics server's handler (GET /metrics), for in-process tests. */
  metricsHandler: express.Express;
  registry: Registry;
  storage: StorageDriver;
  queue: RenderQueue;
  /** Producer of callback deliveries (images already stored, batches with nothing to render). */
  callbacks: CallbackQueue;
  /** The API's own Redis client (counters, admission, locks). */
  redis: RedisClient;
  /** Waits until Redis answers. */
  ready(): Promise<void>;
  /** Listens on config.api.port and config.api.metricsPort (0: any free port); resolves with the bound ports. */
  listen(): Promise<{ port: number; metricsPort: number }>;
  /** Idempotent: stops HTTP (draining connections), then the queue and storage. */
  close(): Promise<void>;
}

export function createApiApp(config: Readonly<Config>, logger: Logger): ApiApp {
  const registry = createRegistry('api');
  const storage = new InstrumentedDriver(createStorage(config.storage), createStorageMetrics(registry));
  // Jobs carry the id of the request that queued them (the access log's scope), for the worker's lines.
  const requestId = () => logger.scope()?.reqId;
  const queue = new RenderQueue({ ...config.queue, requestId });
  registerQueueDepth(registry, RENDER_QUEUE, () => queue.counts());
  // Non-blocking client for counters, locks and admission; fails fast while Redis is down.
  const redis = createRedisClient(config.queue.redisUrl, 'producer');
  redis.on('error', () => {});
  const admission = new AdmissionControl(redis, { prefix: config.queue.prefix, ...config.queue.admission });
  const callbacks = new CallbackQueue({ ...config.queue, ...config.queue.callbacks, requestId });
  // No per-key limit unless the operator sets one: the queue cap is the backpressure, as at hcti.
  const limiter = config.api.rateLimit ? new RateLimiter(redis, { prefix: config.queue.prefix, ...config.api.rateLimit }) : undefined;
  // Keys accounts make live in object storage beside their other settings; API_KEYS stay the operator's.
  const madeKeys = new ApiKeyService({
    store: new ApiKeyStore(storage),
    ...config.api.madeApiKeys,
    reservedApiIds: new Set(config.apiKeys.map((k) => k.id)),
  });
  const auth = authenticated(requireAuth(config.apiKeys, madeKeys), limiter);
  const guard = routeGuard(
    new ManagementRateLimiter(redis, { prefix: config.queue.prefix, whenRedisDown: config.api.rateLimitWhenRedisDown, ...config.api.managementRateLimit }),
  );
  const processor = new ImageProcessor(config.imaging);
  const apiRenderMetrics = createApiRenderMetrics(registry);
  const createSchema = createImageSchema(config.requests);
  const imageStore = new ImageStore(storage);
  // What an account owns lives in object storage; Redis only holds the queue, counters and caches.
  const index = new AccountImageIndex(storage);
  const templateRenderer = new TemplateRenderer(config.api.templates);
  // Storage destinations: accounts' own buckets, kept in our object storage with
  // their secrets sealed; the one directory every service below captures and opens them through.
  const destinations = createDestinationDirectory(storage, config.destinations, config.egress.urlAllowlist);
  const destinationWrites = new DestinationWrites({
    directory: destinations,
    storage,
    onWrite: createDestinationMetrics(registry).write,
  });
  // Accounts' own upstream proxies: passwords sealed with the destinations' keys.
  const proxies = createProxyDirectory(storage, config.destinations.keys, config.egress.urlAllowlist);
  const templates = new TemplateService({ templates: new TemplateStore(storage), renderer: templateRenderer, createSchema, destinations });
  const usage = new UsageCounter(redis, { prefix: config.queue.prefix });
  const creator = new ImageCreateService({
    resolver: new RenderRequestResolver({ templates, renderer: templateRenderer, createSchema, destinations, proxies }),
    images: imageStore,
    index,
    queue,
    admission,
    claims: new RenderClaims(redis, { prefix: config.queue.prefix, ttlMs: config.api.renderWaitMs + 60_000 }),
    dedupe: new DedupeCache(redis, { prefix: config.queue.prefix }),
    callbacks,
    metrics: apiRenderMetrics,
    credits: new RenderCredits(usage, { allowance: config.api.imageAllowance }),
    publicUrl: config.api.publicUrl,
    renderWaitMs: config.api.renderWaitMs,
    dedupeDefaultS: config.api.dedupeDefaultS,
  });
  const images = new ImageService({ images: imageStore, creator, index });
  const variants = new VariantService({
    storage,
    records: imageStore,
    processor,
    flights: new SingleFlight(redis, { prefix: config.queue.prefix, lockMs: config.api.variantLockMs }),
    renders: queue,
    metrics: apiRenderMetrics,
    imageWaitMs: config.api.imageWaitMs,
    copies: destinationWrites,
  });
  const store = new StoreService({
    images: imageStore,
    storage,
    writes: destinationWrites,
    creator,
    renders: queue,
    imageWaitMs: config.api.imageWaitMs,
    variants,
    processor,
  });
  const presigner =
    config.storage.serve.mode === 'redirect' && config.storage.driver === 's3' ? new S3Presigner(config.storage.s3) : undefined;
  const deliver = createImageDelivery({ storage, ...config.storage.serve, presigner });
  const batches = new BatchService({
    creator,
    manifests: new BatchStore(storage),
    progress: new BatchProgress(redis, { prefix: config.queue.prefix, retentionS: config.queue.batchRetentionS }),
    callbacks,
    publicUrl: config.api.publicUrl,
    retentionS: config.queue.batchRetentionS,
  });
  const parsers = bodyParsers(config.api.maxBodyBytes);
  // Open Graph images: accounts' site configurations, and the public image of each page.
  const pageGuard = new NetworkGuard(config.egress.urlAllowlist);
  const ogConfigs = new OgConfigStore(storage);

  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  // First, so that every line of a request, and the access line, carry its id.
  app.use(accessLog(logger));
  app.set('etag', false);
  app.use(metricsMiddleware(createHttpMetrics(registry)));
  // /healthz and /readyz (Prometheus' /metrics is served on METRICS_PORT, not here).
  // Redis and storage hold readiness only until they first answer. Every replica shares them, so an
  // outage would empty the Service and the ingress would fail every route; a Ready API still serves
  // stored images while Redis is away and answers the rest 503 with Retry-After. /readyz names
  // what is down either way.
  const health = healthRoutes({
    isDraining: () => draining,
    ...config.health,
    checks: { redis: () => queue.ping(), storage: () => storage.ping() },
    startupOnly: ['redis', 'storage'],
  });
  // The development pair is public (it is in the source); real keys are never put in a page.
  const docs = docsRoutes({ devCredentials: config.usingDevKey ? DEV_API_KEY : undefined });
  // Every route, as one object each (method, path, access, schemas, responses, handler): this
  // list is both what is mounted and what /openapi.json and /docs describe. Order matters:
  // /v1/image/batch and the signed-URL paths must be matched before /v1/image/{id}.
  const routes: Route[] = [
    ...operationsRoutes({ health }),
    ...(config.api.admin ? adminRoutes(config.api.admin, [queue.dashboardQueue, callbacks.dashboardQueue]) : []),
    ...docs.routes,
    ...batchRoutes({ creator, images, createSchema, maxBatch: config.api.imageBatchMax }),
    ...batchesRoutes({ batches, createSchema, maxBatch: config.api.batchMax, pageSize: config.api.batchPageSize }),
    ...imagesListRoutes({ list: new ImageListService({ index, publicUrl: config.api.publicUrl }) }),
    ...imageDefinitionRoutes({ definitions: new ImageDefinitionService({ images: imageStore }) }),
    ...usageRoutes({ usage }),
    ...pingRoutes(),
    ...templateRoutes({ templates, creator, createSchema }),
    ...apiKeysRoutes({ keys: madeKeys }),
    ...storageDestinationsRoutes({
      destinations: new DestinationService({
        store: new DestinationStore(storage),
        directory: destinations,
        perAccount: config.destinations.perAccount,
        aws: config.destinations.aws,
      }),
    }),
    ...proxiesRoutes({ proxies: new ProxyService({ store: new ProxyStore(storage), directory: proxies, perAccount: config.api.proxiesPerAccount }) }),
    ...ogConfigsRoutes({
      configs: new OgConfigService({
        store: ogConfigs,
        templates,
        body: { createSchema, allowListed: (host) => pageGuard.allowListed(host), addressAllowed: (address) => pageGuard.addressAllowed(address) },
        perAccount: config.api.og.perAccount,
      }),
    }),
    ...ogImagesRoutes({
      images: new OgImageService({
        configs: ogConfigs,
        storage,
        creator,
        metadata: new PageMetadataReader({ guard: pageGuard, timeoutMs: config.api.og.fetchTimeoutMs, maxBytes: config.api.og.fetchMaxBytes }),
        createSchema,
        logger,
      }),
      variants,
      deliver,
      limiter,
    }),
    ...signedUrlRoutes({ verifier: new UrlSignatureVerifier(config.apiKeys), creator, templates, variables: templateRenderer, createSchema, limiter, maxImageDimension: config.api.maxImageDimension }),
    ...storeRoutes({ store, maxImageDimension: config.api.maxImageDimension }),
    ...imageRoutes({
      images,
      variants,
      pdfs: new PdfService({ storage, images: imageStore, queue, renderWaitMs: config.api.renderWaitMs }),
      deliver,
      createSchema,
      maxImageDimension: config.api.maxImageDimension,
    }),
  ];
  // The document shows this server's configured limits (the schemas are built from them).
  docs.publish(
    buildOpenApiDocument(routes, {
      title: 'pixelfarm',
      version: 'v1',
      description: 'Self-hosted HTML/CSS-to-image render farm speaking the HTML/CSS-to-image HTTP API.',
      serverUrl: config.api.publicUrl,
    }),
  );
  app.use(mountRoutes(routes, { auth, guard, bodyParsers: parsers }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, config.queue.admission.retryAfterS));

  const metricsApp = express();
  metricsApp.disable('x-powered-by');
  metricsApp.use(metricsRoutes(registry));
  metricsApp.use(notFoundHandler);

  let server: http.Server | undefined;
  let metricsServer: http.Server | undefined;
  let closing: Promise<void> | undefined;
  const bind = (handler: express.Express, port: number, setup: (s: http.Server) => void = () => {}) =>
    new Promise<{ server: http.Server; port: number }>((resolve, reject) => {
      const s = http.createServer(handler);
      setup(s);
      s.once('error', reject);
      s.listen(port, config.host, () => {
        const addr = s.address();
        resolve({ server: s, port: typeof addr === 'object' && addr ? addr.port : port });
      });
    });

  return {
    handler: app,
    metricsHandler: metricsApp,
    registry,
    storage,
    queue,
    callbacks,
    redis,
    ready: () => queue.ready(),
    async listen() {
      // Renders can take a while; keep the socket open longer than the render wait.
      const api = await bind(app, config.api.port, (s) => (s.requestTimeout = config.api.renderWaitMs + 30_000));
      server = api.server;
      const metrics = await bind(metricsApp, config.api.metricsPort);
      metricsServer = metrics.server;
      return { port: api.port, metricsPort: metrics.port };
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
        await callbacks.close();
        await redis.quit().catch(() => redis.disconnect());
        await destinations.close().catch((err) => logger.warn('destinations close failed', { error: String(err) }));
        await storage.close().catch((err) => logger.warn('storage close failed', { error: String(err) }));
        presigner?.close();
        // Last: Prometheus can still scrape the drain.
        if (metricsServer) {
          const closed = new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
          metricsServer.closeAllConnections();
          await closed;
        }
      })();
      return closing;
    },
  };
}
