#!/usr/bin/env node
// One-step set-up used by `npm start` and `npm test` on a fresh clone: npm dependencies,
// TypeScript build, and the system parts (Chromium, fonts, redis-server) when missing.
// Uses Node built-ins only, because it runs before any dependency is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const log = (msg) => process.stdout.write(`[setup] ${msg}\n`);

function run(cmd, cmdArgs, opts = {}) {
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    process.stderr.write(`[setup] failed: ${cmd} ${cmdArgs.join(' ')}\n`);
    process.exit(res.status ?? 1);
  }
}

function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

// 1. npm dependencies: install when node_modules is missing or older than the lock file.
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)) {
  log('installing npm dependencies');
  run('npm', [existsSync(lock) && !existsSync(marker) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

// 2. Build every workspace (incremental: fast when nothing changed).
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
// `npx pixelfarm`: the CLI's bin can only be linked once it is built.
run(process.execPath, [path.join(root, 'scripts', 'link-cli-bin.mjs')]);

// 3. System packages.
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const wanted = [];
if (!args.has('--no-browser')) {
  if (!existsSync(chromiumPath)) wanted.push('chromium');
  if (!existsSync('/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf')) wanted.push('fonts-noto-color-emoji');
  if (!existsSync('/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf')) wanted.push('fonts-noto-core');
  if (!existsSync('/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf')) wanted.push('fonts-liberation');
}
if (!args.has('--no-redis') && !onPath('redis-server')) wanted.push('redis-server');
// The network-lab tests (test/lab) build namespaces with `ip` from iproute2.
if (args.has('--test') && !onPath('ip')) wanted.push('iproute2');

if (wanted.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    process.stderr.write(`[setup] missing system packages; install them first: sudo apt-get install -y ${wanted.join(' ')}\n`);
    process.exit(1);
  }
  log(`installing ${wanted.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt run (unattended upgrades, a parallel setup) holds the lock for a while: wait for it.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  run('apt-get', [...lock, 'update', '-qq'], { env });
  run('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', ...wanted], { env });
  if (wanted.some((p) => p.startsWith('fonts-')) && onPath('fc-cache')) execFileSync('fc-cache', ['-f']);
}
// The deployment tests run kubectl 1.21+ (Debian's is 1.20: too old: its kustomize cannot build
// the overlays), promtool and docker-compose.
if (args.has('--test')) run(process.execPath, [path.join(root, 'scripts', 'install-deploy-tools.mjs'), '--if-missing']);
log('ready');
