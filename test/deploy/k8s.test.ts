// Kubernetes manifests, proven without a cluster: the base and every overlay build with kubectl's
// kustomize and validate against the Kubernetes and KEDA schemas, and what they say matches what
// the apps and the cluster really do: images from a registry the overlay sets, probes, env and
// secrets, KEDA triggers that KEDA (in its own namespace) can reach and that count running work,
// autoscaled Deployments without a fixed replica count, disruption budgets that let drains
// proceed, an in-cluster Redis as BullMQ needs it, the object store, and Prometheus Operator
// objects, valid against the Operator's CRD schemas, whose rules are the ones promtool checks and
// that scrape the API on its metrics port, never its public one.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_CHROMIUM_PATH, ENV_VARS, PORTS, RENDER_QUEUE, ROOT, SCRAPE_PORTS, loadConfig, metricCatalog, probePaths, read, resolveSeries } from './support/app-facts';
import { type Container, type Deployment, type Manifest, find, kustomize, selects } from './support/kustomize';
import { parsePromql } from './support/promql';
import { runTool } from './support/tools';
import { freePort } from '../support/ports';

/** Each app's probe port, and the port Prometheus scrapes (the API's is apart from its public one). */
const APPS = {
  api: { deployment: 'pixelfarm-api', image: 'pixelfarm/api', port: PORTS.api, portName: 'http', scrapePort: SCRAPE_PORTS.api, scrapePortName: 'metrics' },
  worker: { deployment: 'pixelfarm-worker', image: 'pixelfarm/worker', port: PORTS.worker, portName: 'metrics', scrapePort: SCRAPE_PORTS.worker, scrapePortName: 'metrics' },
} as const;
/** A container's named ports: the probe port, and the scrape port when it is another. */
const containerPorts = (app: App) =>
  APPS[app].scrapePortName === APPS[app].portName
    ? [{ name: APPS[app].portName, containerPort: APPS[app].port }]
    : [
        { name: APPS[app].portName, containerPort: APPS[app].port },
        { name: APPS[app].scrapePortName, containerPort: APPS[app].scrapePort },
      ];
type App = keyof typeof APPS;

/** The private, shared, link-local and loopback IPv4 ranges workers must never reach. */
const DENIED_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'];
/** Room a worker needs besides its browser: Node itself and the browser's growth between two memory checks. */
const WORKER_HEADROOM_MB = 768;
/** A Service's cluster DNS name: what KEDA, in its own namespace, can resolve. */
const FQDN = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/;

const builds = {
  base: kustomize(path.join(ROOT, 'k8s', 'base')),
  dev: kustomize(path.join(ROOT, 'k8s', 'overlays', 'dev')),
  prod: kustomize(path.join(ROOT, 'k8s', 'overlays', 'prod')),
};
type BuildName = keyof typeof builds;
const NAMESPACE: Record<BuildName, string | undefined> = { base: undefined, dev: 'pixelfarm-dev', prod: 'pixelfarm' };
const version = (JSON.parse(read('package.json')) as { version: string }).version;

type Trigger = { type: string; name: string; metadata: Record<string, string>; authenticationRef?: { name: string } };
interface ScaledObject extends Manifest {
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    advanced: { scalingModifiers: { formula: string; target: string; metricType: string } };
    triggers: Trigger[];
  };
}
interface StatefulSet extends Manifest {
  spec: {
    serviceName: string;
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<Omit<Container, 'env'> & { args?: string[]; env?: EnvSource[] }>; securityContext?: { runAsNonRoot?: boolean } } };
    volumeClaimTemplates: Array<{ metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }>;
  };
}
type EnvSource = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } };
type ServiceSpec = { spec: { selector: Record<string, string>; clusterIP?: string; publishNotReadyAddresses?: boolean; ports: Array<{ name?: string; port: number; targetPort: string | number }> } };

const deployment = (docs: Manifest[], app: App) => find<Deployment>(docs, 'Deployment', APPS[app].deployment);
const container = (docs: Manifest[], app: App): Container => deployment(docs, app).spec.template.spec.containers[0]!;
const configData = (docs: Manifest[]) => (find(docs, 'ConfigMap', 'pixelfarm-config') as unknown as { data: Record<string, string> }).data;
const secretData = (docs: Manifest[], name = 'pixelfarm-secrets') => {
  const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === name) as unknown as { stringData?: Record<string, string> } | undefined;
  return secret?.stringData;
};
const service = (docs: Manifest[], name: string) => find(docs, 'Service', name) as unknown as Manifest & ServiceSpec;
const scaledObject = (docs: Manifest[]) => find<ScaledObject>(docs, 'ScaledObject', 'pixelfarm-worker');
const workerEnv = (docs: Manifest[]) => Object.fromEntries((container(docs, 'worker').env ?? []).map((e) => [e.name, e.value ?? '']));
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
/** Where a host name from inside the namespace resolves: a short Service name gets the namespace's domain. */
const resolveIn = (namespace: string, host: string) => (host.includes('.') ? host : `${host}.${namespace}.svc.cluster.local`);
/** Every address-like value of a KEDA trigger: its host names. */
const triggerHosts = (t: Trigger): string[] =>
  Object.entries(t.metadata)
    .filter(([key]) => /^(address|addresses|host|hosts|serverAddress|url)$/.test(key))
    .flatMap(([, value]) => value.split(','))
    .map((v) => (/^\w+:\/\//.test(v) ? new URL(v).hostname : v.replace(/:\d+$/, '')));

describe.each(Object.keys(builds) as BuildName[])('k8s %s', (name) => {
  const { manifests: docs, errors } = builds[name];

  it('builds the whole deployment and validates every manifest against its schema', () => {
    const kinds = docs.map((d) => d.kind).sort();
    const app = ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'PodDisruptionBudget', 'ScaledObject', 'Service', 'Service', 'TriggerAuthentication'];
    const expected = {
      base: [...app, 'Secret', 'Secret'],
      // Redis and the object store run in the namespace, with the example Secrets.
      dev: [...app, 'Namespace', 'Secret', 'Secret', 'StatefulSet', 'StatefulSet', 'Service', 'Service'],
      // In-cluster Redis and the Prometheus Operator objects; no Secret, so applying can never
      // reset real keys to placeholders.
      prod: [...app, 'StatefulSet', 'Service', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule'],
    }[name];
    expect(kinds).toEqual(expected.sort());
    expect(errors).toEqual([]);
  });

  it.each(Object.keys(APPS) as App[])('%s: image from the registry the build sets, named port, probes and scrape annotations', (app) => {
    const c = container(docs, app);
    const served = probePaths();
    const [, registry, repo, tag] = /^([^/]+)\/(.+):([\w.-]+)$/.exec(c.image) ?? [];
    expect(repo).toBe(APPS[app].image);
    // Never a bare Docker Hub name (someone else's), never latest; the base only has a
    // placeholder registry that cannot resolve, for the overlays to replace.
    expect(registry).toMatch(/[.:]/);
    expect(tag).not.toBe('latest');
    if (name === 'base') expect(registry).toBe('registry.invalid');
    else expect(registry).not.toMatch(/\.invalid$/);
    expect(c.ports).toEqual(containerPorts(app));
    const probes = c as Container & { startupProbe?: { httpGet: { path: string; port: string } } };
    expect(probes.startupProbe!.httpGet).toEqual({ path: '/healthz', port: APPS[app].portName });
    expect(c.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: APPS[app].portName });
    expect(c.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: APPS[app].portName });
    // The startup probe, not a guessed delay, holds liveness back while the app starts.
    expect(c.livenessProbe).not.toHaveProperty('initialDelaySeconds');
    expect(served).toEqual(expect.arrayContaining(['/readyz', '/healthz']));
    const annotations = deployment(docs, app).spec.template.metadata.annotations ?? {};
    expect(annotations['prometheus.io/port']).toBe(String(APPS[app].scrapePort));
    expect(served).toContain(annotations['prometheus.io/path']);
  });

  it.each(Object.keys(APPS) as App[])('%s: sets only env the apps read, a configuration they accept, and REDIS_URL in the Secret', (app) => {
    for (const key of Object.keys(environment(docs, app))) expect(ENV_VARS).toContain(key);
    const config = loadConfig(environment(docs, app));
    expect(app === 'api' ? config.api.port : config.worker.port).toBe(APPS[app].port);
    expect(app === 'api' ? config.api.metricsPort : config.worker.port).toBe(APPS[app].scrapePort);
    expect(config.storage.driver).toBe('s3');
    expect(config.renderer.executablePath).toBe(DEFAULT_CHROMIUM_PATH);
    // envFrom names the ConfigMap this build renders (with its content hash) and the Secret.
    const refs = container(docs, app).envFrom ?? [];
    expect(refs.map((r) => r.configMapRef?.name).filter(Boolean)).toEqual([find(docs, 'ConfigMap', 'pixelfarm-config').metadata.name]);
    expect(refs.map((r) => r.secretRef?.name).filter(Boolean)).toEqual(['pixelfarm-secrets']);
    // A Redis URL carries its password: never in the ConfigMap.
    expect(configData(docs)).not.toHaveProperty('REDIS_URL');
    if (name !== 'prod') expect(secretData(docs)!.REDIS_URL).toMatch(/^rediss?:\/\//);
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
    // In-flight renders finish before a worker pod is killed, the longest (a jumbo render) too.
    if (app === 'worker') expect(loadConfig(environment(docs, app)).worker.shutdownGraceMs / 1000).toBeGreaterThan(loadConfig(environment(docs, app)).renderer.jumbo.timeoutMs / 1000);
  });

  it.each(Object.keys(APPS) as App[])('%s: leaves the replica count to its autoscaler, and spreads over zones and nodes', (app) => {
    const d = deployment(docs, app);
    // A fixed count would be re-applied by every `kubectl apply`, resetting the autoscaler mid-batch.
    expect(d.spec).not.toHaveProperty('replicas');
    const scalers = [
      ...docs.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => (m as unknown as { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef.name),
      ...docs.filter((m) => m.kind === 'ScaledObject').map((m) => (m as ScaledObject).spec.scaleTargetRef.name),
    ];
    expect(scalers.filter((n) => n === d.metadata.name)).toHaveLength(1);
    type Spread = { topologyKey: string; whenUnsatisfiable: string; labelSelector: { matchLabels: Record<string, string> }; matchLabelKeys?: string[] };
    const spread = (d.spec.template.spec as unknown as { topologySpreadConstraints: Spread[] }).topologySpreadConstraints;
    expect(spread.map((c) => c.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of spread) {
      // Never leaves a pod unschedulable on a one-zone or one-node cluster.
      expect(c.whenUnsatisfiable).toBe('ScheduleAnyway');
      expect(selects(c.labelSelector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      expect(c.matchLabelKeys).toEqual(['pod-template-hash']);
    }
  });

  it('routes each Service to its pods by the named port; the workers’ headless Service lists busy and draining pods too', () => {
    for (const app of Object.keys(APPS) as App[]) {
      const svc = service(docs, APPS[app].deployment);
      expect(selects(svc.spec.selector, deployment(docs, app).spec.template.metadata.labels)).toBe(true);
      expect(svc.spec.ports.map((p) => p.targetPort)).toEqual(containerPorts(app).map((p) => p.name));
    }
    expect(service(docs, 'pixelfarm-worker').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  it('scales the API on CPU, and the workers on waiting plus running renders, one worker per WORKER_BASE_CONCURRENCY', () => {
    const hpa = find(docs, 'HorizontalPodAutoscaler', 'pixelfarm-api') as unknown as { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'pixelfarm-api' });
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);

    const { spec } = scaledObject(docs);
    expect(spec.scaleTargetRef.name).toBe('pixelfarm-worker');
    expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const prefix = configData(docs).REDIS_PREFIX;
    const lists = Object.fromEntries(spec.triggers.filter((t) => t.type === 'redis').map((t) => [t.name, t.metadata.listName]));
    // BullMQ keeps waiting jobs in <prefix>:<queue>:wait, prioritized (bulk) ones in
    // <prefix>:<queue>:prioritized and running ones in <prefix>:<queue>:active
    // (keda-redis-triggers.test.ts counts them on a real Redis).
    expect(lists).toEqual({ waiting: `${prefix}:${RENDER_QUEUE}:wait`, prioritized: `${prefix}:${RENDER_QUEUE}:prioritized`, active: `${prefix}:${RENDER_QUEUE}:active` });
    // The composite metric adds every trigger: bulk and running work count, so busy workers are kept.
    const { formula, target, metricType } = spec.advanced.scalingModifiers;
    expect(formula).toMatch(/\bwaiting \+ prioritized \+ active\b/);
    for (const t of spec.triggers) expect(formula).toMatch(new RegExp(`\\b${t.name}\\b`));
    expect(metricType).toBe('AverageValue');
    // The slots a worker fills for a backlog with bulk work in it (keda-scaling.test.ts).
    const slots = loadConfig(environment(docs, 'worker')).worker.baseConcurrency;
    expect(workerEnv(docs).WORKER_BASE_CONCURRENCY).toBe(String(slots));
    expect(Number(target)).toBe(slots);
    for (const t of spec.triggers) expect(Number(t.metadata.listLength)).toBe(slots);
  });

  it('names every KEDA trigger address by its fully qualified Service name, in this deployment’s namespace', () => {
    const { spec } = scaledObject(docs);
    const hosts = spec.triggers.flatMap(triggerHosts);
    expect(hosts.length).toBe(spec.triggers.length);
    for (const host of hosts) expect({ host, qualified: FQDN.test(host) }).toEqual({ host, qualified: true });
    for (const t of spec.triggers.filter((t) => t.type === 'redis')) {
      const [, svc, namespace] = FQDN.exec(t.metadata.address!.replace(/:\d+$/, ''))!;
      if (NAMESPACE[name]) expect(namespace).toBe(NAMESPACE[name]);
      // Where this build runs Redis, the trigger points at its Service and port.
      if (name !== 'base') expect(t.metadata.address).toBe(`${svc}.${namespace}.svc.cluster.local:${service(docs, svc!).spec.ports[0]!.port}`);
    }
  });

  it('authenticates KEDA to Redis with the password from a Secret, the same as in the apps’ REDIS_URL', () => {
    const { spec } = scaledObject(docs);
    type Auth = { spec: { secretTargetRef: Array<{ parameter: string; name: string; key: string }> } };
    for (const t of spec.triggers.filter((t) => t.type === 'redis')) {
      expect(t.authenticationRef?.name).toBe('pixelfarm-redis');
      expect(t.metadata).not.toHaveProperty('password');
    }
    const auth = find(docs, 'TriggerAuthentication', 'pixelfarm-redis') as unknown as Auth;
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'password', name: 'pixelfarm-redis', key: 'password' }]);
    if (name === 'prod') return;
    const url = new URL(secretData(docs)!.REDIS_URL!);
    expect(decodeURIComponent(url.password)).toBe(secretData(docs, 'pixelfarm-redis')!.password);
    // The apps and KEDA reach the same Redis.
    const address = spec.triggers.find((t) => t.type === 'redis')!.metadata.address!;
    if (NAMESPACE[name]) expect(address).toBe(`${resolveIn(NAMESPACE[name]!, url.hostname)}:${url.port || 6379}`);
  });

  it('keeps a disruption budget per Deployment that never blocks a node drain', () => {
    for (const app of Object.keys(APPS) as App[]) {
      const pdb = find(docs, 'PodDisruptionBudget', APPS[app].deployment) as unknown as {
        spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number; unhealthyPodEvictionPolicy?: string };
      };
      const d = deployment(docs, app);
      expect(selects(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      // maxUnavailable, not minAvailable: a one-replica deployment can still be drained.
      expect(pdb.spec.minAvailable).toBeUndefined();
      expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
      // A pod that is not Ready serves nothing: evicting it must never wait.
      expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    }
  });

  it('sizes the workers from their limits: concurrency set explicitly, the browser recycled below the memory limit', () => {
    const c = container(docs, 'worker');
    const config = loadConfig(environment(docs, 'worker'));
    expect(workerEnv(docs).BROWSER_RECYCLE_MB).toBeDefined();
    expect(workerEnv(docs).WORKER_CONCURRENCY).toBeDefined();
    expect(config.renderer.recycleAboveMb + WORKER_HEADROOM_MB).toBeLessThanOrEqual(quantity(c.resources!.limits!.memory) / 2 ** 20);
  });

  it('lets the API and the workers reach the cluster DNS, Redis, the object store and the public internet only', () => {
    type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values: string[] }> };
    type Peer = { ipBlock?: { cidr: string; except?: string[] }; podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: Selector };
    type Rule = { to?: Peer[]; ports?: Array<{ protocol: string; port: number }> };
    const policy = find(docs, 'NetworkPolicy', 'pixelfarm-egress') as unknown as { spec: { podSelector: Selector; policyTypes: string[]; egress: Rule[] } };
    const [expression, ...more] = policy.spec.podSelector.matchExpressions ?? [];
    expect(more).toEqual([]);
    expect(policy.spec.podSelector.matchLabels).toBeUndefined();
    for (const app of Object.keys(APPS) as App[]) {
      const label = deployment(docs, app).spec.template.metadata.labels[expression!.key];
      expect({ app, selected: expression!.operator === 'In' && expression!.values.includes(label!) }).toEqual({ app, selected: true });
    }
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    const rules = policy.spec.egress;
    const blocks = rules.flatMap((r) => r.to ?? []).filter((p) => p.ipBlock).map((p) => p.ipBlock!);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.cidr).toBe('0.0.0.0/0');
    expect(blocks[0]!.except).toEqual(expect.arrayContaining(DENIED_RANGES));
    // In-cluster peers are selected by app.kubernetes.io/name, the name of their Service.
    const portsTo = (label: string) => rules.filter((r) => r.to?.some((p) => p.podSelector?.matchLabels['app.kubernetes.io/name'] === label)).flatMap((r) => r.ports ?? []);
    const config = loadConfig(environment(docs, 'worker'));
    if (name !== 'prod') {
      const redis = new URL(config.queue.redisUrl);
      expect(portsTo(redis.hostname)).toEqual([{ protocol: 'TCP', port: Number(redis.port || 6379) }]);
    }
    if (name === 'dev') {
      const s3 = config.storage.driver === 's3' ? new URL(config.storage.s3.endpoint!) : undefined;
      expect(portsTo(s3!.hostname)).toEqual([{ protocol: 'TCP', port: Number(s3!.port) }]);
    }
    // Where a peer runs in this build, the rule allows the port its pods listen on.
    for (const peer of ['redis', 's3']) {
      const svc = docs.find((d) => d.kind === 'Service' && d.metadata.name === peer) as unknown as ServiceSpec | undefined;
      if (svc) expect(portsTo(peer)).toEqual([{ protocol: 'TCP', port: svc.spec.ports[0]!.port }]);
    }
    // Port 53 of the cluster DNS pods only, never of any address.
    const dns = rules.filter((r) => r.ports?.some((p) => p.port === 53));
    expect(dns).toHaveLength(1);
    expect(dns[0]!.ports?.map((p) => `${p.protocol}/${p.port}`).sort()).toEqual(['TCP/53', 'UDP/53']);
    expect(dns[0]!.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
    expect(rules.every((r) => r.to?.length)).toBe(true);
  });
});

describe.each(['dev', 'prod'] as const)('k8s %s: the in-cluster Redis', (name) => {
  const docs = builds[name].manifests;
  const redis = find<StatefulSet>(docs, 'StatefulSet', 'redis');
  const c = redis.spec.template.spec.containers[0]!;
  const args = c.args!;
  const flag = (f: string) => args[args.indexOf(f) + 1];

  it('keeps its data (AOF on a PersistentVolumeClaim) and never evicts BullMQ’s keys', () => {
    expect(redis.spec.replicas).toBe(1);
    expect(flag('--appendonly')).toBe('yes');
    expect(flag('--maxmemory-policy')).toBe('noeviction');
    const data = redis.spec.volumeClaimTemplates.find((v) => v.metadata.name === 'data')!;
    expect(quantity(data.spec.resources.requests.storage)).toBeGreaterThan(0);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    // A full Redis refuses writes before the kernel kills it, with room for an AOF rewrite's
    // fork: its copy-on-write pages count against the same limit, up to the dataset again.
    const maxmemory = /^(\d+)mb$/.exec(flag('--maxmemory')!)![1]!;
    expect(2 * Number(maxmemory) * 2 ** 20).toBeLessThanOrEqual(quantity(c.resources!.limits!.memory));
  });

  it('requires the password of the pixelfarm-redis Secret, which KEDA uses too, never on its command line', () => {
    type Init = { command: string[]; env: EnvSource[]; volumeMounts: Array<{ name: string; mountPath: string }> };
    const pod = redis.spec.template.spec as unknown as { initContainers: Init[]; volumes: Array<{ name: string; emptyDir?: { medium?: string } }> };
    // The password reaches redis-server in a config file written on a memory-backed volume.
    expect(args.join(' ')).not.toMatch(/requirepass|REDIS_PASSWORD/);
    expect(args[0]).toBe('/conf/auth.conf');
    const [init] = pod.initContainers;
    expect(init!.command.join(' ')).toMatch(/requirepass .*\$REDIS_PASSWORD.* > \/conf\/auth\.conf$/);
    expect(Object.fromEntries(init!.env.map((e) => [e.name, e.valueFrom?.secretKeyRef]))).toEqual({ REDIS_PASSWORD: { name: 'pixelfarm-redis', key: 'password' } });
    const conf = init!.volumeMounts.find((m) => m.mountPath === '/conf')!.name;
    expect(pod.volumes.find((v) => v.name === conf)?.emptyDir?.medium).toBe('Memory');
    expect(c.volumeMounts).toContainEqual({ name: conf, mountPath: '/conf', readOnly: true });
    // redis-cli in the probes authenticates with REDISCLI_AUTH (redis-probes.test.ts runs them).
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    expect(env).toEqual({ REDISCLI_AUTH: { name: 'pixelfarm-redis', key: 'password' } });
    expect(redis.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
  });

  it('writes a config file that a real redis-server reads as the exact password, quotes and backslashes too', async () => {
    const init = (redis.spec.template.spec as unknown as { initContainers: Array<{ command: string[] }> }).initContainers[0]!;
    const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'redis-auth-'));
    const script = init.command[2]!.replace('/conf/auth.conf', path.join(dir, 'auth.conf'));
    const password = 'pa"ss\\word\\"x';
    const written = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '', REDIS_PASSWORD: password }, encoding: 'utf8' });
    expect(written.status).toBe(0);
    const port = await freePort();
    const server = spawn('redis-server', [path.join(dir, 'auth.conf'), '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      const ping = (auth: string) => spawnSync('redis-cli', ['-e', '-p', String(port), 'ping'], { env: { PATH: process.env.PATH ?? '', REDISCLI_AUTH: auth }, encoding: 'utf8' });
      const deadline = Date.now() + 10_000;
      while (ping(password).stdout.trim() !== 'PONG' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(ping(password).stdout.trim()).toBe('PONG');
      expect(ping('pa"ss').status).not.toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('runs the Redis image of the compose stack, pinned to a release', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { image: string }> };
    expect(c.image).toBe(compose.services.redis!.image);
    expect(c.image).toMatch(/^redis:\d+\.\d+\.\d+/);
  });

  it('is the Service the apps’ REDIS_URL and the KEDA triggers name', () => {
    const svc = service(docs, 'redis');
    expect(selects(svc.spec.selector, redis.spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 'redis' }]);
    expect(c.ports).toEqual([{ name: 'redis', containerPort: 6379 }]);
    if (name === 'dev') expect(new URL(secretData(docs)!.REDIS_URL!).hostname).toBe('redis');
  });
});

describe('k8s dev: the in-cluster object store', () => {
  const docs = builds.dev.manifests;
  const store = find<StatefulSet>(docs, 'StatefulSet', 's3');
  const c = store.spec.template.spec.containers[0]!;
  const config = loadConfig(environment(docs, 'worker'));
  if (config.storage.driver !== 's3') throw new Error('expected s3');
  const { s3 } = config.storage;

  it('serves the apps’ S3_ENDPOINT, with the apps’ keys as its own and their bucket created at start', () => {
    const endpoint = new URL(s3.endpoint!);
    const svc = service(docs, endpoint.hostname);
    expect(selects(svc.spec.selector, store.spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports[0]!.port).toBe(Number(endpoint.port));
    expect(c.ports).toEqual([{ name: svc.spec.ports[0]!.targetPort, containerPort: Number(endpoint.port) }]);
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.valueFrom]));
    expect(env.AWS_ACCESS_KEY_ID).toEqual({ secretKeyRef: { name: 'pixelfarm-secrets', key: 'S3_ACCESS_KEY_ID' } });
    expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ secretKeyRef: { name: 'pixelfarm-secrets', key: 'S3_SECRET_ACCESS_KEY' } });
    expect(env.S3_BUCKET).toEqual({ configMapKeyRef: { name: find(docs, 'ConfigMap', 'pixelfarm-config').metadata.name, key: 'S3_BUCKET' } });
    expect(c.args).toEqual(expect.arrayContaining(['mini', '-dir=/data', '-bucket=$(S3_BUCKET)']));
    // The same image as the compose stack's store.
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { image: string }> };
    expect(c.image).toBe(compose.services.s3!.image);
  });

  it('is ready once a signed HEAD of the bucket succeeds, and keeps its data on a claim', () => {
    const probe = (c.readinessProbe as unknown as { exec: { command: string[] } }).exec.command.join(' ');
    expect(probe).toMatch(/--aws-sigv4 aws:amz:[\w-]+:s3 -u "\$AWS_ACCESS_KEY_ID:\$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http:\/\/127\.0\.0\.1:8333\/\$S3_BUCKET"/);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(store.spec.volumeClaimTemplates.map((v) => v.metadata.name)).toEqual(['data']);
  });
});

describe('k8s prod: Prometheus Operator objects', () => {
  const docs = builds.prod.manifests;
  type Endpoint = { port: string; path: string };

  it('scrapes the API through its Service and every worker pod, under the job names the rules select', () => {
    const sm = find(docs, 'ServiceMonitor', 'pixelfarm-api') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Endpoint[]; jobLabel?: string } };
    const api = service(docs, 'pixelfarm-api');
    expect(selects(sm.spec.selector.matchLabels, api.metadata.labels ?? {})).toBe(true);
    // The metrics port, never the public one an ingress routes to.
    expect(sm.spec.endpoints.map((e) => e.port)).toEqual([APPS.api.scrapePortName]);
    expect(api.spec.ports.find((p) => p.name === APPS.api.scrapePortName)?.targetPort).toBe(APPS.api.scrapePortName);
    // Without jobLabel the Operator names the job after the Service.
    expect(sm.spec.jobLabel).toBeUndefined();
    const pm = find(docs, 'PodMonitor', 'pixelfarm-worker') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Endpoint[]; jobLabel: string } };
    const worker = deployment(docs, 'worker').spec.template.metadata.labels;
    expect(selects(pm.spec.selector.matchLabels, worker)).toBe(true);
    expect(pm.spec.podMetricsEndpoints.map((e) => e.port)).toEqual([APPS.worker.scrapePortName]);
    for (const e of [...sm.spec.endpoints, ...pm.spec.podMetricsEndpoints]) expect(probePaths()).toContain(e.path);

    const jobs = new Set([api.metadata.name, worker[pm.spec.jobLabel]]);
    expect(jobs).toEqual(new Set(['pixelfarm-api', 'pixelfarm-worker']));
    const compose = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string }> };
    expect(new Set(compose.scrape_configs.map((j) => j.job_name))).toEqual(jobs);
    const rule = find(docs, 'PrometheusRule', 'pixelfarm') as unknown as { spec: { groups: Array<{ rules: Array<{ expr: string }> }> } };
    for (const r of rule.spec.groups.flatMap((g) => g.rules)) for (const m of r.expr.matchAll(/job=~?"([^"]+)"/g)) for (const job of m[1]!.split('|')) expect(jobs).toContain(job);
  });

  it('alerts with exactly the rules of deploy/prometheus/alerts.yml, which promtool accepts in this form too', () => {
    const rule = find(docs, 'PrometheusRule', 'pixelfarm') as unknown as { spec: unknown };
    expect(rule.spec).toEqual(parse(read('deploy/prometheus/alerts.yml')));
    const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'rule-'));
    try {
      fs.writeFileSync(path.join(dir, 'rules.yml'), stringify(rule.spec));
      const run = runTool('promtool', ['check', 'rules', 'rules.yml'], { cwd: dir });
      expect(run).toMatchObject({ status: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('k8s overlays', () => {
  it('keeps the base namespace-agnostic and puts each overlay in its namespace', () => {
    expect(builds.base.manifests.filter((m) => m.metadata.namespace)).toEqual([]);
    // Dev creates its namespace, so it applies to a fresh cluster; prod's is the operator's.
    const [namespace, ...rest] = builds.dev.manifests.filter((m) => m.kind === 'Namespace');
    expect([namespace?.metadata.name, rest]).toEqual(['pixelfarm-dev', []]);
    expect(new Set(builds.dev.manifests.filter((m) => m.kind !== 'Namespace').map((m) => m.metadata.namespace))).toEqual(new Set(['pixelfarm-dev']));
    expect(new Set(builds.prod.manifests.map((m) => m.metadata.namespace))).toEqual(new Set(['pixelfarm']));
  });

  it('runs small pods in dev, with the placeholder Secrets and images from a local registry', () => {
    const docs = builds.dev.manifests;
    for (const app of Object.keys(APPS) as App[]) {
      expect(quantity(container(docs, app).resources?.requests?.cpu)).toBeLessThan(quantity(container(builds.base.manifests, app).resources?.requests?.cpu));
      expect(container(docs, app).image).toBe(`localhost:5001/${APPS[app].image}:dev`);
    }
    expect(scaledObject(docs).spec.maxReplicaCount).toBeLessThanOrEqual(2);
    // Obviously not real: an operator must replace every value.
    for (const secret of ['pixelfarm-secrets', 'pixelfarm-redis']) for (const value of Object.values(secretData(docs, secret)!)) expect(value).toMatch(/replace/);
  });

  it('runs larger pods in prod, pinned to the release scripts/build-images.mjs tags, with more room to scale', () => {
    const docs = builds.prod.manifests;
    for (const app of Object.keys(APPS) as App[]) {
      const base = container(builds.base.manifests, app);
      const c = container(docs, app);
      expect(quantity(c.resources?.requests?.cpu)).toBeGreaterThan(quantity(base.resources?.requests?.cpu));
      expect(quantity(c.resources?.limits?.memory)).toBeGreaterThan(quantity(base.resources?.limits?.memory));
      expect(c.image).toMatch(new RegExp(`/${APPS[app].image}:${version.replace(/\./g, '\\.')}$`));
    }
    expect(loadConfig(environment(docs, 'worker')).worker.concurrency).toBeGreaterThan(loadConfig(environment(builds.base.manifests, 'worker')).worker.concurrency);
    expect(scaledObject(docs).spec.maxReplicaCount).toBeGreaterThan(scaledObject(builds.base.manifests).spec.maxReplicaCount);
    // The operator's store, not the dev one.
    expect(configData(docs).S3_ENDPOINT).toMatch(/^https:\/\//);
  });
});

describe('k8s/ changed in a copy', () => {
  let copy: string;
  beforeEach(() => {
    copy = fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'k8s-'));
    fs.cpSync(path.join(ROOT, 'k8s'), copy, { recursive: true });
  });
  afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('overlays derive the KEDA triggers: they follow a renamed namespace and a changed WORKER_BASE_CONCURRENCY', () => {
    const file = path.join(copy, 'overlays', 'prod', 'kustomization.yaml');
    const edited = fs.readFileSync(file, 'utf8').replace('namespace: pixelfarm\n', 'namespace: render-farm\n').replace('name: WORKER_BASE_CONCURRENCY\n                    value: "2"', 'name: WORKER_BASE_CONCURRENCY\n                    value: "3"');
    expect(edited).toContain('namespace: render-farm');
    expect(edited).toMatch(/WORKER_BASE_CONCURRENCY\n\s+value: "3"/);
    fs.writeFileSync(file, edited);
    const { manifests, errors } = kustomize(path.join(copy, 'overlays', 'prod'));
    expect(errors).toEqual([]);
    const { spec } = scaledObject(manifests);
    expect(workerEnv(manifests).WORKER_BASE_CONCURRENCY).toBe('3');
    expect(spec.advanced.scalingModifiers.target).toBe('3');
    for (const t of spec.triggers) {
      expect(t.metadata.listLength).toBe('3');
      expect(t.metadata.address).toBe('redis.render-farm.svc.cluster.local:6379');
    }
  });

  it('validation reports a schema violation', () => {
    const file = path.join(copy, 'base', 'worker-deployment.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`containerPort: ${PORTS.worker}`, 'containerPort: metrics'));
    expect(kustomize(path.join(copy, 'overlays', 'prod')).errors.join('\n')).toMatch(/Deployment\/pixelfarm-worker: .*containerPort must be integer/);
  });

  it('validation reports a KEDA ScaledObject without triggers, and a TriggerAuthentication without its Secret key', () => {
    const file = path.join(copy, 'base', 'worker-scaledobject.yaml');
    const doc = parse(fs.readFileSync(file, 'utf8')) as { spec: Record<string, unknown> };
    delete doc.spec.triggers;
    fs.writeFileSync(file, JSON.stringify(doc));
    const auth = path.join(copy, 'base', 'worker-triggerauthentication.yaml');
    fs.writeFileSync(auth, fs.readFileSync(auth, 'utf8').replace('key: password', 'kee: password'));
    // The base: an overlay's replacements would already refuse to build without the triggers.
    const reported = kustomize(path.join(copy, 'base')).errors.join('\n');
    expect(reported).toMatch(/ScaledObject\/pixelfarm-worker: .*triggers/);
    expect(reported).toMatch(/TriggerAuthentication\/pixelfarm-redis: .*key/);
  });

  it('validation reports Prometheus Operator objects that break their CRD schemas', () => {
    const edits: Array<[string, string, string]> = [
      ['prometheus-rule.yaml', 'for: 10m', 'for: 10 minutes'],
      ['api-servicemonitor.yaml', 'interval: 15s', 'interval: every 15s'],
      ['worker-podmonitor.yaml', '- port: metrics', '- port: 9100'],
    ];
    for (const [name, from, to] of edits) {
      const file = path.join(copy, 'components', 'prometheus', name);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(from, to));
    }
    const reported = kustomize(path.join(copy, 'overlays', 'prod')).errors.join('\n');
    expect(reported).toMatch(/PrometheusRule\/pixelfarm: .*for must match pattern/);
    expect(reported).toMatch(/ServiceMonitor\/pixelfarm-api: .*interval must match pattern/);
    expect(reported).toMatch(/PodMonitor\/pixelfarm-worker: .*port must be string/);
  });

  it('validation reports an invalid StatefulSet of a component', () => {
    const file = path.join(copy, 'components', 'redis', 'redis-statefulset.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: one'));
    expect(kustomize(path.join(copy, 'overlays', 'dev')).errors.join('\n')).toMatch(/StatefulSet\/redis: .*replicas/);
  });

  it('validation fails when an overlay does not build', () => {
    fs.rmSync(path.join(copy, 'base', 'api-service.yaml'));
    expect(() => kustomize(path.join(copy, 'overlays', 'dev'))).toThrow(/api-service\.yaml/);
  });
});
