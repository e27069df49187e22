// Prometheus and Grafana files of the compose stack, proven without running them: scrape jobs
// reach the services on the apps' ports and metrics path, every alert and panel query parses
// with Prometheus' grammar and names only series (and labels) the apps export, and Grafana's
// provisioning points at what compose mounts and runs.
import { parse } from 'yaml';
import { PORTS, metricCatalog, probePaths, read, resolveSeries, type MetricDef } from './support/app-facts';
import { parsePromql } from './support/promql';

interface ScrapeJob {
  job_name: string;
  metrics_path: string;
  dns_sd_configs: Array<{ names: string[]; port: number }>;
}
interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string };
}
interface Panel {
  id: number;
  title: string;
  datasource: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<{ refId: string; expr: string }>;
}

const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files: string[]; scrape_configs: ScrapeJob[] };
const alerts = parse(read('deploy/prometheus/alerts.yml')) as { groups: Array<{ name: string; rules: Rule[] }> };
const rules = alerts.groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(read('deploy/grafana/dashboards/pixelfarm.json')) as { uid: string; title: string; panels: Panel[] };
const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ uid: string; type: string; url: string }> };
const providers = parse(read('deploy/grafana/provisioning/dashboards/pixelfarm.yml')) as { providers: Array<{ options: { path: string } }> };
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { volumes?: string[]; ports?: string[] }> };
/** Where compose mounts a repository file inside a service. */
const mountTarget = (service: string, source: string) => compose.services[service]!.volumes!.find((v) => v.startsWith(`${source}:`))!.split(':')[1]!;

let catalog: Map<string, MetricDef>;
beforeAll(async () => {
  catalog = await metricCatalog();
});

/** Problems of one PromQL expression: syntax, unknown series, labels a series does not carry. */
function problems(expr: string): string[] {
  const parsed = parsePromql(expr);
  if (!parsed.ok) return [`does not parse: ${expr}`];
  return parsed.selectors.flatMap((s) => {
    const series = resolveSeries(catalog, s.metric);
    if (!series) return [`unknown series ${s.metric}`];
    return s.labels.filter((l) => !series.labels.includes(l)).map((l) => `${s.metric} has no label ${l}`);
  });
}

describe('Prometheus configuration', () => {
  it('scrapes the API and every worker replica on their ports and metrics path', () => {
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((j) => [j.job_name, j]));
    for (const [app, port] of Object.entries(PORTS)) {
      const job = jobs[`pixelfarm-${app}`]!;
      expect(probePaths()).toContain(job.metrics_path);
      expect(job.metrics_path).toBe('/metrics');
      expect(job.dns_sd_configs).toEqual([expect.objectContaining({ names: [app], port })]);
      expect(compose.services[app]).toBeDefined();
    }
  });

  it('loads the alert rules from where compose mounts them', () => {
    expect(prometheus.rule_files).toEqual([mountTarget('prometheus', './deploy/prometheus/alerts.yml')]);
    expect(mountTarget('prometheus', './deploy/prometheus/prometheus.yml')).toBe('/etc/prometheus/prometheus.yml');
  });

  it('alerts on a growing backlog, a high error rate and no workers', () => {
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['RenderBacklogGrowing', 'HighErrorRate', 'NoWorkers']));
    expect(rules.find((r) => r.alert === 'RenderBacklogGrowing')!.expr).toContain('queue_jobs');
    expect(rules.find((r) => r.alert === 'HighErrorRate')!.expr).toContain('http_requests_total');
    expect(rules.find((r) => r.alert === 'NoWorkers')!.expr).toContain('up{job="pixelfarm-worker"}');
  });

  it.each(rules.map((r) => [r.alert, r] as const))('alert %s: parses, names exported series, and is complete', (_name, rule) => {
    expect(problems(rule.expr)).toEqual([]);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['warning', 'critical']).toContain(rule.labels.severity);
    expect(rule.annotations.summary.length).toBeGreaterThan(10);
    // `up{job=...}` must name a job Prometheus really scrapes.
    for (const job of rule.expr.matchAll(/job="([^"]+)"/g)) expect(prometheus.scrape_configs.map((j) => j.job_name)).toContain(job[1]);
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Prometheus datasource the panels use, at the compose service', () => {
    const [ds] = datasources.datasources;
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    expect(compose.services.prometheus!.ports).toEqual(['9090:9090']);
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(ds!.uid);
  });

  it('loads dashboards from where compose mounts them', () => {
    expect(providers.providers[0]!.options.path).toBe(mountTarget('grafana', './deploy/grafana/dashboards'));
    expect(mountTarget('grafana', './deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
  });

  it('has panels for throughput, latency, queue depth, errors and pool saturation', () => {
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => parsePromql(t.expr).selectors.map((s) => resolveSeries(catalog, s.metric)?.metric))));
    for (const metric of ['http_requests_total', 'http_request_duration_seconds', 'render_jobs_total', 'render_duration_seconds', 'queue_jobs', 'browser_restarts_total', 'browser_pages']) {
      expect({ metric, used: used.has(metric) }).toEqual({ metric, used: true });
    }
  });

  it('lays out uniquely numbered panels without overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos: g } of dashboard.panels) {
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x += 1) for (let y = g.y; y < g.y + g.h; y += 1) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  });

  it.each(dashboard.panels.map((p) => [p.title, p] as const))('panel "%s": every query parses and names exported series', (_title, panel) => {
    expect(panel.targets.length).toBeGreaterThan(0);
    for (const target of panel.targets) expect(problems(target.expr)).toEqual([]);
  });
});
