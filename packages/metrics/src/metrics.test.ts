import {
  createApiRenderMetrics,
  createCallbackMetrics,
  createHttpMetrics,
  createRegistry,
  createRenderMetrics,
  createStorageMetrics,
  METRIC_PREFIX,
  registerPoolGauge,
  registerQueueDepth,
  registerSlotGauge,
} from './metrics';

describe('metric names', () => {
  it('prefixes every application metric with pixelfarm_, and leaves the process defaults standard', async () => {
    const registry = createRegistry('api');
    createHttpMetrics(registry);
    createRenderMetrics(registry);
    createApiRenderMetrics(registry);
    createStorageMetrics(registry);
    createCallbackMetrics(registry);
    registerQueueDepth(registry, 'render-v1', async () => ({ waiting: 1 }));
    registerPoolGauge(registry, () => ({ pagesInUse: 0, poolSize: 2 }));
    registerSlotGauge(registry, () => ({ open: 1, busy: 0, max: 2 }));
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    const own = names.filter((n) => !/^(process|nodejs)_/.test(n));
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((n) => !n.startsWith(METRIC_PREFIX))).toEqual([]);
    expect(names).toContain('process_resident_memory_bytes');
  });
});

describe('queue depth', () => {
  it('drops the counts and reports pixelfarm_queue_up 0 while Redis cannot be read, and comes back with it', async () => {
    const registry = createRegistry('api');
    let down = false;
    registerQueueDepth(registry, 'render-v1', async () => {
      if (down) throw new Error('Connection is closed.');
      return { waiting: 3, active: 1 };
    });
    const scrape = () => registry.metrics();

    let text = await scrape();
    expect(text).toMatch(/^pixelfarm_queue_jobs\{queue="render-v1",state="waiting",app="api"\} 3$/m);
    expect(text).toMatch(/^pixelfarm_queue_up\{queue="render-v1",app="api"\} 1$/m);

    down = true;
    text = await scrape();
    // Absent, not frozen at 3: alerts and autoscalers must not act on stale numbers.
    expect(text).not.toMatch(/^pixelfarm_queue_jobs\{/m);
    expect(text).toMatch(/^pixelfarm_queue_up\{queue="render-v1",app="api"\} 0$/m);

    down = false;
    text = await scrape();
    expect(text).toMatch(/^pixelfarm_queue_jobs\{queue="render-v1",state="active",app="api"\} 1$/m);
    expect(text).toMatch(/^pixelfarm_queue_up\{queue="render-v1",app="api"\} 1$/m);
  });

  it('reads Redis once per scrape for both gauges', async () => {
    const registry = createRegistry('api');
    let reads = 0;
    registerQueueDepth(registry, 'render-v1', async () => {
      reads += 1;
      return { waiting: reads };
    });
    const text = await registry.metrics();
    expect(reads).toBe(1);
    expect(text).toMatch(/^pixelfarm_queue_jobs\{queue="render-v1",state="waiting",app="api"\} 1$/m);
  });
});

describe('render outcomes', () => {
  it('counts a job once by its outcome, and retried attempts apart', async () => {
    const registry = createRegistry('worker');
    const metrics = createRenderMetrics(registry);
    metrics.retried();
    metrics.retried();
    metrics.failed('internal');
    metrics.failed('input');
    metrics.completed();
    const text = await registry.metrics();
    expect(text).toMatch(/^pixelfarm_render_jobs_total\{outcome="failed",app="worker"\} 1$/m);
    expect(text).toMatch(/^pixelfarm_render_jobs_total\{outcome="rejected",app="worker"\} 1$/m);
    expect(text).toMatch(/^pixelfarm_render_jobs_total\{outcome="completed",app="worker"\} 1$/m);
    expect(text).toMatch(/^pixelfarm_render_retries_total\{app="worker"\} 2$/m);
  });
});

describe('render slots', () => {
  it('reports open, busy and max slots as read at scrape time', async () => {
    const registry = createRegistry('worker');
    const now = { open: 2, busy: 2, max: 4 };
    registerSlotGauge(registry, () => now);
    const text = await registry.metrics();
    expect(text).toMatch(/^pixelfarm_render_slots\{state="open",app="worker"\} 2$/m);
    expect(text).toMatch(/^pixelfarm_render_slots\{state="busy",app="worker"\} 2$/m);
    expect(text).toMatch(/^pixelfarm_render_slots\{state="max",app="worker"\} 4$/m);
    now.open = 4;
    expect(await registry.metrics()).toMatch(/^pixelfarm_render_slots\{state="open",app="worker"\} 4$/m);
  });
});
