// API process entry: configuration, signals and exit codes only; the graph is built in app.ts.
import { ConfigError } from '@pixelfarm/errors';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp } from './app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger('api', config.logLevel);
  const app = createApiApp(config, logger);
  const { port, metricsPort } = await app.listen();
  logger.info('api listening', { url: config.api.publicUrl, port, metricsPort, storage: config.storage.driver });
  if (config.usingDevKey) {
    // The pair is public (it is in the source), so it is printed in the message: api_key fields are redacted.
    const dev = config.apiKeys[0]!;
    logger.warn(`API_KEYS is unset: using the development pair ${dev.id}:${dev.key}`, { api_id: dev.id });
  }
  if (config.destinations.usingDevKey) {
    logger.warn('DESTINATIONS_KEY is unset: storage destination secrets are sealed with the public development key');
  } else if (config.destinations.keys.length === 0) {
    logger.info('DESTINATIONS_KEY is unset: storage destinations are off');
  }
  app.ready().catch((err) => logger.warn('redis not reachable yet', { error: String(err) }));

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`api failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
