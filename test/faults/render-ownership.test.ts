// Who owns a render's outcome, tried with real processes: the queue cap under
// sustained overload with no worker, an API SIGKILLed while its creates wait, and Redis
// restarted under load. API and workers are separate OS processes on real Redis.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import IORedis from 'ioredis';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { spawnApp, waitForHttp, type AppProcess } from '../support/processes';
import { basicAuth, testEnv } from '../support/test-env';
import { decodeImage } from '../support/decode-image';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/local-redis.cjs') as {
  startRedis(o: { port: number; dir?: string }): Promise<ChildProcess>;
};

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { id?: string; url?: string; message?: string; statusCode?: number };
}

async function post(base: string, body: unknown): Promise<Answer> {
  try {
    const res = await fetch(`${base}/v1/image`, {
      method: 'POST',
      headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
  } catch {
    return { status: 0, retryAfter: null, body: {} }; // the API process is gone
  }
}

/** Runs `n` tasks with `k` in flight; answers in task order. */
async function inFlight<T>(n: number, k: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: k }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

const card = (i: number) => ({
  html: `<div style="width:${40 + i}px;height:20px;background:rgb(${(i * 37) % 256},${(i * 91) % 256},200)"></div>`,
  device_scale: 1,
});

async function startApi(env: Record<string, string>): Promise<{ proc: AppProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnApp('api', { ...env, PORT: String(port), PUBLIC_URL: url });
  await waitForHttp(`${url}/readyz`, proc);
  return { proc, url };
}

async function startWorker(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const proc = spawnApp('worker', { ...env, WORKER_PORT: String(port) });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, proc);
  return proc;
}

describe('render ownership with real processes', () => {
  const procs: AppProcess[] = [];
  let redis: IORedis;

  beforeAll(() => {
    redis = new IORedis(process.env.TEST_REDIS_URL!);
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('holds QUEUE_MAX_PENDING under overload: the rest 429, nothing left queued by creates that gave up', async () => {
    const env = testEnv({ QUEUE_MAX_PENDING: '10', RENDER_WAIT_MS: '1000' });
    const prefix = env.REDIS_PREFIX!;
    const api = await startApi(env);
    procs.push(api.proc);

    // No worker runs: every admitted create waits out RENDER_WAIT_MS.
    let maxQueued = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxQueued = Math.max(maxQueued, await redis.llen(`${prefix}:render-v1:wait`));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answers = await inFlight(60, 20, (i) => post(api.url, card(i)));
    sampling = false;
    await sampler;

    const counts = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(Object.keys(counts).sort()).toEqual(['429', '503']);
    expect(maxQueued).toBeLessThanOrEqual(10);
    for (const a of answers) {
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.body.message).toBe(
        a.status === 429
          ? 'The render queue is full, please retry later'
          : 'The render did not start within 1000 ms (the queue is busy); nothing was kept, please retry',
      );
    }
    // The creates that gave up took their jobs, records and tickets with them.
    expect(await redis.llen(`${prefix}:render-v1:wait`)).toBe(0);
    expect(await redis.zcard(`${prefix}:admission:interactive`)).toBe(0);
    const listed = (await (await fetch(`${api.url}/v1/images`, { headers: { Authorization: basicAuth() } })).json()) as { images: unknown[] };
    expect(listed.images).toEqual([]);

    // With a worker (and an API that waits long enough for a cold browser), the same load is
    // served: every 200 is a stored, correct image.
    procs.push(await startWorker(env));
    const patient = await startApi({ ...env, RENDER_WAIT_MS: '30000' });
    procs.push(patient.proc);
    const served = await inFlight(20, 5, (i) => post(patient.url, card(i)));
    expect(served.map((a) => a.status)).toEqual(new Array(20).fill(200));
    for (const [i, a] of served.entries()) {
      const img = await decodeImage(Buffer.from(await (await fetch(a.body.url!)).arrayBuffer()));
      expect([img.width, img.height]).toEqual([40 + i, 20]);
    }
  });

  it('counts, dedupes and forgets exactly what an API SIGKILLed mid-wait had queued', async () => {
    const env = testEnv({ RENDER_WAIT_MS: '60000' });
    const prefix = env.REDIS_PREFIX!;
    const api = await startApi(env);
    procs.push(api.proc);
    // 16 cards that render, 4 that fail on their input; no worker yet, so all 20 wait.
    const inputs = Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? { ...card(i), selector: '#missing' } : card(i)));
    const waiting = inputs.map((input) => post(api.url, input));
    await eventually(() => redis.llen(`${prefix}:render-v1:wait`), (n) => n === 20, 20_000);
    api.proc.child.kill('SIGKILL');
    expect((await Promise.all(waiting)).map((a) => a.status)).toEqual(new Array(20).fill(0));

    procs.push(await startWorker(env));
    const next = await startApi(env);
    procs.push(next.proc);
    const jobsLeft = async () => (await redis.llen(`${prefix}:render-v1:wait`)) + (await redis.llen(`${prefix}:render-v1:active`));
    expect(await eventually(jobsLeft, (n) => n === 0, 60_000)).toBe(0);
    const usage = async () =>
      ((await (await fetch(`${next.url}/v1/usage`, { headers: { Authorization: basicAuth() } })).json()) as { per_billing_period: { total_images: number }[] })
        .per_billing_period.at(-1)!.total_images;
    expect(await eventually(usage, (n) => n >= 16, 10_000)).toBe(16);

    // Only the 16 stored images are listed: the records of the 4 input failures are gone.
    const listed = (await (await fetch(`${next.url}/v1/images?count=50`, { headers: { Authorization: basicAuth() } })).json()) as { images: { id: string }[] };
    expect(listed.images).toHaveLength(16);
    const ids = new Set(listed.images.map((i) => i.id));

    // Dedupe was recorded by the worker: the same 16 creates answer with the stored images, rendering nothing.
    const again = await Promise.all(inputs.filter((_, i) => i % 5 !== 4).map((input) => post(next.url, input)));
    expect(again.map((a) => a.status)).toEqual(new Array(16).fill(200));
    expect(again.every((a) => ids.has(a.body.id!))).toBe(true);
    expect(await usage()).toBe(16);
    expect(await redis.zcard(`${prefix}:admission:interactive`)).toBe(0);
  });

  it('answers only 503 (never 500) while Redis restarts under load, and the workers consume again after', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'redis-'));
    let own = await startRedis({ port, dir });
    try {
      const env = testEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, RENDER_WAIT_MS: '5000' });
      const api = await startApi(env);
      procs.push(api.proc, await startWorker(env));

      const answers = await inFlight(80, 4, async (i) => {
        if (i === 20) {
          await new Promise((r) => {
            own.once('exit', r);
            own.kill('SIGTERM');
          });
        }
        if (i === 50) own = await startRedis({ port, dir });
        return post(api.url, card(i));
      });
      const statuses = new Set(answers.map((a) => a.status));
      expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
      expect(statuses.has(503)).toBe(true);
      for (const a of answers.filter((x) => x.status === 503)) {
        expect(a.body.statusCode).toBe(503);
        expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      }
      // After the restart every create is rendered again.
      const after = await eventually(() => post(api.url, card(1)), (a) => a.status === 200, 30_000);
      const img = await decodeImage(Buffer.from(await (await fetch(after.body.url!)).arrayBuffer()));
      expect([img.width, img.height]).toEqual([41, 20]);
    } finally {
      await Promise.all(procs.splice(0).map((p) => p.stop()));
      own.kill('SIGTERM');
    }
  });
});
