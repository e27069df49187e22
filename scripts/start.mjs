#!/usr/bin/env node
// `npm start`: the single-machine stack in one command. Uses the Redis at REDIS_URL, or
// starts a local redis-server when none answers on localhost, then runs the API and one
// worker as two processes sharing the same environment, and stops them all together.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pingRedis, startRedis } from './local-redis.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
env.REDIS_URL ||= 'redis://127.0.0.1:6379';
env.STORAGE_DIR ||= path.join(root, 'data');
// sharp (libvips) fragments glibc's per-thread heaps; two arenas keep the RSS flat.
env.MALLOC_ARENA_MAX ||= '2';
const children = [];
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 100).unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() =>
    process.exit(code),
  );
}

const redis = new URL(env.REDIS_URL);
const redisPort = Number(redis.port || 6379);
if (!(await pingRedis(redis.hostname, redisPort))) {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(redis.hostname)) {
    process.stderr.write(`Redis at ${env.REDIS_URL} does not answer\n`);
    process.exit(1);
  }
  const dir = path.join(env.STORAGE_DIR, 'redis');
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`[start] no Redis answered; starting redis-server on port ${redisPort} (data in ${dir})\n`);
  children.push(await startRedis({ port: redisPort, dir }));
}

for (const app of ['api', 'worker']) {
  const child = spawn(process.execPath, [path.join(root, 'apps', app, 'dist', 'main.js')], { env, stdio: 'inherit' });
  child.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`[start] ${app} exited with code ${code}; stopping\n`);
      stopAll(code || 1);
    }
  });
  children.push(child);
}
const port = env.PORT || '8080';
const url = env.PUBLIC_URL || `http://localhost:${port}`;
process.stdout.write(
  `[start] pixelfarm at ${url}  ` +
    (env.API_KEYS ? '(keys from API_KEYS)\n' : '(development API id "dev", key "dev-secret-change-me")\n'),
);
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
