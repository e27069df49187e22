// KEDA's rules for a ScaledObject with scalingModifiers, replayed from its source (kedacore/keda
// v2.20: pkg/scaling/scale_handler.go GetScaledObjectMetrics, pkg/scalers/prometheus_scaler.go),
// so a test can ask what the autoscaler does when one of the metric sources fails.

export type Trigger = { type: string; name: string; metadata: Record<string, string> };
export interface ScaledObjectSpec {
  minReplicaCount: number;
  maxReplicaCount: number;
  advanced: { scalingModifiers: { formula: string; target: string; metricType: string } };
  triggers: Trigger[];
}

/** A failed metric read: KEDA reports it to the HPA as an error. */
export class MetricError extends Error {}

/** What a Prometheus server answered a query with: a value, an empty result, or nothing at all. */
export type PrometheusAnswer = number | 'empty' | 'unreachable';

/**
 * The prometheus scaler's value: an empty result is 0 when `ignoreNullValues` is "true" (KEDA's
 * default) and an error otherwise; a server that does not answer is always an error.
 */
export function prometheusValue(trigger: Trigger, answer: PrometheusAnswer): number | MetricError {
  if (answer === 'unreachable') return new MetricError(`${trigger.name}: prometheus did not answer`);
  if (answer !== 'empty') return answer;
  const ignore = (trigger.metadata.ignoreNullValues ?? 'true').toLowerCase() === 'true';
  return ignore ? 0 : new MetricError(`${trigger.name}: the result is empty`);
}

/** Evaluates a scalingModifiers formula (arithmetic, min and max of the trigger names). */
function evaluate(formula: string, values: Record<string, number>): number {
  if (!/^[\w\s+\-*/().,]*$/.test(formula)) throw new Error(`formula outside the replayed subset: ${formula}`);
  const names = Object.keys(values);
  for (const word of formula.match(/[A-Za-z_]\w*/g) ?? []) {
    if (!names.includes(word) && word !== 'max' && word !== 'min') throw new Error(`formula names an unknown trigger: ${word}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('max', 'min', ...names, `return (${formula});`) as (...args: unknown[]) => number;
  return fn(Math.max, Math.min, ...names.map((n) => values[n]));
}

/**
 * The composite metric KEDA gives the HPA: every trigger of the ScaledObject is read (in the
 * formula or not), and when any read fails, with no fallback configured, the whole metric is an
 * error ("metric encountered error"); otherwise the formula of the trigger values.
 */
export function compositeMetric(spec: ScaledObjectSpec, reads: Record<string, number | MetricError>): number | MetricError {
  const values: Record<string, number> = {};
  for (const t of spec.triggers) {
    const read = reads[t.name];
    if (read === undefined) throw new Error(`no read given for trigger ${t.name}`);
    if (read instanceof MetricError) return new MetricError(`composite metric failed: ${read.message}`);
    values[t.name] = read;
  }
  return evaluate(spec.advanced.scalingModifiers.formula, values);
}

/**
 * The replicas the HPA asks for: ceil(metric / target) for an AverageValue target, within the
 * ScaledObject's bounds; while the metric is an error, the HPA keeps the current count.
 */
export function desiredReplicas(spec: ScaledObjectSpec, metric: number | MetricError, current: number): number {
  if (metric instanceof MetricError) return current;
  if (spec.advanced.scalingModifiers.metricType !== 'AverageValue') throw new Error('only AverageValue is replayed');
  const wanted = Math.ceil(metric / Number(spec.advanced.scalingModifiers.target));
  return Math.min(spec.maxReplicaCount, Math.max(spec.minReplicaCount, wanted));
}
