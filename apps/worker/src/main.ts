// Worker process entry: configuration, signals and exit codes only; the graph is built in app.ts.
import { ConfigError } from '@pixelfarm/errors';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createWorkerApp } from './app';
import { claimTempRoot } from './temp-root';

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
  const logger = createLogger('worker', config.logLevel);
  const tmp = claimTempRoot();
  for (const left of tmp.leftovers) logger.warn('could not remove a dead worker\'s temp directory yet', left);
  const app = createWorkerApp(config, logger);
  const port = await app.start();
  logger.info('worker started', { concurrency: config.worker.concurrency, metricsPort: port, storage: config.storage.driver });

  const shutdown = (signal: string) => {
    logger.info('draining', { signal });
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        const left = tmp.release();
        if (left) logger.warn('temp directory left for the next start to remove', { dir: tmp.dir, error: left.message });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`worker failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
