// Builds a kustomize directory with kubectl and validates every manifest against the Kubernetes,
// KEDA and Prometheus Operator schemas, through scripts/validate-k8s.mjs (an ES module, run as its own process),
// plus typed views of the parts the deployment tests read.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './app-facts';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export interface Built {
  manifests: Manifest[];
  /** Schema violations, one line per manifest; empty when everything is valid. */
  errors: string[];
}

/** Builds and validates `dir`; throws with kubectl's message when the build itself fails. */
export function kustomize(dir: string): Built {
  try {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'validate-k8s.mjs'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.toString()) as Built;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
    // Exit 1 with a report: the build worked and some manifest is invalid.
    if (stdout && stdout.length > 0) return JSON.parse(stdout.toString()) as Built;
    throw new Error(`kustomize build of ${dir} failed: ${stderr?.toString() ?? String(err)}`);
  }
}

export interface EnvVar {
  name: string;
  value?: string;
}

export interface Probe {
  httpGet: { path: string; port: string | number };
}

export interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string; emptyDir?: object }>;
}

export interface Deployment extends Manifest {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}

/** Finds one manifest by kind and name (a generated ConfigMap's name carries a hash suffix). */
export function find<T extends Manifest = Manifest>(manifests: Manifest[], kind: string, name: string): T {
  const ofKind = manifests.filter((m) => m.kind === kind);
  const hashed = new RegExp(`^${name}-[a-z0-9]{10}$`);
  const hit = ofKind.find((m) => m.metadata.name === name) ?? ofKind.find((m) => hashed.test(m.metadata.name));
  if (!hit) throw new Error(`no ${kind}/${name} in the build`);
  return hit as T;
}

/** Whether a label selector selects pods carrying these labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
