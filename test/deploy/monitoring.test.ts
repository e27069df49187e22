// Prometheus and Grafana files, proven by the real tools without running a server: promtool
// checks the scrape config and the rules and fires every alert from synthetic series; scrape
// jobs reach the services on the apps' ports and metrics path; every alert and panel query
// parses with Prometheus' grammar and names only series (and labels) the apps export; the
// dashboard takes its datasource and namespace as variables, rates over $__rate_interval, and
// shows every metric the apps declare.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { SCRAPE_PORTS, ROOT, declaredMetrics, metricCatalog, probePaths, read, resolveSeries, type MetricDef } from './support/app-facts';
import { parsePromql } from './support/promql';
import { runTool } from './support/tools';
import { interpolate } from './support/compose-file';

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
  annotations: { summary: string; runbook: string };
}
interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  includeAll?: boolean;
  allValue?: string;
}
interface RuleTest {
  alert_rule_test: Array<{ alertname: string; exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }> }>;
}

const PROMETHEUS_DIR = path.join(ROOT, 'deploy', 'prometheus');
const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files: string[]; scrape_configs: ScrapeJob[] };
const alerts = parse(read('deploy/prometheus/alerts.yml')) as { groups: Array<{ name: string; rules: Rule[] }> };
const rules = alerts.groups.flatMap((g) => g.rules);
const ruleTests = parse(read('deploy/prometheus/alerts.test.yml')) as { rule_files: string[]; tests: RuleTest[] };
const dashboard = JSON.parse(read('deploy/grafana/dashboards/pixelfarm.json')) as { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] } };
const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ uid: string; type: string; url: string }> };
const providers = parse(read('deploy/grafana/provisioning/dashboards/pixelfarm.yml')) as { providers: Array<{ options: { path: string } }> };
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { volumes?: string[]; ports?: string[] }> };
/** Where compose mounts a repository file inside a service. */
const mountTarget = (service: string, source: string) => compose.services[service]!.volumes!.find((v) => v.startsWith(`${source}:`))!.split(':')[1]!;
/** A panel query as Grafana sends it: its variables interpolated (All namespaces, a 1m rate interval). */
const interpolated = (expr: string) => expr.replace(/\$__rate_interval/g, '1m').replace(/\$namespace/g, '.*');

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
  it('passes `promtool check config`, its rule file included', () => {
    const run = runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS_DIR });
    expect(run).toMatchObject({ status: 0 });
    expect(run.output).toMatch(/SUCCESS: 1 rule files found/);
  });

  it('scrapes the API on its metrics port (not its public one) and every worker replica, on the metrics path', () => {
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((j) => [j.job_name, j]));
    for (const [app, port] of Object.entries(SCRAPE_PORTS)) {
      const job = jobs[`pixelfarm-${app}`]!;
      expect(probePaths()).toContain(job.metrics_path);
      expect(job.metrics_path).toBe('/metrics');
      expect(job.dns_sd_configs).toEqual([expect.objectContaining({ names: [app], port })]);
      expect(compose.services[app]).toBeDefined();
    }
  });

  it('loads the alert rules from where compose mounts them (rule files resolve beside the config)', () => {
    const configAt = mountTarget('prometheus', './deploy/prometheus/prometheus.yml');
    expect(configAt).toBe('/etc/prometheus/prometheus.yml');
    expect(prometheus.rule_files.map((f) => path.posix.resolve(path.posix.dirname(configAt), f))).toEqual([mountTarget('prometheus', './deploy/prometheus/alerts.yml')]);
  });
});

describe('Prometheus alert rules', () => {
  it('pass `promtool check rules`', () => {
    const run = runTool('promtool', ['check', 'rules', 'alerts.yml'], { cwd: PROMETHEUS_DIR });
    expect(run).toMatchObject({ status: 0 });
    expect(run.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('fire as `promtool test rules` expects, each from synthetic series, with the committed test file as it is', () => {
    const run = runTool('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: PROMETHEUS_DIR });
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('are each fired by a unit test, and the test run fails when a rule loses its job selector', () => {
    const fired = new Set(ruleTests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual(rules.map((r) => r.alert).sort());

    // Without `job=`, another service's 5xx fire HighErrorRate: the unit tests catch it.
    const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'promtool-'));
    try {
      const broken = structuredClone(alerts);
      const rule = broken.groups[0]!.rules.find((r) => r.alert === 'HighErrorRate')!;
      rule.expr = rule.expr.replace(/job="pixelfarm-api", /g, '').replace(/\{job="pixelfarm-api"\}/g, '');
      fs.writeFileSync(path.join(dir, 'alerts.yml'), stringify(broken));
      fs.copyFileSync(path.join(PROMETHEUS_DIR, 'alerts.test.yml'), path.join(dir, 'alerts.test.yml'));
      const run = runTool('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir });
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/alertname: HighErrorRate[\s\S]*namespace="billing"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('alert on backlog, saturation, errors, failing renders, browsers, storage, callbacks, storage destinations, an unreadable queue, and missing workers or API', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      ['ApiDown', 'BrowserCrashLooping', 'CallbacksFailing', 'DestinationWritesFailing', 'HighErrorRate', 'NoWorkers', 'RedisUnreachable', 'RenderBacklogGrowing', 'RenderFailures', 'StorageErrors', 'WorkersSaturated'].sort(),
    );
  });

  it.each(rules.map((r) => [r.alert, r] as const))('alert %s: parses, names exported series of our jobs only, and carries a runbook', (_name, rule) => {
    expect(problems(rule.expr)).toEqual([]);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['warning', 'critical']).toContain(rule.labels.severity);
    expect(rule.annotations.summary.length).toBeGreaterThan(10);
    expect(rule.annotations.runbook.length).toBeGreaterThan(20);
    // Every selector names a job Prometheus really scrapes, so a shared Prometheus's other
    // services never feed it.
    const jobs = prometheus.scrape_configs.map((j) => j.job_name);
    for (const s of parsePromql(rule.expr).selectors) {
      const matcher = new RegExp(`${s.metric}\\{[^}]*job(=~?)"([^"]+)"`).exec(rule.expr);
      expect({ metric: s.metric, job: matcher?.[2] ?? 'none' }).toEqual({ metric: s.metric, job: expect.stringMatching(/^pixelfarm-/) });
      for (const job of matcher![2]!.split('|')) expect(jobs).toContain(job);
    }
    // deploy/README.md expands every runbook line.
    expect(read('deploy/README.md')).toContain(`\`${rule.alert}\``);
  });
});

describe('Metric names in the documentation', () => {
  const docs = ['README.md', 'deploy/README.md', 'k8s/README.md'];

  it.each(docs)('%s names only series the apps export, under their current names', (doc) => {
    const text = read(doc);
    // An alias a snippet defines for its own use (prometheus-adapter's `as:`) is not ours to export.
    const aliases = new Set([...text.matchAll(/\bas: (pixelfarm_\w+)/g)].map((m) => m[1]!));
    const named = [...new Set([...text.matchAll(/\bpixelfarm_[a-z0-9_]+/g)].map((m) => m[0]))].filter((n) => !aliases.has(n));
    expect(named.filter((n) => !resolveSeries(catalog, n))).toEqual([]);
    // A name without the pixelfarm_ prefix would send a reader to a series that is gone.
    const stale = declaredMetrics()
      .map((m) => m.replace(/^pixelfarm_/, ''))
      .filter((bare) => new RegExp(`(?<![\\w-])${bare}(?![\\w])`).test(text));
    expect(stale).toEqual([]);
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Prometheus datasource at the compose service, and the dashboard takes its datasource as a variable', () => {
    const [ds] = datasources.datasources;
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    expect(compose.services.prometheus!.ports!.map(interpolate)).toEqual(['127.0.0.1:9090:9090']);
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    for (const panel of dashboard.panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of panel.targets) expect(t.datasource).toEqual(panel.datasource);
    }
    // No datasource uid of one installation is written into the dashboard.
    expect(read('deploy/grafana/dashboards/pixelfarm.json')).not.toContain(`"uid": "${ds!.uid}"`);
  });

  it('filters every query by a namespace variable that also matches compose’s namespace-less series', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'namespace')!;
    expect(variable).toMatchObject({ type: 'query', includeAll: true, allValue: '.*' });
    expect(problems(JSON.stringify(variable.query).match(/label_values\((.*), namespace\)/)![1]!.replace(/\\"/g, '"'))).toEqual([]);
    for (const panel of dashboard.panels) for (const t of panel.targets) for (const s of parsePromql(interpolated(t.expr)).selectors) expect(s.labels).toContain('namespace');
  });

  it('rates over $__rate_interval, never a fixed window', () => {
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        const windows = [...t.expr.matchAll(/\b(rate|irate|increase|delta|deriv)\([^[]*\[([^\]]+)\]/g)].map((m) => m[2]);
        expect({ panel: panel.title, windows: [...new Set(windows)] }).toEqual({ panel: panel.title, windows: windows.length ? ['$__rate_interval'] : [] });
      }
    }
  });

  it('loads dashboards from where compose mounts them', () => {
    expect(providers.providers[0]!.options.path).toBe(mountTarget('grafana', './deploy/grafana/dashboards'));
    expect(mountTarget('grafana', './deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
  });

  it('has a panel for every metric the apps declare, and for process memory', () => {
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => parsePromql(interpolated(t.expr)).selectors.map((s) => resolveSeries(catalog, s.metric)?.metric))));
    const declared = declaredMetrics();
    expect(declared.length).toBeGreaterThan(10);
    for (const metric of [...declared, 'up', 'process_resident_memory_bytes']) expect({ metric, used: used.has(metric) }).toEqual({ metric, used: true });
  });

  it('measures saturation against the slots a worker has open for the work queued, which a bulk backlog fills at its base', () => {
    // Busy over open slots; over WORKER_CONCURRENCY or the page pool a bulk backlog tops out at
    // base/max (alerts.test.yml fires the alert for a bulk-only backlog at full base slots).
    const busyOverOpen = /pixelfarm_render_slots\{[^}]*state="busy"\}\)\s+\/ clamp_min\(sum(?: by \(\w+\) )?\(pixelfarm_render_slots\{[^}]*state="open"\}\)/;
    const panel = dashboard.panels.find((p) => /saturation/i.test(p.title))!;
    expect(panel.targets.filter((t) => busyOverOpen.test(t.expr)).map((t) => t.legendFormat)).toEqual(['all workers', '{{instance}}']);
    const alert = rules.find((r) => r.alert === 'WorkersSaturated')!;
    expect(alert.expr).toMatch(busyOverOpen);
    expect(alert.expr).not.toMatch(/pixelfarm_browser_pages/);
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
    for (const target of panel.targets) expect(problems(interpolated(target.expr))).toEqual([]);
  });
});
