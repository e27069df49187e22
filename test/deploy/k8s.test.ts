// Kubernetes manifests, proven without a cluster: the base and every overlay build with kubectl's
// kustomize and validate against the Kubernetes and KEDA schemas, and what they say (images,
// ports, probes, env, queue names, shutdown timing, egress) matches what the apps really do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_CHROMIUM_PATH, ENV_VARS, PORTS, RENDER_QUEUE, ROOT, loadConfig, metricCatalog, probePaths, resolveSeries } from './support/app-facts';
import { type Container, type Deployment, type Manifest, find, kustomize, selects } from './support/kustomize';
import { parsePromql } from './support/promql';

const APPS = {
  api: { deployment: 'pixelfarm-api', image: 'pixelfarm/api', port: PORTS.api, portName: 'http' },
  worker: { deployment: 'pixelfarm-worker', image: 'pixelfarm/worker', port: PORTS.worker, portName: 'metrics' },
} as const;
type App = keyof typeof APPS;

/** The private, shared, link-local and loopback IPv4 ranges workers must never reach. */
const DENIED_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'];

const builds = {
  base: kustomize(path.join(ROOT, 'k8s', 'base')),
  dev: kustomize(path.join(ROOT, 'k8s', 'overlays', 'dev')),
  prod: kustomize(path.join(ROOT, 'k8s', 'overlays', 'prod')),
};
type BuildName = keyof typeof builds;

const deployment = (docs: Manifest[], app: App) => find<Deployment>(docs, 'Deployment', APPS[app].deployment);
const container = (docs: Manifest[], app: App): Container => deployment(docs, app).spec.template.spec.containers[0]!;
const configData = (docs: Manifest[]) => (find(docs, 'ConfigMap', 'pixelfarm-config') as unknown as { data: Record<string, string> }).data;
const secretData = (docs: Manifest[]) => {
  const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === 'pixelfarm-secrets') as unknown as { stringData?: Record<string, string> } | undefined;
  return secret?.stringData;
};
/** The environment a container starts with: its ConfigMap, the Secret when rendered, its own env. */
const environment = (docs: Manifest[], app: App): Record<string, string> => ({
  ...configData(docs),
  ...(secretData(docs) ?? {}),
  ...Object.fromEntries((container(docs, app).env ?? []).map((e) => [e.name, e.value ?? ''])),
});
const quantity = (q: string | number | undefined): number => {
  const m = /^([\d.]+)(m|Ki|Mi|Gi)?$/.exec(String(q ?? '0'));
  const units: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
  return m ? Number(m[1]) * (m[2] ? units[m[2]]! : 1) : NaN;
};

describe.each(Object.keys(builds) as BuildName[])('k8s %s', (name) => {
  const { manifests: docs, errors } = builds[name];

  it('builds the whole deployment and validates every manifest against its schema', () => {
    const kinds = docs.map((d) => d.kind).sort();
    const expected = ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'PodDisruptionBudget', 'ScaledObject', 'Service', 'Service'];
    // prod renders no Secret: operators create it, so applying can never reset real keys to placeholders.
    expect(kinds).toEqual([...expected, ...(name === 'prod' ? [] : ['Secret'])].sort());
    expect(errors).toEqual([]);
  });

  it.each(Object.keys(APPS) as App[])('%s: image, named port, probes and scrape annotations match the app', (app) => {
    const c = container(docs, app);
    const served = probePaths();
    expect(c.image).toMatch(new RegExp(`^${APPS[app].image}:[\\w.-]+$`));
    expect(c.ports).toEqual([{ name: APPS[app].portName, containerPort: APPS[app].port }]);
    expect(c.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: APPS[app].portName });
    expect(c.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: APPS[app].portName });
    expect(served).toEqual(expect.arrayContaining(['/readyz', '/healthz']));
    const annotations = deployment(docs, app).spec.template.metadata.annotations ?? {};
    expect(annotations['prometheus.io/port']).toBe(String(APPS[app].port));
    expect(served).toContain(annotations['prometheus.io/path']);
  });

  it.each(Object.keys(APPS) as App[])('%s: sets only env the apps read, and a configuration they accept', (app) => {
    for (const key of Object.keys(environment(docs, app))) expect(ENV_VARS).toContain(key);
    const config = loadConfig(environment(docs, app));
    expect(app === 'api' ? config.port : config.workerPort).toBe(APPS[app].port);
    expect(config.storage.driver).toBe('s3');
    expect(config.chromiumPath).toBe(DEFAULT_CHROMIUM_PATH);
    // envFrom names the ConfigMap this build renders (with its content hash) and the Secret.
    const refs = container(docs, app).envFrom ?? [];
    expect(refs.map((r) => r.configMapRef?.name).filter(Boolean)).toEqual([find(docs, 'ConfigMap', 'pixelfarm-config').metadata.name]);
    expect(refs.map((r) => r.secretRef?.name).filter(Boolean)).toEqual(['pixelfarm-secrets']);
  });

  it.each(Object.keys(APPS) as App[])('%s: runs non-root on a read-only root filesystem with a writable /tmp', (app) => {
    const pod = deployment(docs, app).spec.template.spec;
    const c = container(docs, app);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).not.toBe(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(quantity(c.resources?.requests?.cpu)).toBeGreaterThan(0);
    expect(quantity(c.resources?.requests?.memory)).toBeGreaterThan(0);
    expect(quantity(c.resources?.limits?.memory)).toBeGreaterThanOrEqual(quantity(c.resources?.requests?.memory));
  });

  it.each(Object.keys(APPS) as App[])('%s: the grace period outlasts the app’s own drain deadline', (app) => {
    const pod = deployment(docs, app).spec.template.spec;
    const drainS = loadConfig(environment(docs, app)).shutdownTimeoutMs / 1000;
    const preStop = container(docs, app).lifecycle?.preStop?.exec?.command ?? [];
    const pauseS = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pauseS + drainS);
    // In-flight renders finish before a worker pod is killed.
    if (app === 'worker') expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
  });

  it('routes each Service to its pods by the named port', () => {
    for (const app of Object.keys(APPS) as App[]) {
      const service = find(docs, 'Service', APPS[app].deployment) as unknown as { spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> } };
      expect(selects(service.spec.selector, deployment(docs, app).spec.template.metadata.labels)).toBe(true);
      expect(service.spec.ports.map((p) => p.targetPort)).toEqual([APPS[app].portName]);
    }
  });

  it('scales the API on CPU and the workers on the queue the workers consume', async () => {
    const hpa = find(docs, 'HorizontalPodAutoscaler', 'pixelfarm-api') as unknown as { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'pixelfarm-api' });
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);

    type Trigger = { type: string; metadata: Record<string, string> };
    const scaled = find(docs, 'ScaledObject', 'pixelfarm-worker') as unknown as { spec: { scaleTargetRef: { name: string }; triggers: Trigger[] } };
    expect(scaled.spec.scaleTargetRef.name).toBe('pixelfarm-worker');
    const config = loadConfig(configData(docs));
    const redis = scaled.spec.triggers.find((t) => t.type === 'redis')!;
    // BullMQ keeps waiting jobs in the list <prefix>:<queue>:wait.
    expect(redis.metadata.listName).toBe(`${config.redisPrefix}:${RENDER_QUEUE}:wait`);
    const url = new URL(config.redisUrl);
    expect(redis.metadata.address).toBe(`${url.hostname}:${url.port || 6379}`);
    const prometheus = scaled.spec.triggers.find((t) => t.type === 'prometheus')!;
    const query = parsePromql(prometheus.metadata.query!);
    expect(query.ok).toBe(true);
    const catalog = await metricCatalog();
    for (const s of query.selectors) {
      const series = resolveSeries(catalog, s.metric);
      expect({ metric: s.metric, known: !!series }).toEqual({ metric: s.metric, known: true });
      for (const label of s.labels) expect(series!.labels).toContain(label);
    }
  });

  it('keeps a disruption budget per Deployment that never blocks a node drain', () => {
    for (const app of Object.keys(APPS) as App[]) {
      const pdb = find(docs, 'PodDisruptionBudget', APPS[app].deployment) as unknown as { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number } };
      const d = deployment(docs, app);
      expect(selects(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
      else expect(pdb.spec.minAvailable!).toBeLessThan(d.spec.replicas ?? 1);
    }
  });

  it('lets workers reach DNS, Redis, the object store and the public internet only', () => {
    type Peer = { ipBlock?: { cidr: string; except?: string[] }; podSelector?: { matchLabels: Record<string, string> } };
    type Rule = { to?: Peer[]; ports?: Array<{ protocol: string; port: number }> };
    const policy = find(docs, 'NetworkPolicy', 'pixelfarm-worker-egress') as unknown as { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; egress: Rule[] } };
    expect(selects(policy.spec.podSelector.matchLabels, deployment(docs, 'worker').spec.template.metadata.labels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    const rules = policy.spec.egress;
    const blocks = rules.flatMap((r) => r.to ?? []).filter((p) => p.ipBlock).map((p) => p.ipBlock!);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.cidr).toBe('0.0.0.0/0');
    expect(blocks[0]!.except).toEqual(expect.arrayContaining(DENIED_RANGES));
    // In-cluster peers are selected by app.kubernetes.io/name, the name of their Service.
    const portsTo = (label: string) => rules.filter((r) => r.to?.some((p) => p.podSelector?.matchLabels['app.kubernetes.io/name'] === label)).flatMap((r) => r.ports ?? []);
    const config = loadConfig(configData(docs));
    const redis = new URL(config.redisUrl);
    expect(portsTo(redis.hostname)).toEqual([{ protocol: 'TCP', port: Number(redis.port || 6379) }]);
    const s3 = config.storage.driver === 's3' ? new URL(config.storage.s3.endpoint!) : undefined;
    expect(portsTo(s3!.hostname)).toEqual([{ protocol: 'TCP', port: Number(s3!.port) }]);
    const dns = rules.find((r) => !r.to && r.ports?.some((p) => p.port === 53));
    expect(dns?.ports?.map((p) => p.protocol).sort()).toEqual(['TCP', 'UDP']);
  });
});

describe('k8s overlays', () => {
  it('keeps the base namespace-agnostic and puts each overlay in its namespace', () => {
    expect(builds.base.manifests.filter((m) => m.metadata.namespace)).toEqual([]);
    expect(new Set(builds.dev.manifests.map((m) => m.metadata.namespace))).toEqual(new Set(['pixelfarm-dev']));
    expect(new Set(builds.prod.manifests.map((m) => m.metadata.namespace))).toEqual(new Set(['pixelfarm']));
  });

  it('runs one small replica of each in dev, with the placeholder Secret', () => {
    const docs = builds.dev.manifests;
    for (const app of Object.keys(APPS) as App[]) {
      expect(deployment(docs, app).spec.replicas).toBe(1);
      expect(quantity(container(docs, app).resources?.requests?.cpu)).toBeLessThan(quantity(container(builds.base.manifests, app).resources?.requests?.cpu));
      expect(container(docs, app).image).toBe(`${APPS[app].image}:dev`);
    }
    // Obviously not real: an operator must replace every value.
    for (const value of Object.values(secretData(docs)!)) expect(value).toMatch(/replace/);
  });

  it('runs more, larger replicas in prod on pinned image tags', () => {
    const docs = builds.prod.manifests;
    for (const app of Object.keys(APPS) as App[]) {
      const base = container(builds.base.manifests, app);
      const c = container(docs, app);
      expect(deployment(docs, app).spec.replicas).toBeGreaterThan(deployment(builds.base.manifests, app).spec.replicas ?? 1);
      expect(quantity(c.resources?.requests?.cpu)).toBeGreaterThan(quantity(base.resources?.requests?.cpu));
      expect(quantity(c.resources?.limits?.memory)).toBeGreaterThan(quantity(base.resources?.limits?.memory));
      expect(c.image).toMatch(new RegExp(`^${APPS[app].image}:\\d+\\.\\d+\\.\\d+$`));
    }
    expect(loadConfig(environment(docs, 'worker')).workerConcurrency).toBeGreaterThan(loadConfig(environment(builds.base.manifests, 'worker')).workerConcurrency);
  });
});

describe('k8s validation catches broken manifests', () => {
  let copy: string;
  beforeEach(() => {
    copy = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'k8s-'));
    fs.cpSync(path.join(ROOT, 'k8s'), copy, { recursive: true });
  });
  afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('reports a schema violation', () => {
    const file = path.join(copy, 'base', 'worker-deployment.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`containerPort: ${PORTS.worker}`, 'containerPort: metrics'));
    expect(kustomize(path.join(copy, 'overlays', 'prod')).errors.join('\n')).toMatch(/Deployment\/pixelfarm-worker: .*containerPort must be integer/);
  });

  it('reports a KEDA ScaledObject without triggers', () => {
    const file = path.join(copy, 'base', 'worker-scaledobject.yaml');
    const doc = parse(fs.readFileSync(file, 'utf8')) as { spec: Record<string, unknown> };
    delete doc.spec.triggers;
    fs.writeFileSync(file, JSON.stringify(doc));
    expect(kustomize(path.join(copy, 'overlays', 'dev')).errors.join('\n')).toMatch(/ScaledObject\/pixelfarm-worker: .*triggers/);
  });

  it('fails when an overlay does not build', () => {
    fs.rmSync(path.join(copy, 'base', 'api-service.yaml'));
    expect(() => kustomize(path.join(copy, 'overlays', 'dev'))).toThrow(/api-service\.yaml/);
  });
});
