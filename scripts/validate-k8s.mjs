#!/usr/bin/env node
// Builds a kustomize overlay and validates every manifest against the schemas of its kind: the
// Kubernetes API, KEDA's CRDs and the Prometheus Operator's CRDs (ServiceMonitor, PodMonitor,
// PrometheusRule: their OpenAPI schemas as the CRDs publish them).
// Usage: node scripts/validate-k8s.mjs k8s/overlays/prod
// Prints one JSON line {overlay, manifests, errors}; exits 1 when anything is invalid. A kind
// without a schema here is an error, never skipped.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const MODELS = {
  Namespace,
  Deployment,
  StatefulSet,
  ConfigMap,
  Secret,
  Service,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  NetworkPolicy,
  ScaledObject,
  TriggerAuthentication,
  ServiceMonitor,
  PodMonitor,
  PrometheusRule,
};
const overlay = process.argv[2];
if (!overlay) {
  process.stderr.write('usage: validate-k8s.mjs <kustomize directory>\n');
  process.exit(2);
}
const built = execFileSync('kubectl', ['kustomize', overlay], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const manifests = parseAllDocuments(built).map((d) => d.toJS());
const errors = [];
for (const doc of manifests) {
  const Model = MODELS[doc.kind];
  if (!Model) {
    errors.push(`${doc.kind}/${doc.metadata?.name}: no schema for this kind`);
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (err) {
    errors.push(`${doc.kind}/${doc.metadata?.name}: ${err.message}`);
  }
}
process.stdout.write(JSON.stringify({ overlay, manifests, errors }) + '\n');
process.exit(errors.length ? 1 : 0);
