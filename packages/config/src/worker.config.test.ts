import { readFragment } from '@pixelfarm/env';
import { availableCpus } from './cpu-budget';
import { RENDERS_PER_CPU, workerConfig } from './worker.config';

describe('worker configuration', () => {
  it('runs two renders per CPU it may use, filling one per CPU while no interactive render waits', () => {
    const c = readFragment(workerConfig, {}, undefined);
    expect(c.concurrency).toBe(Math.min(64, availableCpus() * RENDERS_PER_CPU));
    expect(c.baseConcurrency).toBe(Math.min(c.concurrency, availableCpus()));
    expect(c).toMatchObject({
      port: 9100,
      demandPollMs: 100,
      maxOutputBytes: 50 * 1024 * 1024,
      maxJumboOutputBytes: 512 * 1024 * 1024,
      shutdownGraceMs: 20_000,
      renderStepTimeoutMs: 60_000,
      pngOptimize: { mode: 'deferred', idleMs: 500, maxDelayMs: 300_000 },
      callbacks: { timeoutMs: 10_000, concurrency: 16, secrets: [], legacySignature: true },
    });
  });

  it('keeps the base slots within the concurrency and names bad webhook secrets', () => {
    expect(() => readFragment(workerConfig, { WORKER_CONCURRENCY: '2', WORKER_BASE_CONCURRENCY: '3' }, undefined)).toThrow(
      'WORKER_BASE_CONCURRENCY: must be at most WORKER_CONCURRENCY (2)',
    );
    expect(() => readFragment(workerConfig, { WEBHOOK_SECRETS: 'a:nope' }, undefined)).toThrow(/WEBHOOK_SECRETS/);
    expect(() => readFragment(workerConfig, { PNG_OPTIMIZE: 'later' }, undefined)).toThrow('PNG_OPTIMIZE must be deferred or inline');
  });
});
