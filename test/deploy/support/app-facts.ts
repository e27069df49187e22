// What the apps really use, read from their own code, so the deployment files are checked
// against it rather than against a second hand-kept list: env names, default ports, probe
// paths, the queue name and every Prometheus series the processes export.
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ENV_VARS, loadConfig } from '@pixelfarm/config';
import { RENDER_QUEUE } from '@pixelfarm/queue';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const read = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), 'utf8');

export { ENV_VARS, RENDER_QUEUE, loadConfig };

const defaults = loadConfig({});
/** Default ports of the API and of a worker's health/metrics server. */
export const PORTS = { api: defaults.api.port, worker: defaults.worker.port } as const;
/** Where Prometheus scrapes each app by default: the API's metrics server, a worker's health/metrics server. */
export const SCRAPE_PORTS = { api: defaults.api.metricsPort, worker: defaults.worker.port } as const;
export const DEFAULT_CHROMIUM_PATH = defaults.renderer.executablePath;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = defaults.shutdownTimeoutMs;
export const DEFAULT_REDIS_PREFIX = defaults.queue.prefix;

/** Paths the health router serves (the router is mounted at the root of both apps). */
export function probePaths(): string[] {
  const source = read('packages/health/src/health.routes.ts');
  return [...source.matchAll(/router\.get\(\s*'([^']+)'/g)].map((m) => m[1]!);
}

/** Metric names the apps declare themselves (packages/metrics), without prom-client's process defaults. */
export function declaredMetrics(): string[] {
  return sourceFiles().flatMap((file) => [...read(file).matchAll(/new (?:Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([^']+)'/g)].map((m) => m[1]!));
}

/** Whether an app mounts the health router without a path prefix. */
export function mountsHealthAtRoot(app: 'api' | 'worker'): boolean {
  return /\.use\(\s*healthRoutes\(/.test(read(`apps/${app}/src/app.ts`));
}

/** Non-test TypeScript sources of the packages and apps, relative to the repository root. */
export function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) files.push(rel);
    }
  };
  for (const group of ['packages', 'apps']) {
    for (const name of fs.readdirSync(path.join(ROOT, group))) {
      if (fs.existsSync(path.join(ROOT, group, name, 'src'))) walk(path.join(group, name, 'src'));
    }
  }
  return files;
}

/** Packages a source file needs at run time (type-only imports are erased by tsc). */
export function runtimeImports(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?'([^']+)'/gm),
    ...source.matchAll(/\b(?:require|import)\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  const packages = specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]!))
    .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
  return [...new Set(packages)];
}

export interface MetricDef {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'synthetic';
  labels: string[];
}

/**
 * Labels every series carries besides its own: the registry's default `app`, Prometheus' target
 * labels, and the `namespace` the Prometheus Operator adds to Kubernetes targets.
 */
const TARGET_LABELS = ['app', 'job', 'instance', 'namespace'];

/**
 * Every metric the processes can export: those declared with prom-client in the sources
 * (name and labelNames of each `new Counter|Gauge|Histogram|Summary({...})`), prom-client's
 * default process metrics, and Prometheus' own `up`.
 */
export async function metricCatalog(): Promise<Map<string, MetricDef>> {
  const catalog = new Map<string, MetricDef>([['up', { type: 'synthetic', labels: [] }]]);
  for (const file of sourceFiles()) {
    const source = read(file);
    const starts = [...source.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{/g)];
    starts.forEach((m, i) => {
      const body = source.slice(m.index, starts[i + 1]?.index ?? source.length);
      const name = /\bname:\s*'([^']+)'/.exec(body)?.[1];
      if (!name) throw new Error(`${file}: a ${m[1]} without a literal name`);
      const labels = [.../labelNames:\s*\[([^\]]*)\]/.exec(body)?.[1]?.matchAll(/'([^']+)'/g) ?? []].map((l) => l[1]!);
      catalog.set(name, { type: m[1]!.toLowerCase() as MetricDef['type'], labels });
    });
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set(metric.values.flatMap((v) => Object.keys(v.labels)));
    catalog.set(metric.name, { type: String(metric.type) as MetricDef['type'], labels: [...labels] });
  }
  return catalog;
}

/** The metric a series name belongs to (`x_bucket` → histogram `x`), with the labels it may carry. */
export function resolveSeries(catalog: Map<string, MetricDef>, series: string): { metric: string; labels: string[] } | undefined {
  const direct = catalog.get(series);
  if (direct) return { metric: series, labels: [...direct.labels, ...TARGET_LABELS] };
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  const base = m ? catalog.get(m[1]!) : undefined;
  if (!m || !base || (base.type !== 'histogram' && base.type !== 'summary')) return undefined;
  if (m[2] === 'bucket' && base.type !== 'histogram') return undefined;
  return { metric: m[1]!, labels: [...base.labels, ...TARGET_LABELS, ...(m[2] === 'bucket' ? ['le'] : [])] };
}
