// End to end across separate OS processes: one API and two workers sharing one Redis and a
// real S3 server, as a scaled-out deployment runs them.
import { freePort } from '../support/ports';
import { startS3Server, type TestS3Server } from '../support/s3-server';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';

async function completedRenders(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^pixelfarm_render_jobs_total\{outcome="completed"[^}]*\} (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

describe('two API and two worker processes on S3 storage', () => {
  let s3: TestS3Server;
  let api: AppProcess;
  let api2: AppProcess;
  let api2Url: string;
  /** Each API's metrics server (METRICS_PORT), apart from its public port. */
  const apiMetrics: string[] = [];
  const workers: Array<{ proc: AppProcess; port: number }> = [];
  let apiUrl: string;

  beforeAll(async () => {
    s3 = await startS3Server();
    const env = testEnv({ ...s3.env, WORKER_CONCURRENCY: '2' });
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const metricsPorts = [await freePort(), await freePort()];
    apiMetrics.push(...metricsPorts.map((p) => `http://127.0.0.1:${p}`));
    api = spawnApp('api', { ...env, PORT: String(apiPort), METRICS_PORT: String(metricsPorts[0]), PUBLIC_URL: apiUrl });
    const api2Port = await freePort();
    api2Url = `http://127.0.0.1:${api2Port}`;
    api2 = spawnApp('api', { ...env, PORT: String(api2Port), METRICS_PORT: String(metricsPorts[1]), PUBLIC_URL: api2Url });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      workers.push({ proc: spawnApp('worker', { ...env, WORKER_PORT: String(port) }), port });
    }
    await waitForHttp(`${apiUrl}/readyz`, api);
    await waitForHttp(`${api2Url}/readyz`, api2);
    for (const w of workers) await waitForHttp(`http://127.0.0.1:${w.port}/readyz`, w.proc);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), api2?.stop(), ...workers.map((w) => w.proc.stop())]);
    await s3?.stop();
  });

  it('renders 20 concurrent creates, all retrievable and correct, spread over both workers', async () => {
    const colours = Array.from({ length: 20 }, (_, i) => [i * 12, 255 - i * 12, 100] as const);
    const created = await Promise.all(
      colours.map(async ([r, g, b], i) => {
        const res = await fetch(`${apiUrl}/v1/image`, {
          method: 'POST',
          headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
          body: JSON.stringify({
            html: `<div style="width:${100 + i}px;height:50px;background:rgb(${r},${g},${b})"></div>`,
            device_scale: 1,
          }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { id: string; url: string };
      }),
    );
    expect(new Set(created.map((c) => c.id)).size).toBe(20);

    for (const [i, { url }] of created.entries()) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const img = await decodeImage(Buffer.from(await res.arrayBuffer()));
      expect([img.width, img.height]).toEqual([100 + i, 50]);
      expect(img.pixel(10, 10)).toEqual([...colours[i]!, 255]);
    }

    const counts = await Promise.all(workers.map((w) => completedRenders(w.port)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
    for (const n of counts) expect(n).toBeGreaterThan(0);
  });

  it('produces a new variant once when both API processes get its first requests at the same time', async () => {
    const res = await fetch(`${apiUrl}/v1/image`, {
      method: 'POST',
      headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ html: '<div style="width:120px;height:60px;background:rgb(10,200,30)"></div>', device_scale: 1 }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const transforms = async () => {
      let sum = 0;
      for (const base of apiMetrics) {
        const text = await (await fetch(`${base}/metrics`)).text();
        for (const m of text.matchAll(/^pixelfarm_variant_transform_duration_seconds_count\{[^}]*\} (\d+)/gm)) sum += Number(m[1]);
      }
      return sum;
    };
    const before = await transforms();
    const bodies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const got = await fetch(`${i % 2 ? api2Url : apiUrl}/v1/image/${id}.webp?width=57&aspect_ratio=1_1`);
        expect(got.status).toBe(200);
        return Buffer.from(await got.arrayBuffer());
      }),
    );
    expect(new Set(bodies.map((b) => b.toString('base64'))).size).toBe(1);
    expect((await transforms()) - before).toBe(1);
    const img = await decodeImage(bodies[0]!);
    expect([img.format, img.width, img.height]).toEqual(['webp', 57, 57]);
  });

  it('drains on SIGTERM: the API finishes an in-flight create, then exits 0', async () => {
    const env = testEnv({ ...s3.env });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const apiProc = spawnApp('api', { ...env, PORT: String(port), PUBLIC_URL: url });
    const workerProc = spawnApp('worker', { ...env, WORKER_PORT: String(await freePort()) });
    try {
      await waitForHttp(`${url}/readyz`, apiProc);
      const inflight = fetch(`${url}/v1/image`, {
        method: 'POST',
        headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ html: '<div style="width:10px;height:10px;background:#123456"></div>', ms_delay: 1500, device_scale: 1 }),
      });
      await new Promise((r) => setTimeout(r, 500));
      const exited = apiProc.stop(20_000);
      const res = await inflight;
      expect(res.status).toBe(200);
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      await Promise.all([apiProc.stop(), workerProc.stop()]);
    }
  });

  it('drains on SIGTERM: the worker exits 0', async () => {
    const extra = await freePort();
    const env = testEnv({ ...s3.env });
    const proc = spawnApp('worker', { ...env, WORKER_PORT: String(extra) });
    await waitForHttp(`http://127.0.0.1:${extra}/readyz`, proc);
    expect(await proc.stop(15_000)).toBe(0);
  });
});

describe('start-up configuration check', () => {
  it.each(['api', 'worker'] as const)('%s exits 1 with one line naming a bad variable', async (app) => {
    const proc = spawnApp(app, { PORT: 'eighty', WORKER_PORT: 'x', LOG_LEVEL: 'silent' });
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(app === 'api' ? /PORT/ : /WORKER_PORT/);
  });
});
