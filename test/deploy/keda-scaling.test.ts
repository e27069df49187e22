// Worker scaling and monitoring on a standard cluster, from the rendered overlays: KEDA's rule for
// a ScaledObject with scalingModifiers (support/keda.ts, replayed from its source) shows that the
// workers scale from Redis alone, whatever Prometheus answers, and that a Prometheus trigger
// beside the Redis ones would freeze the fleet whenever Prometheus restarts or answers nothing.
// KEDA asks for one worker per slot a worker fills for a bulk backlog. The Prometheus Operator
// objects carry the labels a kube-prometheus-stack Prometheus selects, set in one place.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT, loadConfig } from './support/app-facts';
import { type Manifest, find, kustomize } from './support/kustomize';
import { MetricError, type PrometheusAnswer, type ScaledObjectSpec, type Trigger, compositeMetric, desiredReplicas, prometheusValue } from './support/keda';

const overlays = {
  dev: kustomize(path.join(ROOT, 'k8s', 'overlays', 'dev')).manifests,
  prod: kustomize(path.join(ROOT, 'k8s', 'overlays', 'prod')).manifests,
};
const spec = (docs: Manifest[]) => (find(docs, 'ScaledObject', 'pixelfarm-worker') as unknown as { spec: ScaledObjectSpec }).spec;
type Env = Array<{ name: string; value?: string }>;
const workerConfig = (docs: Manifest[]) => {
  const worker = find(docs, 'Deployment', 'pixelfarm-worker') as unknown as { spec: { template: { spec: { containers: Array<{ env: Env }> } } } };
  return loadConfig(Object.fromEntries(worker.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value ?? ''])));
};
/** What the Redis triggers read: the lengths of BullMQ's wait list, prioritized set and active list. */
const redisReads = (so: ScaledObjectSpec, lengths: { waiting: number; prioritized: number; active: number }) =>
  Object.fromEntries(so.triggers.filter((t) => t.type === 'redis').map((t) => [t.name, lengths[t.name as keyof typeof lengths]]));
const ANSWERS: PrometheusAnswer[] = ['unreachable', 'empty', 7];
/** The Prometheus trigger an earlier form of the manifests added beside the Redis ones. */
const BACKLOG_TRIGGER: Trigger = {
  type: 'prometheus',
  name: 'backlog',
  metadata: { serverAddress: 'http://prometheus-operated.monitoring.svc.cluster.local:9090', query: 'sum(pixelfarm_queue_jobs)', threshold: '2', ignoreNullValues: 'false' },
};

describe.each(Object.keys(overlays) as Array<keyof typeof overlays>)('KEDA scaling of the %s overlay', (name) => {
  const so = spec(overlays[name]);
  const config = workerConfig(overlays[name]);

  it('reads only Redis, so the metric is there whatever Prometheus answers', () => {
    expect(so.triggers.map((t) => t.type)).toEqual(['redis', 'redis', 'redis']);
    const reads = redisReads(so, { waiting: 3, prioritized: 40, active: 2 * config.worker.baseConcurrency });
    for (const answer of ANSWERS) {
      // Whatever a Prometheus trigger would have read, none is asked: the metric stands.
      const extra = Object.fromEntries(so.triggers.filter((t) => t.type === 'prometheus').map((t) => [t.name, prometheusValue(t, answer)]));
      expect(compositeMetric(so, { ...reads, ...extra })).toBe(3 + 40 + 2 * config.worker.baseConcurrency);
    }
  });

  it('asks for one worker per slot a worker fills for a bulk backlog, so the fleet that comes has a slot for every render', () => {
    // A bulk-only backlog: every worker runs its base slots, and the rest waits in the sorted set.
    const current = so.minReplicaCount;
    const active = current * config.worker.baseConcurrency;
    const prioritized = 20 * config.worker.baseConcurrency;
    const metric = compositeMetric(so, redisReads(so, { waiting: 0, prioritized, active }));
    const workers = desiredReplicas(so, metric, current);
    expect(workers).toBe(Math.min(so.maxReplicaCount, Math.ceil((prioritized + active) / config.worker.baseConcurrency)));
    if (workers < so.maxReplicaCount) expect(workers * config.worker.baseConcurrency).toBeGreaterThanOrEqual(prioritized + active);
    // Busy workers alone keep their count: nothing queued, every base slot running.
    expect(desiredReplicas(so, compositeMetric(so, redisReads(so, { waiting: 0, prioritized: 0, active })), current)).toBe(current);
  });

  it('would freeze at its current count with a Prometheus trigger beside the Redis ones (the rule this shape avoids)', () => {
    const withBacklog: ScaledObjectSpec = {
      ...so,
      triggers: [...so.triggers, BACKLOG_TRIGGER],
      advanced: { scalingModifiers: { ...so.advanced.scalingModifiers, formula: `max(${so.advanced.scalingModifiers.formula}, backlog)` } },
    };
    const reads = redisReads(so, { waiting: 0, prioritized: 100, active: so.minReplicaCount * config.worker.baseConcurrency });
    for (const ignoreNullValues of ['false', 'true']) {
      const trigger = { ...BACKLOG_TRIGGER, metadata: { ...BACKLOG_TRIGGER.metadata, ignoreNullValues } };
      const frozen = (answer: PrometheusAnswer) => compositeMetric(withBacklog, { ...reads, backlog: prometheusValue(trigger, answer) });
      // Prometheus restarting: an error whatever ignoreNullValues says, and the HPA holds its count.
      expect(frozen('unreachable')).toBeInstanceOf(MetricError);
      expect(desiredReplicas(withBacklog, frozen('unreachable'), so.minReplicaCount)).toBe(so.minReplicaCount);
      // Nothing scraped (no selector labels, a fresh Prometheus): an error unless nulls are ignored.
      expect(frozen('empty') instanceof MetricError).toBe(ignoreNullValues === 'false');
    }
    // Formula or not, one failing trigger fails the composite metric.
    const outside = { ...withBacklog, advanced: { scalingModifiers: { ...so.advanced.scalingModifiers } } };
    expect(compositeMetric(outside, { ...reads, backlog: prometheusValue(BACKLOG_TRIGGER, 'unreachable') })).toBeInstanceOf(MetricError);
  });
});

describe('Prometheus Operator objects of the prod overlay', () => {
  const KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];
  const configured = (dir: string) => (parse(fs.readFileSync(path.join(dir, 'components', 'prometheus', 'selector-labels.yaml'), 'utf8')) as { labels: Record<string, string> }).labels;

  it('carry the labels a kube-prometheus-stack Prometheus selects (release), and only they do', () => {
    const labels = configured(path.join(ROOT, 'k8s'));
    expect(Object.keys(labels)).toContain('release');
    const docs = overlays.prod;
    for (const kind of KINDS) {
      const objects = docs.filter((d) => d.kind === kind);
      expect(objects.length).toBe(1);
      for (const o of objects) expect(o.metadata.labels).toEqual(expect.objectContaining(labels));
    }
    for (const d of docs.filter((d) => !KINDS.includes(d.kind))) expect({ kind: d.kind, release: d.metadata.labels?.release }).toEqual({ kind: d.kind, release: undefined });
  });

  it('take a changed label from the one file that sets it', () => {
    const copy = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'k8s-labels-'));
    try {
      fs.cpSync(path.join(ROOT, 'k8s'), copy, { recursive: true });
      const file = path.join(copy, 'components', 'prometheus', 'selector-labels.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^  release: \S+$/m, '  release: monitoring-stack'));
      expect(configured(copy).release).toBe('monitoring-stack');
      const { manifests, errors } = kustomize(path.join(copy, 'overlays', 'prod'));
      expect(errors).toEqual([]);
      for (const kind of KINDS) for (const o of manifests.filter((d) => d.kind === kind)) expect(o.metadata.labels?.release).toBe('monitoring-stack');
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
