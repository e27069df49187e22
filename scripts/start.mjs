#!/usr/bin/env node
// `npm start`: the single-machine stack in one command. Uses the Redis at REDIS_URL (any URL the
// configuration accepts: one server, a socket, TLS, Sentinel or Cluster), or starts a local
// redis-server when REDIS_URL is a plain local one that does not answer, then runs the API and
// one worker as two processes sharing the same environment. On Ctrl-C or SIGTERM it stops the
// apps first, within their own shutdown deadline, and its Redis last.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pingRedis, startRedis } from './local-redis.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
env.REDIS_URL ||= 'redis://127.0.0.1:6379';
env.STORAGE_DIR ||= path.join(root, 'data');
// sharp (libvips) fragments glibc's per-thread heaps; two arenas keep the RSS flat.
env.MALLOC_ARENA_MAX ||= '2';
// setup.mjs has built the workspaces: REDIS_URL is read by the same parser loadConfig uses.
const { parseRedisUrl, RedisUrlError } = createRequire(import.meta.url)(path.join(root, 'packages', 'queue', 'dist', 'redis-url.js'));
const apps = [];
let redisServer;
let stopping = false;

const exited = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));

/** Sends signal to child and waits up to ms for its exit; SIGKILL after that. */
async function stop(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited(child);
  clearTimeout(timer);
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  // The apps end their own work within SHUTDOWN_TIMEOUT_MS (hand jobs back, close the browser);
  // Redis must outlive them, or their last writes and hand-backs have nowhere to go.
  const appDeadline = Number(env.SHUTDOWN_TIMEOUT_MS || 25_000) + 5_000;
  await Promise.all(apps.map((child) => stop(child, appDeadline)));
  if (redisServer) await stop(redisServer, 10_000);
  process.exit(code);
}

let topology;
try {
  topology = parseRedisUrl(env.REDIS_URL);
} catch (err) {
  process.stderr.write(`[start] REDIS_URL: ${err instanceof RedisUrlError ? err.message : String(err)}\n`);
  process.exit(1);
}
// Only a plain redis:// server on this machine is one `npm start` may stand in for; Sentinel,
// Cluster, TLS and sockets are the operator's, and the apps report them if they do not answer.
const local = topology.mode === 'server' && !topology.tls && 'host' in topology && ['127.0.0.1', 'localhost', '::1'].includes(topology.host);
if (local && !(await pingRedis(topology.host, topology.port))) {
  const dir = path.join(env.STORAGE_DIR, 'redis');
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`[start] no Redis answered; starting redis-server on port ${topology.port} (data in ${dir})\n`);
  redisServer = await startRedis({ port: topology.port, dir, host: topology.host === 'localhost' ? '127.0.0.1' : topology.host, ownGroup: true });
  redisServer.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`[start] redis-server exited with code ${code}; stopping\n`);
      void stopAll(1);
    }
  });
}

for (const app of ['api', 'worker']) {
  const child = spawn(process.execPath, [path.join(root, 'apps', app, 'dist', 'main.js')], { env, stdio: 'inherit' });
  child.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`[start] ${app} exited with code ${code}; stopping\n`);
      void stopAll(code || 1);
    }
  });
  apps.push(child);
}
const port = env.PORT || '8080';
const url = env.PUBLIC_URL || `http://localhost:${port}`;
process.stdout.write(
  `[start] pixelfarm at ${url}  ` +
    (env.API_KEYS ? '(keys from API_KEYS)\n' : '(development API id "dev", key "dev-secret-change-me")\n'),
);
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
