#!/usr/bin/env node
// Builds the two app images from the repository's Dockerfile (targets `api` and `worker`) and
// tags them [<registry>/]pixelfarm/<app>:<tag>, the names docker-compose.yml and the Kubernetes
// overlays' `images:` use. The tag defaults to package.json's version. With --push (or several
// --platform values) it builds with `docker buildx build` and pushes; otherwise `docker build`
// into the local engine. --dry-run prints the commands instead of running them.
//   node scripts/build-images.mjs [--registry localhost:5001] [--tag 0.1.0] [--push]
//                                 [--platform linux/amd64,linux/arm64] [--dry-run]
// Node built-ins only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const APPS = ['api', 'worker'];

function parseArgs(argv) {
  const options = { registry: '', tag: '', push: false, platform: '', dryRun: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[(i += 1)];
      if (!next || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--registry') options.registry = value().replace(/\/+$/, '');
    else if (arg === '--tag') options.tag = value();
    else if (arg === '--platform') options.platform = value();
    else if (arg === '--push') options.push = true;
    else if (arg === '--dry-run') options.dryRun = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  options.tag ||= JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  if (!/^[\w][\w.-]{0,127}$/.test(options.tag)) throw new Error(`not a valid image tag: ${options.tag}`);
  return options;
}

/** The `docker` command lines that build (and push) both images. */
export function commands(options) {
  return APPS.map((app) => {
    const image = `${options.registry ? `${options.registry}/` : ''}pixelfarm/${app}:${options.tag}`;
    const buildx = options.push || options.platform.includes(',');
    return buildx
      ? ['docker', 'buildx', 'build', '--target', app, '-t', image, ...(options.platform ? ['--platform', options.platform] : []), ...(options.push ? ['--push'] : ['--load']), ROOT]
      : ['docker', 'build', '--target', app, '-t', image, ...(options.platform ? ['--platform', options.platform] : []), ROOT];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`[build-images] ${err.message}\n`);
    process.exit(2);
  }
  for (const [cmd, ...args] of commands(options)) {
    process.stdout.write(`${[cmd, ...args].join(' ')}\n`);
    if (options.dryRun) continue;
    const res = spawnSync(cmd, args, { stdio: 'inherit' });
    if (res.status !== 0) {
      process.stderr.write(`[build-images] failed: ${[cmd, ...args].join(' ')}\n`);
      process.exit(res.status ?? 1);
    }
  }
}
