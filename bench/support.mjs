// Shared bench plumbing: free ports, a private Redis, the built apps as processes, stats.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startRedis } = require('../scripts/local-redis.cjs');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summary(latenciesMs, seconds) {
  return {
    rps: latenciesMs.length / seconds,
    p50: percentile(latenciesMs, 50),
    p95: percentile(latenciesMs, 95),
  };
}

/** Starts Redis, one API and `workers` worker processes on loopback; returns their handles. */
export async function startStack({ workers = 1, env = {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pixelfarm-bench-'));
  const redisPort = await freePort();
  const redis = await startRedis({ port: redisPort });
  const apiPort = await freePort();
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    STORAGE_DIR: path.join(tmp, 'data'),
    API_KEYS: 'bench:bench-secret-key',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    MALLOC_ARENA_MAX: '2',
    RATE_LIMIT_PER_MINUTE: '10000000',
    QUEUE_MAX_PENDING: '100000',
    ...env,
  };
  const procs = [];
  const spawnApp = (app, extra) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'apps', app, 'dist', 'main.js')], { env: { ...base, ...extra }, stdio: ['ignore', 'inherit', 'inherit'] });
    procs.push(child);
    return child;
  };
  const api = spawnApp('api', { PORT: String(apiPort), PUBLIC_URL: `http://127.0.0.1:${apiPort}` });
  const workerProcs = [];
  const workerPorts = [];
  for (let i = 0; i < workers; i++) {
    const port = await freePort();
    workerPorts.push(port);
    workerProcs.push(spawnApp('worker', { WORKER_PORT: String(port) }));
  }
  const url = `http://127.0.0.1:${apiPort}`;
  await waitFor(`${url}/readyz`);
  for (const p of workerPorts) await waitFor(`http://127.0.0.1:${p}/readyz`);
  return {
    url,
    env: base,
    api,
    workers: workerProcs,
    workerPorts,
    auth: `Basic ${Buffer.from('bench:bench-secret-key').toString('base64')}`,
    async stop() {
      await Promise.all(procs.map((c) => (c.exitCode !== null ? null : new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); }))));
      redis.kill('SIGTERM');
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function waitFor(url, ms = 30000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

/** Runs `count` tasks with at most `concurrency` at once; returns per-task latencies (ms) and wall seconds. */
export async function runLoad(count, concurrency, task) {
  const latencies = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}
