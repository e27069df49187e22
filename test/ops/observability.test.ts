// Operating the stack as compose runs it (1 API, 2 workers as processes, S3 storage): the
// metric names operators' dashboards rely on, served by the API on its metrics port only, the
// queue-depth gauge rising and falling with a burst, busy workers staying ready while the pool
// gauge shows their saturation, and the admin queue dashboard behind credentials.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../support/ports';
import { startS3Server, type TestS3Server } from '../support/s3-server';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';

const ADMIN = { user: 'ops', password: 'ops-password-123' };

/** The environment docker-compose.yml gives a service, with ${VAR:-default} resolved to the default. */
function composeEnv(service: 'api' | 'worker'): Record<string, string> {
  const compose = parse(fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment: Record<string, string | number> }>;
  };
  return Object.fromEntries(
    Object.entries(compose.services[service]!.environment).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
}

function gauge(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

describe('observability of a running stack', () => {
  let s3: TestS3Server;
  let api: AppProcess;
  let apiUrl: string;
  let metricsUrl: string;
  const workers: Array<{ proc: AppProcess; url: string }> = [];

  beforeAll(async () => {
    s3 = await startS3Server();
    // What compose gives each service, with only the addresses (and S3 keys) pointed at the
    // loopback servers of this test.
    // One render slot per worker, so a burst saturates them (the base slots come down with it).
    const local = testEnv({ ...s3.env, WORKER_CONCURRENCY: '1', WORKER_BASE_CONCURRENCY: '1', READINESS_CACHE_MS: '100', ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password });
    const overrides = (({ REDIS_URL, REDIS_PREFIX, S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, API_KEYS, HOST, LOG_LEVEL, WORKER_CONCURRENCY, WORKER_BASE_CONCURRENCY, ADMIN_USER, ADMIN_PASSWORD, READINESS_CACHE_MS }) =>
      ({ REDIS_URL, REDIS_PREFIX, S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, API_KEYS, HOST, LOG_LEVEL, WORKER_CONCURRENCY, WORKER_BASE_CONCURRENCY, ADMIN_USER, ADMIN_PASSWORD, READINESS_CACHE_MS }))(local);
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    api = spawnApp('api', { ...composeEnv('api'), ...overrides, PORT: String(apiPort), METRICS_PORT: String(metricsPort), PUBLIC_URL: apiUrl });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      workers.push({ proc: spawnApp('worker', { ...composeEnv('worker'), ...overrides, WORKER_PORT: String(port) }), url: `http://127.0.0.1:${port}` });
    }
    await waitForHttp(`${apiUrl}/readyz`, api);
    for (const w of workers) await waitForHttp(`${w.url}/readyz`, w.proc);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), ...workers.map((w) => w.proc.stop())]);
    await s3?.stop();
  });

  it('shows the queue depth rise and fall with a burst, and busy workers stay ready while reporting saturation', async () => {
    const depths: number[] = [];
    const readiness = new Set<number>();
    const pagesInUse: number[] = [];
    const slotsBusy: number[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        depths.push(gauge(await (await fetch(metricsUrl)).text(), 'pixelfarm_queue_jobs', 'state="waiting"'));
        readiness.add((await fetch(`${workers[0]!.url}/readyz`)).status);
        const workerText = await (await fetch(`${workers[0]!.url}/metrics`)).text();
        pagesInUse.push(gauge(workerText, 'pixelfarm_browser_pages', 'state="in_use"'));
        slotsBusy.push(gauge(workerText, 'pixelfarm_render_slots', 'state="busy"'));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        fetch(`${apiUrl}/v1/image`, {
          method: 'POST',
          headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
          body: JSON.stringify({ html: `<div style="width:20px;height:20px;background:#0${i % 10}0">${i}</div>`, ms_delay: 300, device_scale: 1 }),
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 2500));
    done = true;
    await poll;
    expect(burst.map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(Math.max(...depths.filter(Number.isFinite))).toBeGreaterThanOrEqual(5);
    expect(depths.at(-1)).toBe(0);
    // Busy is not unready: readiness stayed 200 while the worker's one page was in use.
    expect(Math.max(...pagesInUse.filter(Number.isFinite))).toBe(1);
    // Its one open slot read busy, and free again once the burst was done.
    expect(Math.max(...slotsBusy.filter(Number.isFinite))).toBe(1);
    expect(slotsBusy.at(-1)).toBe(0);
    expect([...readiness]).toEqual([200]);
  });

  it('exposes the documented metric names on the API’s metrics port (not its public one) and on every worker', async () => {
    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(404);
    const apiText = await (await fetch(metricsUrl)).text();
    for (const name of [
      'pixelfarm_http_requests_total',
      'pixelfarm_http_request_duration_seconds',
      'pixelfarm_render_jobs_enqueued_total',
      'pixelfarm_render_request_duration_seconds',
      'pixelfarm_queue_jobs',
      'pixelfarm_queue_up',
      'pixelfarm_storage_operation_duration_seconds',
      'pixelfarm_storage_operation_errors_total',
      'pixelfarm_variant_cache_requests_total',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(apiText).toContain(`# TYPE ${name} `);
    }
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(apiText).toMatch(new RegExp(`^pixelfarm_queue_jobs\\{[^}]*state="${state}"`, 'm'));
    }
    for (const w of workers) {
      const text = await (await fetch(`${w.url}/metrics`)).text();
      for (const name of ['pixelfarm_render_jobs_total', 'pixelfarm_render_retries_total', 'pixelfarm_render_duration_seconds', 'pixelfarm_browser_restarts_total', 'pixelfarm_browser_recycles_total', 'pixelfarm_browser_pages', 'pixelfarm_storage_operation_duration_seconds', 'pixelfarm_callback_deliveries_total', 'process_resident_memory_bytes']) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      for (const phase of ['load', 'wait', 'capture', 'encode', 'upload']) {
        expect(text).toMatch(new RegExp(`^pixelfarm_render_duration_seconds_count\\{[^}]*phase="${phase}"[^}]*\\} [1-9]`, 'm'));
      }
      expect(gauge(text, 'pixelfarm_browser_pages', 'state="pool_size"')).toBe(2);
      expect([gauge(text, 'pixelfarm_render_slots', 'state="open"'), gauge(text, 'pixelfarm_render_slots', 'state="max"')]).toEqual([1, 1]);
      expect(text).toMatch(/^pixelfarm_storage_operation_duration_seconds_count\{[^}]*operation="put"[^}]*\} [1-9]/m);
    }
  });

  it('serves the queue dashboard to admin credentials only', async () => {
    expect((await fetch(`${apiUrl}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${apiUrl}/admin/queues`, { headers: { Authorization: basicAuth('tester', 'tester-secret-key') } })).status).toBe(401);
    const auth = { Authorization: basicAuth(ADMIN.user, ADMIN.password) };
    const page = await fetch(`${apiUrl}/admin/queues`, { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const queues = (await (await fetch(`${apiUrl}/admin/queues/api/queues`, { headers: auth })).json()) as { queues: Array<{ name: string }> };
    expect(queues.queues.map((q) => q.name)).toContain('render-v1');
    // A page number Redis cannot take is a 400 in the API's error shape, not the dashboard's 500.
    const list = `${apiUrl}/admin/queues/api/queues?activeQueue=render-v1&status=completed`;
    expect((await fetch(`${list}&page=2&jobsPerPage=10`, { headers: auth })).status).toBe(200);
    for (const query of ['page=9999999999999999999999', 'jobsPerPage=-1', 'page=0', 'page=1.5', 'page=1&page=2']) {
      const res = await fetch(`${list}&${query}`, { headers: auth });
      expect([query, res.status]).toEqual([query, 400]);
      expect(await res.json()).toMatchObject({ statusCode: 400, message: expect.stringMatching(/must be a whole number from 1 to 999999/) });
    }
  });
});
