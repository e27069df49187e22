// `npm start` (scripts/start.mjs) as an operator runs it: with a Redis Cluster or a Sentinel URL
// naming several hosts it starts the apps on that Redis and starts none of its own; with a plain
// local URL that does not answer it starts redis-server, and on SIGTERM it stops the apps
// first and that Redis last.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/ports';
import { waitForHttp } from '../support/processes';
import { startCluster, startSentinels } from '../support/redis-topologies';
import { TEST_KEYS } from '../support/test-env';

const START = path.resolve(__dirname, '..', '..', 'scripts', 'start.mjs');

interface Started {
  child: ChildProcess;
  output(): string;
  apiUrl: string;
  workerUrl: string;
}

async function npmStart(redisUrl: string, extra: Record<string, string> = {}): Promise<Started> {
  const [port, workerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [START], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      REDIS_URL: redisUrl,
      STORAGE_DIR: fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT!, 'npm-start-')),
      API_KEYS: `${TEST_KEYS.id}:${TEST_KEYS.key}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      WORKER_PORT: String(workerPort),
      METRICS_PORT: String(metricsPort),
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'warn',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const started = { child, output: () => out, apiUrl: `http://127.0.0.1:${port}`, workerUrl: `http://127.0.0.1:${workerPort}` };
  const proc = { child, output: () => out, stop: () => Promise.resolve(null) };
  await waitForHttp(`${started.apiUrl}/readyz`, proc);
  await waitForHttp(`${started.workerUrl}/readyz`, proc);
  return started;
}

/** SIGTERM to start.mjs; resolves with its exit code and how long it took. */
function stop(started: Started): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    started.child.once('exit', (code) => resolve({ code, ms: Date.now() - t0 }));
    started.child.kill('SIGTERM');
  });
}

/** start.mjs's children: pid and command line. */
function childrenOf(pid: number): Array<{ pid: number; args: string }> {
  const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, p, args] = /^\s*(\d+)\s+(.*)$/.exec(line)!;
      return { pid: Number(p), args: args! };
    });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  it('runs on a Redis Cluster URL naming every node, starting no Redis of its own', async () => {
    const cluster = await startCluster();
    try {
      // Cluster needs every key of a deployment in one slot: the prefix carries a hash tag.
      const started = await npmStart(cluster.url, { REDIS_PREFIX: '{pixelfarm}' });
      expect(childrenOf(started.child.pid!).map((c) => c.args).join('\n')).not.toContain('redis-server');
      expect(started.output()).not.toContain('starting redis-server');
      expect(await stop(started)).toMatchObject({ code: 0 });
    } finally {
      await cluster.stop();
    }
  });

  it('runs on a Sentinel URL naming several Sentinels', async () => {
    const sentinels = await startSentinels();
    try {
      const started = await npmStart(sentinels.url);
      expect(started.output()).not.toContain('starting redis-server');
      expect(await stop(started)).toMatchObject({ code: 0 });
    } finally {
      await sentinels.stop();
    }
  });

  it('starts redis-server for a plain local URL that does not answer, and stops it after the apps', async () => {
    const port = await freePort();
    const started = await npmStart(`redis://127.0.0.1:${port}`);
    expect(started.output()).toContain(`starting redis-server on port ${port}`);
    const children = childrenOf(started.child.pid!);
    const redis = children.find((c) => c.args.startsWith('redis-server'))!;
    const apps = children.filter((c) => c !== redis);
    expect(apps).toHaveLength(2);

    const stopped = stop(started);
    // Watch who goes first: Redis must still run at the moment the last app is gone.
    let redisAliveAfterApps = false;
    while (alive(redis.pid)) {
      if (apps.every((a) => !alive(a.pid))) redisAliveAfterApps = true;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(redisAliveAfterApps).toBe(true);
    expect(await stopped).toMatchObject({ code: 0 });
  });
});
