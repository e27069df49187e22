#!/usr/bin/env node
// Makes `npx pixelfarm ...` work from the repository after a build. npm links a workspace's
// bin (apps/cli: pixelfarm -> dist/main.js) at install time only when the file exists, and
// dist/ is built after install; so after `tsc -b` this links it (npm rebuild, bins only) when
// the link is missing or its target is not executable. Node built-ins only, like setup.mjs.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'node_modules', '.bin', 'pixelfarm');
const target = path.join(root, 'apps', 'cli', 'dist', 'main.js');

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(target)) {
  process.stderr.write(`[link-cli-bin] ${path.relative(root, target)} is not built: run tsc -b first\n`);
  process.exit(1);
}
if (!executable(bin)) {
  const res = spawnSync('npm', ['rebuild', '@pixelfarm/cli', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0 || !executable(bin)) {
    process.stderr.write('[link-cli-bin] could not link node_modules/.bin/pixelfarm\n');
    process.exit(1);
  }
}
